package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// ExportLimits bounds ExportTree. Zero fields take the defaults.
type ExportLimits struct {
	MaxFiles      int   // files written (default 100,000)
	MaxFileBytes  int64 // one file (default 16 MiB)
	MaxTotalBytes int64 // all files (default 512 MiB)
}

func (l ExportLimits) withDefaults() ExportLimits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = 100_000
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 16 << 20
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 512 << 20
	}
	return l
}

// ExportTree writes the tree of commit into dst, an existing empty
// directory, for a reviewer that must not touch the cache: regular files
// only (mode 0444, 0555 when executable), directories 0555 (dst itself
// keeps its mode). Everything else is left out and listed in the returned
// skips: symlinks (a reviewer following one could read outside the copy;
// the skip names the target), submodules, names that are unsafe or
// unportable (".", "..", containing "/" or "\", control characters,
// invalid UTF-8, ".git" in any case, which would make the copy a
// repository with its own config and hooks, longer than a file system
// takes), directories nested deeper
// than maxExportDepth, and files past the limits. All writes go through
// an os.Root, so nothing lands outside dst. Use
// RemoveExport to delete the copy afterwards.
func (c *Cache) ExportTree(ctx context.Context, project, commit, dst string) ([]ranges.Skip, error) {
	h, err := parseCommitArg("commit", commit)
	if err != nil {
		return nil, err
	}
	repo, done, err := c.openForExport(ctx, project, "export", dst, h)
	if err != nil {
		return nil, err
	}
	defer done()
	return exportTree(ctx, repo.st, h, dst, c.opts.Export)
}

