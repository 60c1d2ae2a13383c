package github_test

import (
	"context"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

func TestReleaseNote(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{})
	gh.AddRelease("upstream-org", "server", githubtest.Release{Tag: "v1.1.0", Name: "1.1", Body: "## Changes\n- fixed"})
	api := g.HeadAPI()
	body, found, err := api.ReleaseNote(context.Background(), "upstream-org", "server", "v1.1.0")
	if err != nil || !found || body != "## Changes\n- fixed" {
		t.Errorf("release v1.1.0: %q, %v, %v", body, found, err)
	}
	if _, found, err := api.ReleaseNote(context.Background(), "upstream-org", "server", "v9.9.9"); err != nil || found {
		t.Errorf("a tag without a release: found %v, err %v; want not found, no error", found, err)
	}
}

func TestEnsureLabel(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{})
	ctx := context.Background()
	def := github.LabelDef{Name: "security-risk:high", Color: "d93f0b", Description: "high"}
	created, err := g.EnsureLabel(ctx, def)
	if err != nil || !created {
		t.Fatalf("first: created %v, err %v", created, err)
	}
	if got, _ := gh.RepoLabel(def.Name); got != (githubtest.Label{Name: def.Name, Color: def.Color, Description: def.Description}) {
		t.Errorf("label %+v", got)
	}
	// One that exists, in another case and colour, is left alone.
	gh.CreateLabel(githubtest.Label{Name: "Pin-Update", Color: "000000", Description: "ours"})
	created, err = g.EnsureLabel(ctx, github.LabelDef{Name: "pin-update", Color: "0366d6", Description: "theirs"})
	if err != nil || created {
		t.Errorf("existing: created %v, err %v", created, err)
	}
	if got, _ := gh.RepoLabel("pin-update"); got.Color != "000000" || got.Description != "ours" {
		t.Errorf("an existing label was changed: %+v", got)
	}
}
