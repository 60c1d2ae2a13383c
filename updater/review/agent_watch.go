package review

import (
	"errors"
	"io/fs"
	"path/filepath"
	"time"
)

// outputDirPoll is how often RunAgent measures the output directory: the
// one host directory an agent writes, so the one it could fill the disk
// through, a file at a time each under the file size cap.
const outputDirPoll = 100 * time.Millisecond

// entryBytes is what each file or directory counts for besides its
// contents, so that a flood of empty files is capped too.
const entryBytes = 4096

// watchOutputDir calls stop once the tree under dir holds more than limit
// bytes, checking every outputDirPoll until done is closed. Between two
// checks an agent can write at most what its disk takes in outputDirPoll.
func watchOutputDir(dir string, limit int64, stop func(), done <-chan struct{}) {
	tick := time.NewTicker(outputDirPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if treeBytes(dir, limit) > limit {
				stop()
				return
			}
		}
	}
}

// treeBytes is the size of the regular files under dir plus entryBytes per
// entry, counted only until it passes limit: the walk is bounded by
// limit/entryBytes entries however many the agent made.
func treeBytes(dir string, limit int64) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			// What cannot be walked (a tree past PATH_MAX, a directory
			// made unreadable) cannot be measured: it counts as over.
			total = limit + 1
			return fs.SkipAll
		}
		total += entryBytes
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		if total > limit {
			return fs.SkipAll
		}
		return nil
	})
	return total
}
