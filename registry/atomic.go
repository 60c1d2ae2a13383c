package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces the file at path with data so that a reader, or
// a crash, sees either the old bytes or the new ones and never a mix: it
// writes a temporary file in the same directory, syncs it and renames it
// over path. An existing file keeps its permission bits; a new one gets
// 0644. A symlink at path is refused rather than replaced.
func WriteFileAtomic(path string, data []byte) (err error) {
	mode := fs.FileMode(0o644)
	switch fi, err := os.Lstat(path); {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("write %s: is a symlink", path)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file", path)
	case err == nil:
		mode = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", path, err)
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Make the rename itself durable. The new content is in place whatever
	// this returns, so a failure here (some filesystems cannot sync a
	// directory) is not reported as a failed write.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
