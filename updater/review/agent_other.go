//go:build !unix

package review

import "os/exec"

// Without process groups only the shell itself is killed on timeout; the
// agent reviewer is meant to run on Unix (GitHub Actions runners, containers).
func isolateProcess(cmd *exec.Cmd, uid int, writable ...string) error { return nil }

func agentUser(sandboxed, runAsRoot bool) int { return -1 }

func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}

const openNoFollow = 0
