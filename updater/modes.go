package updater

// ReviewMode is which reviewer a pass runs (--review).
type ReviewMode string

// Review modes.
const (
	ReviewBuiltin  ReviewMode = "builtin"  // the built-in rules
	ReviewCommand  ReviewMode = "command"  // the rules plus the sandboxed agent command
	ReviewDispatch ReviewMode = "dispatch" // the rules, then a repository_dispatch to an external reviewer
	ReviewOff      ReviewMode = "off"      // no review
)

// CommitVia is how a bump's commit reaches the registry (--commit-via).
type CommitVia string

// Commit paths.
const (
	CommitViaGit CommitVia = "git" // pushed with go-git
	CommitViaAPI CommitVia = "api" // the Git Data API: commits GitHub signs as verified
)

// PROutcome is what a pass did, or in a dry run would do, about a
// server's pull request: pr.outcome in the --json report.
type PROutcome string

// PR outcomes: every value pr.outcome can take.
const (
	PROpened            PROutcome = "opened"
	PRUpdated           PROutcome = "updated"
	PRUnchanged         PROutcome = "unchanged"
	PRClosed            PROutcome = "closed"
	PRHeld              PROutcome = "held"
	PRDeferred          PROutcome = "deferred"
	PRDeletedBranch     PROutcome = "deleted-branch"
	PRWouldOpen         PROutcome = "would-open"
	PRWouldUpdate       PROutcome = "would-update"
	PRWouldClose        PROutcome = "would-close"
	PRWouldDeleteBranch PROutcome = "would-delete-branch"
)
