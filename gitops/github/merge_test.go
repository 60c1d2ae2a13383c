package github_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

// openPull pushes a one-file branch and opens its pull request.
func openPull(t *testing.T, gh *githubtest.Server, g *github.GitHub) github.PullRequest {
	t.Helper()
	gh.PushFile("updater/pin-stripe", serverYAML, "name: stripe\n", "bump")
	pr, err := g.CreatePull(context.Background(), github.NewPull{Title: "Update stripe", Body: "b", Head: "updater/pin-stripe", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestMergePullIsGuardedByTheHeadSHA(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	pr := openPull(t, gh, g)
	old := pr.HeadSHA
	gh.PushFile(pr.Head, "NOTE.md", "moved\n", "moved")

	err := g.MergePull(ctx, pr.Number, old, "squash", "t")
	if !errors.Is(err, github.ErrHeadMoved) || gh.PR(pr.Number).Merged {
		t.Fatalf("merge at the old head: %v, merged %v", err, gh.PR(pr.Number).Merged)
	}
	gh.SetMergeable(pr.Number, false)
	fresh, err := g.GetPull(ctx, pr.Number)
	if err != nil || fresh.Mergeable == nil || *fresh.Mergeable || fresh.HeadSHA == old {
		t.Fatalf("GetPull: %+v %v", fresh, err)
	}
	if err := g.MergePull(ctx, pr.Number, fresh.HeadSHA, "squash", "t"); !errors.Is(err, github.ErrNotMergeable) {
		t.Fatalf("unmergeable: %v", err)
	}
	gh.SetMergeable(pr.Number, true)
	if err := g.MergePull(ctx, pr.Number, fresh.HeadSHA, "rebase", "t"); err != nil {
		t.Fatal(err)
	}
	if got := gh.PR(pr.Number); !got.Merged || got.MergeMethod != "rebase" {
		t.Fatalf("PR %+v", got)
	}
}

func TestHeadChecksAndRequiredChecks(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	pr := openPull(t, gh, g)
	gh.AddCheckRun(pr.HeadSHA, "ci", "test", "in_progress", "")
	gh.AddCheckRun(pr.HeadSHA, "ci", "test", "completed", "success") // the latest of a name counts
	gh.AddStatus(pr.HeadSHA, "lint", "failure")
	gh.AddStatus(pr.HeadSHA, "lint", "pending") // statuses: the newest per context
	gh.AddCheckRun("0123456789012345678901234567890123456789", "ci", "other-commit", "completed", "success")

	checks, err := g.HeadChecks(ctx, pr.HeadSHA)
	if err != nil {
		t.Fatal(err)
	}
	want := []github.CheckState{
		{Kind: github.CheckRun, Name: "test", App: "ci", Completed: true, Conclusion: "success", Title: "test"},
		{Kind: github.CommitStatus, Name: "lint", Completed: false, Conclusion: "pending"},
	}
	if !slices.Equal(checks, want) {
		t.Fatalf("checks %+v\nwant %+v", checks, want)
	}

	if req, err := g.RequiredChecks(ctx, "main"); err != nil || req != nil {
		t.Fatalf("unprotected branch: %v %v", req, err)
	}
	gh.SetRequiredChecks("main", "test", "lint")
	if req, err := g.RequiredChecks(ctx, "main"); err != nil || !slices.Equal(req, []string{"test", "lint"}) {
		t.Fatalf("protected branch: %v %v", req, err)
	}
}
