//go:build unix

package review

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
)

// nobody is the user an unsandboxed agent runs as when the bot runs as
// root.
const nobody = 65534

// sandboxUIDBase starts the user ids a root bot gives its sandboxes: far
// above any account or container subordinate range.
const sandboxUIDBase = 2_000_000_000

var sandboxSeq atomic.Uint32

// agentUser is who a root bot runs an agent (or its sandbox) as: nobody
// for an unsandboxed agent, and for a sandbox a user id of its own that no
// file or process on the host has, so nothing else (another review, a
// process running as nobody) can reach its private directory. -1 keeps
// the bot's own user: a non-root bot, or RunAsRoot.
func agentUser(sandboxed, runAsRoot bool) int {
	switch {
	case os.Geteuid() != 0 || runAsRoot:
		return -1
	case !sandboxed:
		return nobody
	}
	return sandboxUIDBase + (os.Getpid()%100_000)*1000 + int(sandboxSeq.Add(1)%1000)
}

// isolateProcess puts the agent in a process group of its own, and makes
// cancelling the command (timeout, ctx) kill that whole group: the shell
// (or bwrap), the agent and anything it started in that group.
//
// With uid >= 0 (a root bot) the command runs as that user and group, so
// it can read neither the bot's environment (/proc/<pid>/environ, where a
// token passed at start stays) nor its files; the directories it must
// write are handed to that user first.
func isolateProcess(cmd *exec.Cmd, uid int, writable ...string) error {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if uid >= 0 {
		for _, d := range writable {
			if err := os.Chown(d, uid, uid); err != nil {
				return fmt.Errorf("agent reviewer: %w", err)
			}
		}
		attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}
	}
	cmd.SysProcAttr = attr
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	return nil
}

// killProcessGroup sends SIGKILL to the agent's process group. The group
// id is the leader's pid, which the kernel does not reuse while the group
// has members.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		if err == syscall.ESRCH {
			return os.ErrProcessDone
		}
		return err
	}
	return nil
}

// openNoFollow opens a file the agent wrote without following a symlink
// and without blocking on a FIFO swapped in after the Lstat.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
