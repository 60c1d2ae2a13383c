package updater

import (
	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/inference"
)

// AgentOptions are how the agent reviewer (--review command) runs.
type AgentOptions struct {
	// Sandbox contains each agent run; the zero value is bwrap.
	Sandbox agentbox.Mode
	// Limits are the sandbox's resource caps; zero fields take
	// agentbox's defaults.
	Limits agentbox.Limits
	// Tools are directories bound read-only into the sandbox (an agent
	// CLI installed with npm --prefix).
	Tools []string
	// Inference is the per-review proxy the agent reaches its model
	// through; nil gives the agent no model access.
	Inference *inference.Config
	// FullReview runs the agent on the whole range every time; otherwise
	// it runs once per head, and on the new commits only when the head
	// moved (see review.AgentRecord).
	FullReview bool
}