// openForExport checks that dst is an empty directory and opens the
// project's cache with the commits in it (fetched if missing); done
// releases it.
func (c *Cache) openForExport(ctx context.Context, project, op, dst string, commits ...plumbing.Hash) (*upstreamRepo, func(), error) {
	if err := checkEmptyDir(dst); err != nil {
		return nil, nil, err
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return nil, nil, err
	}
	missing, err := repo.ensure(ctx, "", commits...)
	if err == nil && len(missing) > 0 {
		err = upstreamError(project, op, fmt.Errorf("commit %s not found upstream", missing[0]))
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return repo, done, nil
}

func checkEmptyDir(dst string) error {
	entries, err := os.ReadDir(dst)
	if err != nil {
		return fmt.Errorf("export directory: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("export directory %s is not empty", dst)
	}
	return nil
}

func exportTree(ctx context.Context, st storer.EncodedObjectStorer, commit plumbing.Hash, dst string, limits ExportLimits) ([]ranges.Skip, error) {
	limits = limits.withDefaults()
	c, err := object.GetCommit(st, commit)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", commit, err)
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return nil, fmt.Errorf("export directory: %w", err)
	}
	defer root.Close()
	e := &exporter{ctx: ctx, st: st, limits: limits}
	err = e.dir(tree, root, "", 0)
	return e.skips, err
}

// maxExportDepth bounds how deep directories are exported: real code
// nests tens of levels, and each level holds a directory open while its
// subtree is written. Deeper ones are left out and listed.
const maxExportDepth = 128

type exporter struct {
	ctx    context.Context
	st     storer.EncodedObjectStorer
	limits ExportLimits
	files  int
	bytes  int64
	full   bool // the file-count cap was hit (reported once)
	skips  []ranges.Skip
}

func (e *exporter) skip(p, reason string) {
	e.skips = append(e.skips, ranges.Skip{Path: printableText(p, 512), Reason: reason})
}

// dir writes tree t into the directory dir, whose path in the copy is
// prefix, depth levels below the top. Each entry is created through the
// handle of its own directory, so writing a file costs the same at any
// depth (a path resolved from the top for every file is quadratic in the
// depth), and nothing can land outside dst.
func (e *exporter) dir(t *object.Tree, dir *os.Root, prefix string, depth int) error {
	for _, entry := range t.Entries {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		p := entry.Name
		if prefix != "" {
			p = prefix + "/" + entry.Name
		}
		if reason := unsafeName(entry.Name); reason != "" {
			e.skip(p, reason)
			continue
		}
		switch entry.Mode {
		case filemode.Dir:
			if depth+1 > maxExportDepth {
				e.skip(p, fmt.Sprintf("directory nested deeper than %d levels: not exported", maxExportDepth))
				continue
			}
			if err := e.subdir(dir, p, entry, depth+1); err != nil {
				return err
			}
		case filemode.Regular, filemode.Deprecated, filemode.Executable:
			if err := e.file(dir, p, entry); err != nil {
				return err
			}
		case filemode.Symlink:
			target := ""
			if b, err := object.GetBlob(e.st, entry.Hash); err == nil && b.Size <= 4096 {
				if r, err := b.Reader(); err == nil {
					data, _ := io.ReadAll(r)
					r.Close()
					target = string(data)
				}
			}
			e.skip(p, fmt.Sprintf("symlink to %q not exported", printableText(target, 256)))
		case filemode.Submodule:
			e.skip(p, "submodule "+entry.Hash.String()+" not exported")
		default:
			e.skip(p, fmt.Sprintf("unknown entry mode %o not exported", uint32(entry.Mode)))
		}
	}
	return nil
}

// subdir creates the directory entry names in parent, writes its tree
// into it, then makes it read-only (it could not be written into after).
func (e *exporter) subdir(parent *os.Root, p string, entry object.TreeEntry, depth int) error {
	t, err := object.GetTree(e.st, entry.Hash)
	if err != nil {
		return fmt.Errorf("tree %s: %w", p, err)
	}
	if err := parent.Mkdir(entry.Name, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			e.skip(p, "duplicate entry name: not exported")
			return nil
		}
		return fmt.Errorf("export: %w", err)
	}
	sub, err := parent.OpenRoot(entry.Name)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = e.dir(t, sub, p, depth)
	sub.Close()
	if err != nil {
		return err
	}
	if err := parent.Chmod(entry.Name, 0o555); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func (e *exporter) file(dir *os.Root, p string, entry object.TreeEntry) error {
	if e.files >= e.limits.MaxFiles {
		if !e.full {
			e.full = true
			e.skip("", fmt.Sprintf("file-count cap of %d reached: later files not exported", e.limits.MaxFiles))
		}
		return nil
	}
	size, err := e.st.EncodedObjectSize(entry.Hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		e.skip(p, "file larger than the fetch size limit: not downloaded, not exported")
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob %s: %w", p, err)
	}
	switch {
	case size > e.limits.MaxFileBytes:
		e.skip(p, fmt.Sprintf("file is %d bytes, over the per-file cap of %d: not exported", size, e.limits.MaxFileBytes))
		return nil
	case e.bytes+size > e.limits.MaxTotalBytes:
		e.skip(p, fmt.Sprintf("total size cap of %d bytes reached: not exported", e.limits.MaxTotalBytes))
		return nil
	}
	b, err := object.GetBlob(e.st, entry.Hash)
	if err != nil {
		return fmt.Errorf("blob %s: %w", p, err)
	}
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("blob %s: %w", p, err)
	}
	defer r.Close()
	perm := fs.FileMode(0o444)
	if entry.Mode == filemode.Executable {
		perm = 0o555
	}
	// Created with its final mode: writing through the descriptor that
	// created the file is allowed, and no chmod can be raced.
	f, err := dir.OpenFile(entry.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			e.skip(p, "duplicate entry name: not exported")
			return nil
		}
		return fmt.Errorf("export: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, e.limits.MaxFileBytes))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", p, err)
	}
	e.files++
	e.bytes += n
	return nil
}

// unsafeName says why a tree entry name must not become a file name, or
// "" when it may.
func unsafeName(name string) string {
	switch {
	case name == "" || name == "." || name == "..":
		return "empty, \".\" or \"..\" entry name: not exported"
	case strings.ContainsAny(name, `/\`):
		return "entry name with a path separator: not exported"
	case !utf8.ValidString(name):
		return "entry name is not valid UTF-8: not exported"
	case strings.EqualFold(name, ".git"):
		return "\".git\" entry: not exported"
	case len(name) > maxExportNameBytes:
		return fmt.Sprintf("entry name longer than %d bytes: not exported", maxExportNameBytes)
	}
	for _, r := range name {
		if unicode.IsControl(r) || isFormatRune(r) {
			return "entry name with control or format characters: not exported"
		}
	}
	return ""
}

// maxExportNameBytes is the longest file name common file systems take
// (ext4, xfs, btrfs, APFS): git has no such limit, and one longer name
// must cost only itself, not the whole copy.
const maxExportNameBytes = 255

// RemoveExport deletes a directory ExportTree wrote, read-only parts
// included. It does not follow symlinks.
func RemoveExport(dst string) error {
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o700)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dst)
}
