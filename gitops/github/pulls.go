package github

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/registry/valid"
)

// PullRequest is what the bot needs to know about one of its pull requests.
type PullRequest struct {
	Number    int
	State     string // open or closed
	Merged    bool
	Title     string
	Body      string
	Head      string // branch name in the registry repository
	HeadSHA   string
	Base      string
	BaseSHA   string // the base branch's commit GitHub compares the head with
	URL       string
	Labels    []string
	User      string // login of the creator
	UpdatedAt time.Time
	CreatedAt time.Time
	ClosedAt  time.Time // zero while open
	Draft     bool
	// Mergeable is GitHub's verdict, only in a single pull request's
	// answer (GetPull); nil while GitHub computes it, and in listings.
	Mergeable *bool
}

// NewPull is a pull request to open from Head onto Base.
type NewPull struct {
	Title, Body, Head, Base string
	Labels                  []string
	// Reviewers (logins, or org/team for a team) and Assignees are
	// requested once the PR is open: see RequestPeople.
	Reviewers, Assignees []string
}

// validBranch rejects branch names git would refuse, before they reach a
// URL or a refspec.
func validBranch(name string) error {
	if !valid.RefName(name) {
		return fmt.Errorf("invalid branch name %q", name)
	}
	return nil
}

// DefaultBranch returns the registry repository's default branch (asked
// once, then remembered).
func (g *GitHub) DefaultBranch(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.defaultBranch != "" {
		return g.defaultBranch, nil
	}
	repo, _, err := g.client.Repositories.Get(ctx, g.owner, g.name)
	if err != nil {
		return "", g.fail("get repository", err)
	}
	branch := repo.GetDefaultBranch()
	if err := validBranch(branch); err != nil {
		return "", g.fail("default branch", err)
	}
	g.defaultBranch = branch
	return branch, nil
}

// ListPulls returns the pull requests in every state whose head branch is
// in the registry repository itself and starts with headPrefix, newest
// first. It pages through all pull requests, 100 per request, so one pass
// knows every server's PR with a handful of calls rather than one per
// server.
func (g *GitHub) ListPulls(ctx context.Context, headPrefix string) ([]PullRequest, error) {
	opts := &github.PullRequestListOptions{
		State: "all", Sort: "created", Direction: "desc",
		ListOptions: github.ListOptions{PerPage: listPageSize},
	}
	full := g.owner + "/" + g.name
	var out []PullRequest
	err := eachPage(&opts.ListOptions, func() (*github.Response, bool, error) {
		prs, resp, err := g.client.PullRequests.List(ctx, g.owner, g.name, opts)
		if err != nil {
			return nil, false, err
		}
		for _, pr := range prs {
			// A fork's branch can have any name: only branches of the
			// registry repository itself are the bot's.
			if !strings.EqualFold(pr.GetHead().GetRepo().GetFullName(), full) || !strings.HasPrefix(pr.GetHead().GetRef(), headPrefix) {
				continue
			}
			out = append(out, fromGitHubPull(pr))
		}
		return resp, true, nil
	})
	if err != nil {
		return nil, g.fail("list pull requests", err)
	}
	slices.SortStableFunc(out, func(a, b PullRequest) int { return b.Number - a.Number })
	return out, nil
}

func fromGitHubPull(pr *github.PullRequest) PullRequest {
	p := PullRequest{
		Number:    pr.GetNumber(),
		State:     pr.GetState(),
		Merged:    pr.GetMerged() || pr.MergedAt != nil,
		Title:     pr.GetTitle(),
		Body:      pr.GetBody(),
		Head:      pr.GetHead().GetRef(),
		HeadSHA:   pr.GetHead().GetSHA(),
		Base:      pr.GetBase().GetRef(),
		BaseSHA:   pr.GetBase().GetSHA(),
		URL:       pr.GetHTMLURL(),
		User:      pr.GetUser().GetLogin(),
		UpdatedAt: pr.GetUpdatedAt().Time,
		CreatedAt: pr.GetCreatedAt().Time,
		ClosedAt:  pr.GetClosedAt().Time,
		Draft:     pr.GetDraft(),
		Mergeable: pr.Mergeable,
	}
	for _, l := range pr.Labels {
		p.Labels = append(p.Labels, l.GetName())
	}
	return p
}

