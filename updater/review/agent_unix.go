//go:build unix

package review

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// nobody is the user an agent runs as when the bot runs as root.
const nobody = 65534

// isolateProcess puts the agent in a process group of its own, and makes
// cancelling the command (timeout, ctx) kill that whole group: the shell,
// the agent and anything it started.
//
// When the bot runs as root (and runAsRoot is false) the agent runs as
// nobody, so it can read neither the bot's environment (/proc/<pid>/environ,
// where a token passed at start stays) nor its files; the directories it
// must write are handed to nobody first.
func isolateProcess(cmd *exec.Cmd, runAsRoot bool, writable ...string) error {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 && !runAsRoot {
		for _, d := range writable {
			if err := os.Chown(d, nobody, nobody); err != nil {
				return fmt.Errorf("agent reviewer: %w", err)
			}
		}
		attr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody}
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
