package registry

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// serversDir is the directory of the registry root that holds one
// directory per server.
const serversDir = "servers"

// ServerPath is the slash path of a server's file relative to the registry
// root.
func ServerPath(name string) string { return serversDir + "/" + name + "/server.yaml" }

// Load reads every servers/*/server.yaml under root, in name order, with
// LoadFS's checks. Errors about the root as a whole name it.
//
// Files are opened through an os.Root, so nothing outside root is read
// whatever the symlinks say.
func Load(root string) ([]*File, []error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, []error{fmt.Errorf("registry %s: %w", root, err)}
	}
	defer r.Close()
	files, errs := LoadFS(r.FS())
	for i, err := range errs {
		if _, ok := err.(*FileError); !ok {
			errs[i] = fmt.Errorf("registry %s: %w", root, err)
		}
	}
	return files, errs
}

// LoadFS reads every servers/*/server.yaml of the registry whose root is
// fsys (a checkout, or a commit of the registry repository), in name
// order. Each bad entry yields one *FileError and the rest still load. A
// registry that cannot be used at all (no servers/ directory, unreadable)
// yields a single error that is not a *FileError.
//
// Symlinked server directories and files are refused outright, since
// they would let two servers share a file or one file change behind the
// directory's back.
func LoadFS(fsys fs.FS) ([]*File, []error) {
	fi, err := fs.Stat(fsys, serversDir)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%s is not a directory", serversDir)
	}
	if err != nil {
		return nil, []error{fmt.Errorf("no %s directory: %w", serversDir, err)}
	}
	entries, err := fs.ReadDir(fsys, serversDir)
	if err != nil {
		return nil, []error{fmt.Errorf("reading %s: %w", serversDir, err)}
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })

	var files []*File
	var errs []error
	for _, e := range entries {
		// Plain files beside the server directories (a licence, a README)
		// are not servers.
		if e.Type().IsRegular() {
			continue
		}
		f, err := loadServer(fsys, e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, f)
	}
	return files, errs
}

// LoadFile reads the one server called name under root with Load's checks.
// An unknown server is an error wrapping fs.ErrNotExist; a bad file is a
// *FileError; an unusable root is any other error.
func LoadFile(root, name string) (*File, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("%q is not a valid server name", name)
	}
	r, err := openRegistry(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if _, err := r.Lstat(serversDir + "/" + name); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("server %q: no %s/%s in registry %s: %w", name, serversDir, name, root, fs.ErrNotExist)
	}
	f, err := loadServer(r.FS(), name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// openRegistry opens root and checks that it holds a servers directory.
func openRegistry(root string) (*os.Root, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", root, err)
	}
	fi, err := r.Stat(serversDir)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%s is not a directory", serversDir)
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("registry %s: no %s directory: %w", root, serversDir, err)
	}
	return r, nil
}

// loadServer reads and parses servers/<name>/server.yaml. Every error is a
// *FileError.
func loadServer(fsys fs.FS, name string) (*File, error) {
	// Every error names the server.yaml, even when its directory is the
	// problem, so that callers can tell the server from the path alone.
	dir := serversDir + "/" + name
	p := ServerPath(name)
	if !ValidName(name) {
		return nil, &FileError{Path: p, Err: fmt.Errorf("directory name %q is not a valid server name", name)}
	}
	if fi, err := fs.Lstat(fsys, dir); err != nil {
		return nil, &FileError{Path: p, Err: unwrapPathError(err)}
	} else if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &FileError{Path: p, Err: fmt.Errorf("%s is a symlink; a server directory must be a real directory", dir)}
	} else if !fi.IsDir() {
		return nil, &FileError{Path: p, Err: fmt.Errorf("%s is not a directory", dir)}
	}
	raw, err := readRegular(fsys, p)
	if err != nil {
		return nil, &FileError{Path: p, Err: err}
	}
	return Parse(p, raw)
}

// readRegular reads the regular file p, at most MaxFileSize bytes, refusing
// symlinks and anything that is not a plain file (a FIFO would block).
func readRegular(fsys fs.FS, p string) ([]byte, error) {
	fi, err := fs.Lstat(fsys, p)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, errors.New("is a symlink; a server.yaml must be a regular file")
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("is not a regular file")
	}
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit", fi.Size(), MaxFileSize)
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	// The file may have been swapped since Lstat: check what was opened,
	// and read one byte past the limit to notice growth.
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("is not a regular file")
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("file is over the %d-byte limit", MaxFileSize)
	}
	return raw, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose path is the one
// inside the os.Root; the FileError around it names the file already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
