package review

import (
	"sync"
	"syscall"
)

var undumpable sync.Once

// protectEnvironment makes the bot's process non-dumpable before its first
// agent starts. Linux then lets only privileged processes read its
// /proc/<pid>/environ and memory, where a token given at start remains
// even after the agent's own environment was scrubbed. It also disables
// core dumps and same-user ptrace of the bot, which a bot does not need.
func protectEnvironment() {
	undumpable.Do(func() {
		const prSetDumpable = 4
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
	})
}
