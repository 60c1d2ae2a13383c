package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// detailOf is a server's decision and detail in a pass's report.
func (r passReport) detailOf(server string) (decision, detail string) {
	for _, d := range r.Decisions {
		if d.Server == server {
			return d.Decision, d.Detail
		}
	}
	return "", ""
}

// Per-server settings from the base branch's .github/updater.yaml: an
// ignored server is not proposed and says why; labels, reviewers and
// assignees go on the PR when it opens; automerge: false keeps a verified publisher's PR for a human.
func TestServerSettingsSteerThePass(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.gh.SetRequiredChecks("main", "ci/test")
	f.gh.PushFile("main", config.Path, mergeConfig+`servers:
  tool:
    ignore: upstream archived
  toolkit:
    automerge: false
    labels: [needs-security-review]
    reviewers: [alice, acme/security]
    assignees: [bob]
`, "per-server settings")

	rep := f.pass(exitOK)
	if d, detail := rep.detailOf("tool"); d != "held" || detail != "ignored in .github/updater.yaml: upstream archived" {
		t.Errorf("tool: %s %q", d, detail)
	}
	if _, ok := f.botPR("tool"); ok {
		t.Error("an ignored server was proposed")
	}
	pr, ok := f.botPR("toolkit")
	if !ok || !contains(pr.Labels, "needs-security-review") || !contains(pr.Labels, "pin-update") {
		t.Fatalf("toolkit PR: %v labels %v", ok, pr.Labels)
	}
	if strings.Join(pr.Reviewers, ",") != "alice,"+f.gh.Owner+"/security" || strings.Join(pr.Assignees, ",") != "bob" {
		t.Errorf("toolkit PR: reviewers %v, assignees %v", pr.Reviewers, pr.Assignees)
	}

	f.greenCI("toolkit")
	if v := f.mergeRun(exitOK); v["toolkit"] != "not allowed: automerge: false for toolkit in .github/updater.yaml" {
		t.Fatalf("merge: %v", v)
	}
	if f.gh.PR(pr.Number).Merged {
		t.Fatal("merged despite automerge: false")
	}

	// An unchanged second pass writes nothing for either.
	f.gh.ResetLog()
	f.pass(exitOK)
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("an idle pass wrote: %+v", w)
	}
}

// A server's own min_age replaces --min-age: the fixture's upstream
// commits (2025) are too young for 100000h, so tool cools down while
// toolkit, without a setting, is proposed.
func TestServerMinAge(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.gh.PushFile("main", config.Path, mergeConfig+"servers:\n  tool:\n    min_age: 100000h\n", "tool cools down")
	rep := f.pass(exitOK)
	if d, detail := rep.detailOf("tool"); d != "held" || !strings.HasPrefix(detail, "cooling down until 2036-") {
		t.Errorf("tool: %s %q", d, detail)
	}
	if d, _, _ := rep.of("toolkit"); d != "bump" {
		t.Errorf("toolkit: %s", d)
	}
	if _, ok := f.botPR("tool"); ok {
		t.Error("a cooling server was proposed")
	}
}

func TestValidateNamesUnknownServersInSettings(t *testing.T) {
	root := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("ok"): serverYAML("ok", "https://github.com/stripe/ok", "", strings.Repeat("a", 40), ""),
		config.Path:               "servers:\n  ok:\n    schedule: weekly\n  gone:\n    ignore: removed\n",
	})
	code, stdout, _ := cli(context.Background(), nil, "validate", "--registry", root, "--server", "ok")
	want := `.github/updater.yaml:4: servers: "gone" is not a server of the registry
2 files: 1 valid, 1 invalid
`
	if code != exitFailed || stdout != want {
		t.Fatalf("exit %d, output:\n%s\nwant:\n%s", code, stdout, want)
	}
}
