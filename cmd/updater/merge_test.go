package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// The trust and auto-merge tests: a registry with a verified publisher's
// server ("toolkit", upstream stripe/toolkit) and a community one ("tool",
// upstream someone/tool), and .github/updater.yaml on the base branch.

const mergeConfig = `publishers:
  verified: [stripe]
automerge:
  verified: low
  community: none
  min_age: 72h
  method: squash
`

// newMergeFixture opens both servers' PRs with one pass: fixture commits
// are dated 2025, old enough for min_age. upstreamWhen dates the upstream
// commits the PRs propose (zero: the fixture's dates).
func newMergeFixture(t *testing.T, upstreamWhen time.Time) *registryFixture {
	t.Helper()
	f := newEmptyFixture(t)
	files := map[string]string{"README.md": "# registry\n", config.Path: mergeConfig}
	for name, repo := range map[string]string{"toolkit": "stripe/toolkit", "tool": "someone/tool"} {
		up := newUpstream(t, f.git, repo, "main", 1)
		up.commits = append(up.commits, up.repo.Commit("main", "docs", gittest.Files(map[string]string{"README.md": "# " + name + " docs\n"}),
			gittest.CommitOptions{When: upstreamWhen}))
		f.ups[name] = up
		files[registry.ServerPath(name)] = serverYAML(name, up.url, "", up.commits[0], "src")
		f.names = append(f.names, name)
	}
	f.seed(files)
	return f
}

// trustReport is the part of `run --json` about trust and merging.
type trustReport struct {
	Summary struct {
		ByPublisher *struct{ Verified, Known, Community int } `json:"bumps_by_publisher"`
	} `json:"summary"`
	Decisions []struct {
		Server    string `json:"server"`
		Publisher *struct {
			Owner string `json:"owner"`
			Trust string `json:"trust"`
		} `json:"publisher"`
		Merge string `json:"merge"`
	} `json:"decisions"`
}

func (f *registryFixture) trustPass(extra ...string) trustReport {
	f.t.Helper()
	return f.trustPassIn(f.checkout(), extra...)
}

// trustPassIn runs the pass with root as the registry checkout.
func (f *registryFixture) trustPassIn(root string, extra ...string) trustReport {
	f.t.Helper()
	args := append([]string{"run", "--registry", root, "--cache-dir", f.cache, "--json", "--write-pause", "0", "--log-format", "json"}, extra...)
	code, stdout, stderr := cli(context.Background(), f.env, args...)
	if code != exitOK {
		f.t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep trustReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		f.t.Fatalf("%v\n%s", err, stdout)
	}
	return rep
}

