package updater

import (
	"context"
	"io/fs"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// The pass declares the small interfaces it needs from gitops, so tests
// can hand it fakes and gitops stays free to grow.

// resolver finds what an upstream's followed ref points at now.
type resolver interface {
	Resolve(ctx context.Context, u upstream.Upstream) (upstream.Resolution, error)
}

// history reads upstream history through the local cache.
type history interface {
	Range(ctx context.Context, q upstream.RangeQuery) (*ranges.Range, error)
	FullRange(ctx context.Context, q upstream.RangeQuery) (*ranges.Range, error)
	NewestBefore(ctx context.Context, project, ref, head string, cutoff time.Time) (string, time.Time, error)
	IsAncestor(ctx context.Context, project, ref, ancestor, descendant string) (bool, error)
	CommitTime(ctx context.Context, project, ref, sha string) (time.Time, error)
	CheckBuild(ctx context.Context, project, ref, base, head string, in upstream.BuildInputs) (upstream.BuildCheck, error)
	Checkout(ctx context.Context, project, base, head, dst string) ([]ranges.Skip, error)
}

// forge is the registry repository's pull requests and checks.
type forge interface {
	ListPulls(ctx context.Context, headPrefix string) ([]github.PullRequest, error)
	CreatePull(ctx context.Context, p github.NewPull) (github.PullRequest, error)
	EditPull(ctx context.Context, number int, title, body string) error
	ClosePull(ctx context.Context, number int, comment string) error
	ClosedBy(ctx context.Context, number int) (string, error)
	DeleteBranch(ctx context.Context, branch string) error
	AddLabels(ctx context.Context, number int, labels []string) error
	RequestPeople(ctx context.Context, number int, reviewers, assignees []string) error
	RemoveLabel(ctx context.Context, number int, label string) error
	UpsertComment(ctx context.Context, number int, marker, body string) error
	// PutComment is UpsertComment returning the comment's web address.
	PutComment(ctx context.Context, number int, marker, body string) (string, error)
	CommentBody(ctx context.Context, number int, marker string) (string, error)
	PublishCheck(ctx context.Context, c github.Check) error
	Dispatch(ctx context.Context, repo, eventType string, payload any) error
	WriteBranchViaAPI(ctx context.Context, w github.BranchWrite) (string, error)
}

// merger is what the merge step needs beyond forge: a pull request's
// mergeability, the checks on its head, the checks branch protection
// requires, and the merge guarded by the head SHA.
type merger interface {
	GetPull(ctx context.Context, number int) (github.PullRequest, error)
	HeadChecks(ctx context.Context, sha string) ([]github.CheckState, error)
	RequiredChecks(ctx context.Context, branch string) ([]string, error)
	MergePull(ctx context.Context, number int, sha, method, title string) error
}

// registryRemote is the registry repository's base branch and the bot's
// branches, read from one fetch, written by push.
type registryRemote interface {
	BaseTip() string
	ReadFile(commit, path string) ([]byte, bool, error)
	// FS is the registry's tree at commit, for registry.LoadFS.
	FS(commit string) (fs.FS, error)
	Branch(name string) (github.BranchInfo, bool)
	WriteBranch(ctx context.Context, w github.BranchWrite) (string, error)
}

// deps are the pass's connections to the world; nil members are not
// available (a dry run without GitHub has no forge and no remote).
type deps struct {
	resolver resolver
	history  history
	releases releaseReader // GitHub releases of upstreams on the API's host; nil without GitHub
	forge    forge
	merger   merger // nil: the merge step does not run
	remote   registryRemote
	issues   issueTracker // nil: no dashboard (dashboardstep.go)
	stats    func() *APIStats
}
