package github

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/registry/valid"
)

// maxListedEntries bounds one directory listing: a registry of tens of
// thousands of servers fits; a hostile tree does not make the bot
// allocate without end.
const maxListedEntries = 100_000

// FS returns the registry's tree at commit as a read-only fs.FS, for
// registry.LoadFS: a long-running daemon reads the servers from the
// fetched base branch this way, so servers added or removed since it
// started are seen. Symlinks are reported, never followed; a file is read
// up to the cap ReadFile has.
func (r *RegistryRemote) FS(commit string) (fs.FS, error) {
	if !valid.FullSHA(commit) {
		return nil, r.fail("read tree", fmt.Errorf("%q is not a full commit SHA", commit))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := object.GetCommit(r.repo.Storer, plumbing.NewHash(commit))
	if err != nil {
		return nil, r.fail("read tree of "+commit, err)
	}
	root, err := c.Tree()
	if err != nil {
		return nil, r.fail("read tree of "+commit, err)
	}
	return &commitFS{r: r, root: root}, nil
}

// commitFS is one commit's tree. Every access to the object store holds
// the remote's lock, which fetches and pushes hold too.
type commitFS struct {
	r    *RegistryRemote
	root *object.Tree
}

func (f *commitFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	if name == "." {
		return f.openDir(name, f.root)
	}
	e, err := f.root.FindEntry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	switch e.Mode {
	case filemode.Dir:
		t, err := object.GetTree(f.r.repo.Storer, e.Hash)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return f.openDir(name, t)
	case filemode.Regular, filemode.Executable:
		b, err := object.GetBlob(f.r.repo.Storer, e.Hash)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		rc, err := b.Reader()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxRegistryFile+1))
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		return &treeFile{Reader: bytes.NewReader(data), info: entryInfo(e, b.Size)}, nil
	default:
		// Symlinks and submodules are described by Stat, never opened.
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file or directory")}
	}
}

// Stat describes name without following a symlink (what fs.Lstat asks).
func (f *commitFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return fileInfo{name: ".", mode: fs.ModeDir | 0o755}, nil
	}
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	e, err := f.root.FindEntry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return f.info(e), nil
}

// Lstat is Stat: the tree's entries are never followed.
func (f *commitFS) Lstat(name string) (fs.FileInfo, error) { return f.Stat(name) }

// ReadLink is not offered: nothing here follows a link.
func (f *commitFS) ReadLink(name string) (string, error) {
	return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.ErrUnsupported}
}

func (f *commitFS) openDir(name string, t *object.Tree) (fs.File, error) {
	if len(t.Entries) > maxListedEntries {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("more than %d entries", maxListedEntries)}
	}
	entries := make([]fs.DirEntry, len(t.Entries))
	for i := range t.Entries {
		entries[i] = fs.FileInfoToDirEntry(f.info(&t.Entries[i]))
	}
	return &treeDir{info: fileInfo{name: pathBase(name), mode: fs.ModeDir | 0o755}, entries: entries}, nil
}

// info describes a tree entry; a blob's size is read from the store.
func (f *commitFS) info(e *object.TreeEntry) fs.FileInfo {
	size := int64(0)
	if e.Mode == filemode.Regular || e.Mode == filemode.Executable {
		if s, err := f.r.repo.Storer.EncodedObjectSize(e.Hash); err == nil {
			size = s
		}
	}
	return entryInfo(e, size)
}

func entryInfo(e *object.TreeEntry, size int64) fileInfo {
	var mode fs.FileMode
	switch e.Mode {
	case filemode.Dir:
		mode = fs.ModeDir | 0o755
	case filemode.Regular:
		mode = 0o644
	case filemode.Executable:
		mode = 0o755
	case filemode.Symlink:
		mode = fs.ModeSymlink | 0o777
	default: // submodule
		mode = fs.ModeIrregular
	}
	return fileInfo{name: e.Name, size: size, mode: mode}
}

func pathBase(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[i+1:]
		}
	}
	return name
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return i.mode }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i fileInfo) Sys() any           { return nil }

type treeFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Close() error               { return nil }

type treeDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	read    int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}

func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.read:]
	if n <= 0 {
		d.read = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.read += len(rest)
	return rest, nil
}