// mergeRun runs `updater merge --json` and returns server -> verdict.
func (f *registryFixture) mergeRun(wantCode int, extra ...string) map[string]string {
	f.t.Helper()
	args := append([]string{"merge", "--registry", f.checkout(), "--cache-dir", f.cache, "--json", "--write-pause", "0", "--log-format", "json"}, extra...)
	code, stdout, stderr := cli(context.Background(), f.env, args...)
	if code != wantCode {
		f.t.Fatalf("merge: exit %d, want %d\n%s\n%s", code, wantCode, stdout, stderr)
	}
	var doc struct {
		Merges []struct {
			Server string `json:"server"`
			PR     int    `json:"pr"`
			Merge  string `json:"merge"`
		} `json:"merges"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		f.t.Fatalf("%v\n%s", err, stdout)
	}
	out := map[string]string{}
	for _, m := range doc.Merges {
		out[m.Server] = m.Merge
	}
	return out
}

// greenCI reports a successful CI check on a PR's head, as another App.
func (f *registryFixture) greenCI(server string) githubtest.PullRequest {
	f.t.Helper()
	pr, ok := f.botPR(server)
	if !ok {
		f.t.Fatalf("no PR for %s", server)
	}
	f.gh.AddCheckRun(pr.HeadSHA, "ci-app", "ci/test", "completed", "success")
	return pr
}

func TestTrustAndAutoMerge(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.gh.SetRequiredChecks("main", "ci/test")

	rep := f.trustPass()
	got := map[string]string{}
	for _, d := range rep.Decisions {
		if d.Publisher == nil {
			t.Fatalf("%s: no publisher in --json", d.Server)
		}
		got[d.Server] = d.Publisher.Owner + " " + d.Publisher.Trust + " / " + d.Merge
	}
	want := map[string]string{
		"toolkit": "stripe verified / waiting: changed in this run; its checks need time to report",
		"tool":    "someone community / not allowed: community",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if c := rep.Summary.ByPublisher; c == nil || c.Verified != 1 || c.Community != 1 {
		t.Errorf("summary by publisher: %+v", c)
	}
	toolkit, _ := f.botPR("toolkit")
	if !contains(toolkit.Labels, "publisher:verified") || !strings.Contains(toolkit.Body, "Publisher: stripe — verified\n") {
		t.Errorf("toolkit PR: labels %v, body:\n%s", toolkit.Labels, toolkit.Body)
	}

	// CI has not reported: required ci/test is missing, nothing is written.
	f.gh.ResetLog()
	if v := f.mergeRun(exitOK); v["toolkit"] != "waiting: ci/test required, not reported" || v["tool"] != "not allowed: community" {
		t.Fatalf("before CI: %v", v)
	}
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("an idle merge wrote: %+v", w)
	}

	// Green CI on both: the verified one merges, with one comment saying why.
	f.greenCI("tool")
	pr := f.greenCI("toolkit")
	if v := f.mergeRun(exitOK, "--dry-run"); v["toolkit"] != "would merge" {
		t.Fatalf("dry run: %v", v)
	}
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("a dry run wrote: %+v", w)
	}
	if v := f.mergeRun(exitOK); v["toolkit"] != "merged" || v["tool"] != "not allowed: community" {
		t.Fatalf("after CI: %v", v)
	}
	merged := f.gh.PR(pr.Number)
	if !merged.Merged || merged.MergeMethod != "squash" {
		t.Fatalf("toolkit PR: merged %v by %q", merged.Merged, merged.MergeMethod)
	}
	var why []string
	for _, c := range f.gh.Comments(pr.Number) {
		if strings.Contains(c.Body, "<!-- updater:automerge -->") {
			why = append(why, c.Body)
		}
	}
	if len(why) != 1 || !strings.Contains(why[0], "stripe — verified") || !strings.Contains(why[0], "ci/test") {
		t.Fatalf("merge comments: %q", why)
	}
	if content, _ := f.gh.File("main", registry.ServerPath("toolkit")); !strings.Contains(content, f.ups["toolkit"].commits[1]) {
		t.Fatalf("base branch does not hold the new pin:\n%s", content)
	}
	community, _ := f.botPR("tool")
	if community.State != "open" {
		t.Fatalf("community PR is %s", community.State)
	}
}

func TestAutoMergeWaitsAndStops(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *registryFixture, pr githubtest.PullRequest)
		want  string
	}{
		{"pending required check", func(f *registryFixture, pr githubtest.PullRequest) {
			f.gh.SetRequiredChecks("main", "ci/test")
			f.gh.AddCheckRun(pr.HeadSHA, "ci-app", "ci/test", "in_progress", "")
		}, "waiting: ci/test pending"},
		{"failed check", func(f *registryFixture, pr githubtest.PullRequest) {
			f.gh.AddCheckRun(pr.HeadSHA, "ci-app", "ci/test", "completed", "failure")
		}, "waiting: ci/test failed"},
		{"failed status", func(f *registryFixture, pr githubtest.PullRequest) {
			f.gh.AddStatus(pr.HeadSHA, "ci/legacy", "failure")
		}, "waiting: ci/legacy failed"},
		{"skip label", func(f *registryFixture, pr githubtest.PullRequest) {
			f.gh.AddLabel(pr.Number, config.DefaultSkipLabel)
		}, "not allowed: label skip-auto-merge"},
		{"draft", func(f *registryFixture, pr githubtest.PullRequest) { f.gh.SetDraft(pr.Number, true) }, "waiting: draft"},
		{"no CI reported", func(f *registryFixture, pr githubtest.PullRequest) {}, "waiting: no check but the review reported"},
		{"conflicts", func(f *registryFixture, pr githubtest.PullRequest) {
			f.greenCI("toolkit")
			f.gh.SetMergeable(pr.Number, false)
		}, "waiting: not mergeable (conflicts)"},
		{"head moved after the review", func(f *registryFixture, pr githubtest.PullRequest) {
			f.gh.PushFile(pr.Head, "NOTE.md", "a maintainer's change\n", "note")
		}, "waiting: no review of head"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newMergeFixture(t, time.Time{})
			f.trustPass()
			pr, _ := f.botPR("toolkit")
			tc.setup(f, pr)
			f.gh.ResetLog()
			v := f.mergeRun(exitOK, "--pr", fmt.Sprint(pr.Number))
			if !strings.HasPrefix(v["toolkit"], tc.want) || len(v) != 1 {
				t.Fatalf("got %v, want toolkit: %q", v, tc.want)
			}
			if w := f.gh.Writes(); len(w) != 0 {
				t.Fatalf("wrote: %+v", w)
			}
			if f.gh.PR(pr.Number).Merged {
				t.Fatal("merged")
			}
		})
	}
}

func TestAutoMergeWaitsForMinAge(t *testing.T) {
	f := newMergeFixture(t, time.Now().Add(-time.Hour))
	f.trustPass()
	f.greenCI("toolkit")
	v := f.mergeRun(exitOK)
	if !strings.HasPrefix(v["toolkit"], "waiting: proposed commit is 1h0m0s old, min_age 72h0m0s") {
		t.Fatalf("got %v", v)
	}
}

// The head moves between the bot's reads and its merge call: GitHub
// refuses the merge (409), nothing is merged, and the PR waits.
func TestAutoMergeSHAGuard(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.trustPass()
	pr := f.greenCI("toolkit")
	f.gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, fmt.Sprintf("/pulls/%d/merge", pr.Number)) {
			f.gh.PushFile(pr.Head, "NOTE.md", "pushed during the merge\n", "race")
		}
		return false
	})
	v := f.mergeRun(exitOK)
	if !strings.HasPrefix(v["toolkit"], "waiting: head moved since") {
		t.Fatalf("got %v", v)
	}
	if got := f.gh.PR(pr.Number); got.Merged || got.State != "open" {
		t.Fatalf("PR %+v", got)
	}
}

// The next pass merges what an earlier pass opened, once CI is green.
func TestPassMergesOnTheNextRun(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.trustPass()
	pr := f.greenCI("toolkit")
	rep := f.trustPass()
	for _, d := range rep.Decisions {
		if d.Server == "toolkit" && d.Merge != "merged" {
			t.Fatalf("toolkit: %q", d.Merge)
		}
	}
	if !f.gh.PR(pr.Number).Merged {
		t.Fatal("not merged")
	}
}

func TestValidateChecksTheConfiguration(t *testing.T) {
	root := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("ok"): serverYAML("ok", "https://github.com/stripe/ok", "", strings.Repeat("a", 40), ""),
		config.Path:               "publishers:\n  verified: [stripe]\nautomerge:\n  verifed: low\n  method: fast\n",
	})
	code, stdout, _ := cli(context.Background(), nil, "validate", "--registry", root)
	want := `.github/updater.yaml:4: unknown key "verifed" in automerge (did you mean "verified"?)
.github/updater.yaml:5: automerge.method: "fast" is not squash, merge or rebase
2 files: 1 valid, 1 invalid
`
	if code != exitFailed || stdout != want {
		t.Fatalf("exit %d, output:\n%s\nwant:\n%s", code, stdout, want)
	}
	// A bad configuration stops a pass before anything is read upstream.
	code, _, stderr := cli(context.Background(), nil, "run", "--dry-run", "--registry", root, "--cache-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, `.github/updater.yaml:4: unknown key "verifed"`) {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
}

// The publisher label and body line follow the configuration; a pass with
// nothing changed writes nothing.
func TestPublisherLabelFollowsTheConfiguration(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.trustPass()
	pr, _ := f.botPR("toolkit")
	f.gh.AddLabel(pr.Number, "needs-docs")
	f.gh.PushFile("main", config.Path, "publishers:\n  known: [stripe]\n", "stripe is known, not verified")

	// A writing pass reads the configuration from the base branch, not
	// from a stale checkout.
	stale := f.checkout()
	if err := os.WriteFile(filepath.Join(stale, filepath.FromSlash(config.Path)), []byte(mergeConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	f.trustPassIn(stale)
	got := f.gh.PR(pr.Number)
	if contains(got.Labels, "publisher:verified") || !contains(got.Labels, "publisher:known") || !contains(got.Labels, "needs-docs") || !contains(got.Labels, "pin-update") {
		t.Errorf("labels %v", got.Labels)
	}
	if !strings.Contains(got.Body, "\nPublisher: stripe — known\n") || strings.Contains(got.Body, "verified") {
		t.Errorf("body:\n%s", got.Body)
	}
	f.gh.ResetLog()
	f.trustPass()
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("a pass with nothing changed wrote: %+v", w)
	}
}
