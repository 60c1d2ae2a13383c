package main

import (
	"testing"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
)

// TestLabelsAreCreatedDescribed: a label the bot adds and the repository
// lacks is created first with its colour and description (GitHub would
// make it grey and undescribed), once per pass; a label that exists keeps
// the maintainers' colour and description.
func TestLabelsAreCreatedDescribed(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0}, 2)
	ours := githubtest.Label{Name: "pin-update", Color: "123456", Description: "our own"}
	f.gh.CreateLabel(ours)

	f.pass(exitOK)
	if len(f.openPRs()) != 2 {
		t.Fatalf("want 2 PRs, got %v", f.openPRs())
	}
	if got, _ := f.gh.RepoLabel("pin-update"); got != ours {
		t.Errorf("the existing label became %+v, want %+v kept", got, ours)
	}
	want := githubtest.Label{Name: "security-risk:info", Color: "0e8a16", Description: "Security review: nothing of concern in the upstream change"}
	if got, _ := f.gh.RepoLabel("security-risk:info"); got != want {
		t.Errorf("security-risk:info is %+v, want %+v", got, want)
	}
	if n := f.gh.Count("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/labels"); n != 1 {
		t.Errorf("%d labels created, want 1 (security-risk:info, once for both PRs)", n)
	}

	// A later pass moves alpha to a critical, blocked verdict: the new
	// labels come red, with their descriptions.
	f.ups["alpha"].repo.Commit("main", "history rewritten", gittest.Files(map[string]string{"src/main.go": "package main // x\n"}), gittest.CommitOptions{Orphan: true})
	f.pass(exitOK)
	for name, color := range map[string]string{"security-risk:critical": "b60205", "security-blocked": "b60205", "security-review-pending": "c5c9cf"} {
		if got, ok := f.gh.RepoLabel(name); !ok || got.Color != color || got.Description == "" {
			t.Errorf("%s: %+v (found %v), want colour %s and a description", name, got, ok, color)
		}
	}
}

// TestLabelDefinitionRefusedStillLabels: a server that has no labels API
// (or a token that may not create labels) costs the colour, never the
// review: the PRs open with their risk labels, as GitHub creates them.
func TestLabelDefinitionRefusedStillLabels(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0}, 2)
	f.gh.SetFault(githubtest.Times(1000, githubtest.Match("", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/labels"), githubtest.StatusCode(404)))
	f.pass(exitOK)
	pr, ok := f.openPRs()["alpha"]
	if !ok || !contains(pr.Labels, "security-risk:info") {
		t.Fatalf("alpha's PR %+v (open %v), want it labelled security-risk:info", pr, ok)
	}
}
