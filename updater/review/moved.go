package review

import "github.com/mcp-registry/updater/gitops/upstream/ranges"

// movedUnchanged reports whether f is a file moved or copied without a
// change: nothing to review that the old pin's review did not see. A
// binary file is only ever paired with an identical one.
func movedUnchanged(f *ranges.FileChange) bool {
	return f.OldPath != "" && (f.Binary || f.Added == 0 && f.Removed == 0)
}
