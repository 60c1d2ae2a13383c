package updater

import (
	"time"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// Action is what a pass decided for one server.
type Action string

const (
	ActionUpToDate Action = "up-to-date" // the pin is the upstream head
	ActionBump     Action = "bump"       // the pin moves Current -> Target
	ActionHeld     Action = "held"       // a bump exists but waits: cooldown, or a maintainer closed its PR
	ActionDeferred Action = "deferred"   // a bump exists but this pass's caps (or rate limits) leave it for the next
	ActionFrozen   Action = "frozen"     // the followed ref cannot move (pull request ref, ref gone upstream)
	ActionSkipped  Action = "skipped"    // not a pinned, locally built server
	ActionError    Action = "error"      // this server failed; the others went on
)

// Decision is one server's line in the report. Field names are the
// documented JSON contract of `updater run --json`.
type Decision struct {
	Server  string `json:"server"`
	Path    string `json:"path,omitempty"`
	Action  Action `json:"decision"`
	Current string `json:"current,omitempty"` // the pin now
	Latest  string `json:"latest,omitempty"`  // what the followed ref points at upstream
	Target  string `json:"target,omitempty"`  // the commit proposed (Latest, or older under --min-age)
	Ref     string `json:"ref,omitempty"`     // the full upstream ref followed
	Branch  string `json:"branch,omitempty"`  // the new source.branch, when a tag-tracking server moves to a newer tag
	Detail  string `json:"detail,omitempty"`  // why, in words
	// Directory and Dockerfile are the new source.directory and
	// source.dockerfile when the server's directory moved upstream: the
	// bump rewrites them with the commit.
	Directory  string `json:"directory,omitempty"`
	Dockerfile string `json:"dockerfile,omitempty"`
	// TagMoved is set when the tag source.branch names points at another
	// commit than the pin: a published release was replaced upstream.
	TagMoved *review.TagMove `json:"tag_moved,omitempty"`

	Commits int `json:"commits,omitempty"` // commits in Current..Target, when inspected

	PR     *PRResult     `json:"pr,omitempty"`
	Review *ReviewResult `json:"review,omitempty"`
	// Preview is the PR a dry run would send (--preview, or --dry-run
	// with --server): see PRPlan.
	Preview *PRPlan `json:"preview,omitempty"`
	// Publisher is who publishes the code and how far the registry's
	// .github/updater.yaml trusts them; absent without that file.
	Publisher *config.Publisher `json:"publisher,omitempty"`
	// Merge is the auto-merge step's verdict on the server's open PR.
	Merge *MergeVerdict `json:"merge,omitempty"`

	// CoolingUntil is when a held bump becomes eligible under --min-age.
	CoolingUntil *time.Time `json:"cooling_until,omitempty"`

	project    string
	upstream   string // source.upstream, for a fork
	directory  string
	dockerfile string
	oldBranch  string
	res        upstream.Resolution // what the upstream said, for re-planning against the base branch
}

// PRResult is what the pass did (or, dry, would do) about the server's PR.
type PRResult struct {
	Number int    `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	// Outcome is one of the PR* constants: opened, updated, unchanged,
	// closed, held, deferred, deleted-branch, would-open, would-update,
	// would-close, would-delete-branch.
	Outcome PROutcome `json:"outcome"`
	Pushed  bool      `json:"pushed,omitempty"`
}

// ReviewResult is the differential review's verdict on a bump.
type ReviewResult struct {
	Risk     string `json:"risk"`
	Blocked  bool   `json:"blocked,omitempty"`
	Findings int    `json:"findings"`          // not counting allowed ones
	Allowed  int    `json:"allowed,omitempty"` // findings the registry's allow-list accepted
	Check    string `json:"check,omitempty"`   // success, neutral or failure
	Report   string `json:"report,omitempty"`
}

// failed reports whether the decision counts toward exit code 1.
func (d *Decision) failed() bool { return d.Action == ActionError }

// reviewDirectory is the server's directory at the new pin: where the
// review looks, after a move.
func (d *Decision) reviewDirectory() string {
	if d.Directory != "" {
		return d.Directory
	}
	return d.directory
}

// reviewDockerfile is source.dockerfile as of the new pin.
func (d *Decision) reviewDockerfile() string {
	if d.Dockerfile != "" {
		return d.Dockerfile
	}
	return d.dockerfile
}
