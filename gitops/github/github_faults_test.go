package github_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

// TestClosePullAfterDyingMidway: a pass that left its closing comment and
// died before closing comments once, whatever the order the next pass
// finds things in; a human's identical words do not count as the bot's.
func TestClosePullAfterDyingMidway(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	gh.PushFile("updater/pin-stripe", serverYAML, "new pin\n", "servers/stripe: update pin")
	pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Body: "b", Head: "updater/pin-stripe", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "The pin is already there; closing."
	gh.AddComment(pr.Number, githubtest.MaintainerLogin, reason)

	// The first pass comments and dies: the close never reaches GitHub.
	gh.SetFault(githubtest.Times(1, githubtest.Match(http.MethodPatch, "/repos/"+gh.Owner+"/"+gh.Repo+"/pulls/"), githubtest.StatusCode(http.StatusGone)))
	if err := g.ClosePull(ctx, pr.Number, reason); err == nil {
		t.Fatal("ClosePull succeeded through the fault")
	}
	gh.SetFault(nil)
	if err := g.ClosePull(ctx, pr.Number, reason); err != nil {
		t.Fatal(err)
	}
	if got := gh.PR(pr.Number); got.State != "closed" {
		t.Fatalf("PR is %s", got.State)
	}
	bot := 0
	for _, c := range gh.Comments(pr.Number) {
		if c.User == "updater-bot" && strings.Contains(c.Body, reason) {
			bot++
		}
	}
	if bot != 1 {
		t.Errorf("the bot commented %d times, want once", bot)
	}
}
