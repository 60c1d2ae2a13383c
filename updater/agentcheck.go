package updater

import (
	"context"

	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/review"
)

// checkAgentSandbox is the start-up check of run, daemon and review: when
// the agent reviewer will run in bubblewrap, bubblewrap must work here
// before any server is looked at. A failure is a usage error (exit 2)
// saying what to install or allow.
func checkAgentSandbox(ctx context.Context, mode ReviewMode, a AgentOptions) error {
	if mode != ReviewCommand || a.Sandbox != agentbox.Bwrap {
		return nil
	}
	if err := review.CheckSandbox(ctx); err != nil {
		return Usagef("--review command: %w", err)
	}
	return nil
}
