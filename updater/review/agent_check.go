package review

import (
	"context"
	"os/exec"

	"github.com/mcp-registry/updater/updater/agentbox"
)

// CheckSandbox runs a trivial sandbox (/bin/true under the same
// namespaces, caps and user as an agent's) so that a bot configured for the
// sandboxed agent finds out at start, once, that bubblewrap cannot work
// here, instead of failing every pull request's review.
func CheckSandbox(ctx context.Context) error {
	uid := agentUser(true, false)
	return agentbox.Probe(ctx, func(cmd *exec.Cmd) error { return isolateProcess(cmd, uid) })
}
