//go:build !linux

package review

// protectEnvironment has nothing to do where /proc/<pid>/environ does not
// exist; other systems guard a process's environment by user already.
func protectEnvironment() {}
