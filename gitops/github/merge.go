package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/registry/valid"
)

// What merging needs from GitHub: one pull request with its mergeability,
// the checks and statuses on its head commit, the checks branch protection
// requires, and the merge itself, guarded by the head SHA.

// ErrHeadMoved is MergePull's answer when the pull request's head is no
// longer the SHA the merge was decided on (GitHub's 409): nothing merged.
var ErrHeadMoved = errors.New("the head moved since the merge was decided")

// ErrNotMergeable is MergePull's answer when GitHub refuses the merge
// (405: conflicts, protection rules, not open): nothing merged.
var ErrNotMergeable = errors.New("GitHub says the pull request is not mergeable")

// CheckKind says whether a CheckState is a check run or a commit status.
type CheckKind string

const (
	CheckRun     CheckKind = "check run"
	CommitStatus CheckKind = "status"
)

// CheckState is the latest check run of one name, or the latest commit
// status of one context, on a commit.
type CheckState struct {
	Kind       CheckKind
	Name       string // check run name or status context
	App        string // slug of the GitHub App that made a check run
	Completed  bool   // check run completed, or status not pending
	Conclusion string // check run conclusion, or status state (success, failure, error)
	Title      string // check run output title, or status description
}

// GetPull reads one pull request, with GitHub's mergeability verdict.
func (g *GitHub) GetPull(ctx context.Context, number int) (PullRequest, error) {
	pr, _, err := g.client.PullRequests.Get(ctx, g.owner, g.name, number)
	if err != nil {
		return PullRequest{}, g.fail(fmt.Sprintf("get pull request #%d", number), err)
	}
	return fromGitHubPull(pr), nil
}

// HeadChecks returns the latest check run per name and the latest commit
// status per context on sha.
func (g *GitHub) HeadChecks(ctx context.Context, sha string) ([]CheckState, error) {
	op := "list checks on " + sha
	if !valid.FullSHA(sha) {
		return nil, g.fail(op, errors.New("not a full commit SHA"))
	}
	var out []CheckState
	runOpts := &github.ListCheckRunsOptions{Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: listPageSize}}
	err := eachPage(&runOpts.ListOptions, func() (*github.Response, bool, error) {
		res, resp, err := g.client.Checks.ListCheckRunsForRef(ctx, g.owner, g.name, sha, runOpts)
		if err != nil {
			return nil, false, err
		}
		for _, r := range res.CheckRuns {
			out = append(out, CheckState{
				Kind: CheckRun, Name: r.GetName(), App: r.GetApp().GetSlug(),
				Completed: r.GetStatus() == "completed", Conclusion: r.GetConclusion(), Title: r.GetOutput().GetTitle(),
			})
		}
		return resp, true, nil
	})
	if err != nil {
		return nil, g.fail(op, err)
	}
	seen := map[string]bool{}
	stOpts := &github.ListOptions{PerPage: listPageSize}
	err = eachPage(stOpts, func() (*github.Response, bool, error) {
		statuses, resp, err := g.client.Repositories.ListStatuses(ctx, g.owner, g.name, sha, stOpts)
		if err != nil {
			return nil, false, err
		}
		for _, s := range statuses { // newest first: the first of a context wins
			if seen[s.GetContext()] {
				continue
			}
			seen[s.GetContext()] = true
			out = append(out, CheckState{
				Kind: CommitStatus, Name: s.GetContext(), Completed: s.GetState() != "pending",
				Conclusion: s.GetState(), Title: s.GetDescription(),
			})
		}
		return resp, true, nil
	})
	if err != nil {
		return nil, g.fail(op, err)
	}
	return out, nil
}

// RequiredChecks returns the check names branch protection requires on
// branch; a branch without protection (404) requires none.
func (g *GitHub) RequiredChecks(ctx context.Context, branch string) ([]string, error) {
	op := "required checks of " + branch
	if err := validBranch(branch); err != nil {
		return nil, g.fail(op, err)
	}
	rc, _, err := g.client.Repositories.GetRequiredStatusChecks(ctx, g.owner, g.name, branch)
	if errors.Is(err, github.ErrBranchNotProtected) || statusOf(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, g.fail(op, err)
	}
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	if rc.Contexts != nil {
		for _, c := range *rc.Contexts {
			add(c)
		}
	}
	if rc.Checks != nil {
		for _, c := range *rc.Checks {
			add(c.Context)
		}
	}
	return out, nil
}

// MergePull merges pull request number if and only if its head is still
// sha, with method (squash, merge or rebase). A moved head is ErrHeadMoved
// and a refusal ErrNotMergeable, both wrapped: nothing was merged. The
// request is not retried blindly: a merge GitHub did but whose answer was
// lost would come back as 405 (already merged), which the caller re-reads.
func (g *GitHub) MergePull(ctx context.Context, number int, sha, method, title string) error {
	op := fmt.Sprintf("merge pull request #%d", number)
	if !valid.FullSHA(sha) {
		return g.fail(op, errors.New("head is not a full commit SHA"))
	}
	_, _, err := g.client.PullRequests.Merge(ctx, g.owner, g.name, number, "", &github.PullRequestOptions{
		SHA: sha, MergeMethod: method, CommitTitle: title,
	})
	switch statusOf(err) {
	case 0:
		if err != nil {
			return g.fail(op, err)
		}
		return nil
	case http.StatusConflict:
		return g.fail(op, ErrHeadMoved)
	case http.StatusMethodNotAllowed:
		return g.fail(op, ErrNotMergeable)
	}
	return g.fail(op, err)
}
