package main

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
)

// TestPassHonoursAllowList: the bot's own bump of a server whose hook the
// registry accepted is reviewed with the finding shown as allowed, and
// the check does not fail on it.
func TestPassHonoursAllowList(t *testing.T) {
	f := newEmptyFixture(t)
	up := newUpstream(t, f.git, "someone/tool", "main", 1)
	up.commits = append(up.commits, up.repo.Commit("main", "add a hook", gittest.Files(map[string]string{
		"src/package.json": "{\n  \"name\": \"tool\",\n  \"scripts\": {\"postinstall\": \"node build.js\"}\n}\n",
	})))
	f.ups["tool"] = up
	f.names = append(f.names, "tool")
	f.seed(map[string]string{
		"README.md":                 "# registry\n",
		config.Path:                 "allow:\n  tool:\n    - rule: install-hook\n      reason: builds its native module\n",
		registry.ServerPath("tool"): serverYAML("tool", up.url, "", up.commits[0], "src"),
	})
	f.pass(exitOK)
	pr := f.openPRs()["tool"]
	if contains(pr.Labels, "security-risk:high") {
		t.Errorf("labels %v: the allowed hook still raised the risk", pr.Labels)
	}
	runs := f.gh.CheckRuns(pr.HeadSHA)
	if len(runs) != 1 || runs[0].Conclusion == "failure" {
		t.Errorf("check runs %+v, want one that does not fail", runs)
	} else if !strings.Contains(runs[0].Title, ", 1 allowed") || strings.Contains(runs[0].Summary, "install") {
		t.Errorf("check %q / %q: the allowed hook must be named apart, not counted", runs[0].Title, runs[0].Summary)
	}
	var shown bool
	for _, c := range f.gh.Comments(pr.Number) {
		shown = shown || strings.Contains(c.Body, "allowed by the registry: builds its native module")
	}
	if !shown {
		t.Error("the review comment does not show the allowed finding")
	}
}