// CreatePull opens a pull request and labels it. When GitHub says one is
// already open for the head branch (a previous pass, or a retried request
// GitHub had acted on), it returns that one instead: the bot can never
// hold two open PRs for one branch.
func (g *GitHub) CreatePull(ctx context.Context, p NewPull) (PullRequest, error) {
	if err := validBranch(p.Head); err != nil {
		return PullRequest{}, g.fail("create pull request", err)
	}
	if err := validBranch(p.Base); err != nil {
		return PullRequest{}, g.fail("create pull request", err)
	}
	op := "create pull request for " + p.Head
	pr, _, err := g.client.PullRequests.Create(withRetrySafe(ctx), g.owner, g.name, &github.NewPullRequest{
		Title: &p.Title, Head: &p.Head, Base: &p.Base, Body: &p.Body,
	})
	if err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity || !errorMentions(err, "already exists") {
			return PullRequest{}, g.fail(op, err)
		}
		existing, found, ferr := g.openPullFor(ctx, p.Head)
		if ferr != nil {
			return PullRequest{}, ferr
		}
		if !found {
			return PullRequest{}, g.fail(op, fmt.Errorf("GitHub says a pull request exists but lists none open: %w", err))
		}
		return existing, g.AddLabels(ctx, existing.Number, missing(p.Labels, existing.Labels))
	}
	created := fromGitHubPull(pr)
	if err := g.AddLabels(ctx, created.Number, p.Labels); err != nil {
		return created, err
	}
	created.Labels = mergeLabels(created.Labels, p.Labels)
	return created, nil
}

// openPullFor finds the open pull request whose head is branch.
func (g *GitHub) openPullFor(ctx context.Context, branch string) (PullRequest, bool, error) {
	prs, _, err := g.client.PullRequests.List(ctx, g.owner, g.name, &github.PullRequestListOptions{
		State: "open", Head: g.owner + ":" + branch,
	})
	if err != nil {
		return PullRequest{}, false, g.fail("find the open pull request for "+branch, err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == branch {
			return fromGitHubPull(pr), true, nil
		}
	}
	return PullRequest{}, false, nil
}

// EditPull sets the title and body of a pull request.
func (g *GitHub) EditPull(ctx context.Context, number int, title, body string) error {
	_, _, err := g.client.PullRequests.Edit(withRetrySafe(ctx), g.owner, g.name, number,
		&github.PullRequest{Title: &title, Body: &body})
	if err != nil {
		return g.fail(fmt.Sprintf("edit pull request #%d", number), err)
	}
	return nil
}

// ClosePull leaves comment (when not empty) and closes the pull request.
// A pull request already closed is left alone, comment included, and a
// comment the bot already left is not left again, so a pass that died
// half-way does not comment twice.
func (g *GitHub) ClosePull(ctx context.Context, number int, comment string) error {
	op := fmt.Sprintf("close pull request #%d", number)
	pr, _, err := g.client.PullRequests.Get(ctx, g.owner, g.name, number)
	if err != nil {
		return g.fail(op, err)
	}
	if pr.GetState() == "closed" {
		return nil
	}
	if comment != "" {
		said, err := g.findComment(ctx, number, comment, pr.GetUser().GetLogin())
		if err != nil {
			return g.fail(op, err)
		}
		if said == nil {
			if _, _, err := g.client.Issues.CreateComment(ctx, g.owner, g.name, number,
				&github.IssueComment{Body: &comment}); err != nil {
				return g.fail(op, err)
			}
		}
	}
	closed := "closed"
	if _, _, err := g.client.PullRequests.Edit(withRetrySafe(ctx), g.owner, g.name, number,
		&github.PullRequest{State: &closed}); err != nil {
		return g.fail(op, err)
	}
	return nil
}

// DeleteBranch deletes a branch of the registry repository; a branch that
// is already gone is success.
func (g *GitHub) DeleteBranch(ctx context.Context, branch string) error {
	if err := validBranch(branch); err != nil {
		return g.fail("delete branch", err)
	}
	_, err := g.client.Git.DeleteRef(ctx, g.owner, g.name, "heads/"+branch)
	switch {
	case err == nil:
		return nil
	case statusOf(err) == http.StatusNotFound,
		statusOf(err) == http.StatusUnprocessableEntity && errorMentions(err, "reference does not exist"):
		return nil
	}
	return g.fail("delete branch "+branch, err)
}

// AddLabels adds labels to a pull request (GitHub creates unknown ones).
func (g *GitHub) AddLabels(ctx context.Context, number int, labels []string) error {
	if len(labels) == 0 {
		return nil
	}
	if _, _, err := g.client.Issues.AddLabelsToIssue(withRetrySafe(ctx), g.owner, g.name, number, labels); err != nil {
		return g.fail(fmt.Sprintf("label pull request #%d", number), err)
	}
	return nil
}

// RemoveLabel removes a label from a pull request; an absent label is
// success.
func (g *GitHub) RemoveLabel(ctx context.Context, number int, label string) error {
	_, err := g.client.Issues.RemoveLabelForIssue(ctx, g.owner, g.name, number, label)
	if err == nil || statusOf(err) == http.StatusNotFound {
		return nil
	}
	return g.fail(fmt.Sprintf("remove label %q from pull request #%d", label, number), err)
}

// missing returns the labels of want not in have.
func missing(want, have []string) []string {
	var out []string
	for _, l := range want {
		if !slices.Contains(have, l) {
			out = append(out, l)
		}
	}
	return out
}

func mergeLabels(have, add []string) []string {
	return append(slices.Clone(have), missing(add, have)...)
}
