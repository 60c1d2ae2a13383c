package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// End to end, the review's range mechanics and verdict: build inputs at
// the new pin (a moved directory moves with the pin; a vanished one is an
// error), releases off the branch, moved tags, and --fail-on.

// dryDecisions runs `run --dry-run --json` (no GitHub) over a registry
// directory and returns the decisions by server.
func dryDecisions(t *testing.T, reg string, wantCode int) map[string]map[string]any {
	t.Helper()
	code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--json", "--registry", reg, "--cache-dir", t.TempDir(), "--resolve", "git")
	if code != wantCode {
		t.Fatalf("dry run: exit %d, want %d\n%s\n%s", code, wantCode, stdout, stderr)
	}
	var rep struct {
		Decisions []map[string]any `json:"decisions"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	out := map[string]map[string]any{}
	for _, d := range rep.Decisions {
		out[d["server"].(string)] = d
	}
	return out
}

func TestDirectoryMoveMovesThePin(t *testing.T) {
	git := gittest.NewServer(t)
	up := newUpstream(t, git, "mover", "main", 2)
	pin := up.repo.Commit("main", "add a Dockerfile", gittest.Files(map[string]string{"src/Dockerfile": "FROM golang:1.23\n"}))
	moved := up.repo.Commit("main", "move src under servers/", []gittest.Change{
		gittest.Delete("src/main.go"), gittest.Delete("src/Dockerfile"),
		{Path: "servers/src/main.go", Content: []byte("package main // 1\n")},
		{Path: "servers/src/Dockerfile", Content: []byte("FROM golang:1.23\n")},
	})
	// Quoted, commented and CRLF-free: every byte but the two values stays.
	// source.dockerfile is relative to the directory (Docker's -f in the
	// context project#commit:directory): it moves with it, unrewritten.
	yaml := serverYAML("mover", up.url, "", pin, "") + "  directory: \"src\" # the server\n  dockerfile: Dockerfile\n"

	// The dry run already says so.
	dry := dryDecisions(t, registrytest.NewRegistry(t, map[string]string{registry.ServerPath("mover"): yaml}), exitOK)
	if d := dry["mover"]; d["decision"] != "bump" || d["directory"] != "servers/src" || d["dockerfile"] != nil ||
		!strings.Contains(d["detail"].(string), "source.directory moves src -> servers/src") {
		t.Errorf("dry run: %v", d)
	}

	f := customFixture(t, git, map[string]string{"mover": yaml})
	f.pass(exitOK)
	pr, ok := f.openPRs()["mover"]
	if !ok {
		t.Fatal("no PR")
	}
	got, _ := f.gh.File(pr.Head, registry.ServerPath("mover"))
	want := strings.NewReplacer(pin, moved, `"src" #`, `"servers/src" #`).Replace(yaml)
	if got != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range []string{"build inputs moved upstream", "`source.directory`: `src` → `servers/src`"} {
		if !strings.Contains(pr.Body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, pr.Body)
		}
	}
	// Moved, unchanged files are no findings.
	if !contains(pr.Labels, "security-risk:info") {
		t.Errorf("labels %v, want security-risk:info for a pure move", pr.Labels)
	}
}

func TestVanishedDirectoryIsAnErrorWithoutPR(t *testing.T) {
	git := gittest.NewServer(t)
	up := newUpstream(t, git, "vanish", "main", 2)
	up.repo.Commit("main", "rewrite in rust", []gittest.Change{
		gittest.Delete("src/main.go"),
		{Path: "crates/server/lib.rs", Content: []byte("fn main() {}\n")},
	})
	yaml := serverYAML("vanish", up.url, "", up.commits[1], "src")

	dry := dryDecisions(t, registrytest.NewRegistry(t, map[string]string{registry.ServerPath("vanish"): yaml}), exitFailed)
	if d := dry["vanish"]; d["decision"] != "error" || !strings.Contains(d["detail"].(string), `source.directory "src" does not exist`) {
		t.Errorf("dry run: %v", d)
	}

	f := customFixture(t, git, map[string]string{"vanish": yaml})
	rep := f.pass(exitFailed)
	if decision, _, _ := rep.of("vanish"); decision != "error" {
		t.Errorf("decision %s, want error", decision)
	}
	if len(f.gh.Pulls()) != 0 || f.pushes() != 0 {
		t.Errorf("a PR or branch for a bump that cannot build: %d PRs, %d pushes", len(f.gh.Pulls()), f.pushes())
	}
}

// releasesOffMain is an upstream whose releases are commits off main.
func releasesOffMain(t *testing.T, git *gittest.Server) (up *upstream, v1, fix, v2 string) {
	up = newUpstream(t, git, "monorepo", "main", 2)
	v1 = up.repo.Commit("release-1", "chore: release 1.0.0", gittest.Files(map[string]string{"VERSION": "1.0.0\n"}),
		gittest.CommitOptions{Parents: []string{up.commits[1]}})
	up.repo.Tag("v1.0.0", v1, true)
	fix = up.repo.Commit("main", "fix: reject paths outside the root (GHSA-1234)", gittest.Files(map[string]string{"src/main.go": "package main // fixed\n"}))
	v2 = up.repo.Commit("release-2", "chore: release 2.0.0", gittest.Files(map[string]string{"VERSION": "2.0.0\n"}),
		gittest.CommitOptions{Parents: []string{fix}})
	up.repo.Tag("v2.0.0", v2, true)
	return up, v1, fix, v2
}

func TestReleaseOffMainIsNoRewrite(t *testing.T) {
	git := gittest.NewServer(t)
	up, v1, fix, v2 := releasesOffMain(t, git)
	f := customFixture(t, git, map[string]string{"monorepo": serverYAML("monorepo", up.url, "v1.0.0", v1, "src")})
	rep := f.pass(exitOK)
	pr, ok := f.openPRs()["monorepo"]
	if !ok {
		t.Fatalf("no PR: %+v", rep)
	}
	if strings.Contains(pr.Body, "history was rewritten") || !strings.Contains(pr.Body, "off the old pin's line") {
		t.Errorf("PR body:\n%s", pr.Body)
	}
	for _, c := range []string{fix, v2} {
		if !strings.Contains(pr.Body, c[:7]) {
			t.Errorf("PR body does not list commit %s:\n%s", c[:7], pr.Body)
		}
	}
	if !strings.Contains(pr.Body, "### Commits (2)") {
		t.Errorf("want the 2 commits merge-base..new listed:\n%s", pr.Body)
	}
	if contains(pr.Labels, "security-blocked") || contains(pr.Labels, "security-risk:critical") {
		t.Errorf("labels %v: a release off main is not a rewrite", pr.Labels)
	}
	if runs := f.gh.CheckRuns(pr.HeadSHA); len(runs) != 1 || runs[0].Conclusion == "failure" {
		t.Errorf("check runs %+v", runs)
	}
}

func TestMovedTagIsCriticalAndBlocked(t *testing.T) {
	git := gittest.NewServer(t)
	up := newUpstream(t, git, "retagged", "main", 3)
	up.repo.Tag("v1.0.0", up.commits[1], true)
	yaml := serverYAML("retagged", up.url, "v1.0.0", up.commits[1], "src")
	// The release is deleted and recreated on another commit.
	evil := up.repo.Commit("evil", "same version, other code", gittest.Files(map[string]string{"src/main.go": "package main // evil\n"}),
		gittest.CommitOptions{Parents: []string{up.commits[0]}})
	up.repo.Tag("v1.0.0", evil, true)

	dry := dryDecisions(t, registrytest.NewRegistry(t, map[string]string{registry.ServerPath("retagged"): yaml}), exitOK)
	if d := dry["retagged"]; d["tag_moved"] == nil || !strings.Contains(d["detail"].(string), "TAG MOVED") {
		t.Errorf("dry run: %v", d)
	}

	f := customFixture(t, git, map[string]string{"retagged": yaml})
	f.pass(exitOK)
	pr, ok := f.openPRs()["retagged"]
	if !ok {
		t.Fatal("no PR")
	}
	if !strings.Contains(pr.Body, "was moved upstream") {
		t.Errorf("PR body:\n%s", pr.Body)
	}
	if !contains(pr.Labels, "security-blocked") || !contains(pr.Labels, "security-risk:critical") {
		t.Errorf("labels %v", pr.Labels)
	}
	// Failure even under the most lenient setting.
	if runs := f.gh.CheckRuns(pr.HeadSHA); len(runs) != 1 || runs[0].Conclusion != "failure" {
		t.Errorf("check runs %+v", runs)
	}
}

// TestFailOnVariants: the same high-risk and medium-risk bumps under each
// --fail-on give the documented check conclusions.
func TestFailOnVariants(t *testing.T) {
	for _, tc := range []struct {
		failOn       string // "" = the default
		high, medium string
	}{
		{"", "failure", "neutral"},
		{"critical", "neutral", "neutral"},
		{"medium", "failure", "failure"},
	} {
		t.Run("fail-on="+tc.failOn, func(t *testing.T) {
			git := gittest.NewServer(t)
			hi := newUpstream(t, git, "hi", "main", 1)
			hi.repo.Commit("main", "hook", gittest.Files(map[string]string{
				"src/package.json": "{\n  \"name\": \"x\",\n  \"scripts\": {\"postinstall\": \"node setup.js\"}\n}\n"}))
			// The base already has a requirements.txt: the change is one new dependency.
			med := newUpstream(t, git, "med", "main", 1)
			medBase := med.repo.Commit("main", "dependency", gittest.Files(map[string]string{"src/requirements.txt": "httpx>=0.27\n"}))
			med.repo.Commit("main", "dependency", gittest.Files(map[string]string{"src/requirements.txt": "httpx>=0.27\nrich==13.0\n"}))
			f := customFixture(t, git, map[string]string{
				"hi":  serverYAML("hi", hi.url, "", hi.commits[0], "src"),
				"med": serverYAML("med", med.url, "", medBase, "src"),
			})
			var extra []string
			if tc.failOn != "" {
				extra = []string{"--fail-on", tc.failOn}
			}
			rep := f.pass(exitOK, extra...)
			for server, want := range map[string]string{"hi": tc.high, "med": tc.medium} {
				pr, ok := f.openPRs()[server]
				if !ok {
					t.Fatalf("no PR for %s: %+v", server, rep)
				}
				if runs := f.gh.CheckRuns(pr.HeadSHA); len(runs) != 1 || runs[0].Conclusion != want {
					t.Errorf("%s: check runs %+v, want %s", server, runs, want)
				}
			}
		})
	}
}

// TestValidateOnlineChecksBuildInputs: validate --online proves the
// directory and dockerfile exist at each pin, tags included.
func TestValidateOnlineChecksBuildInputs(t *testing.T) {
	git := gittest.NewServer(t)
	up := newUpstream(t, git, "tool", "main", 2)
	up.repo.Tag("v1.0.0", up.commits[1], true)
	reg := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("good"):       serverYAML("good", up.url, "", up.commits[1], "src"),
		registry.ServerPath("tagged"):     serverYAML("tagged", up.url, "v1.0.0", up.commits[1], "src"),
		registry.ServerPath("nodir"):      serverYAML("nodir", up.url, "", up.commits[1], "server"),
		registry.ServerPath("nodocker"):   serverYAML("nodocker", up.url, "v1.0.0", up.commits[1], "") + "  dockerfile: src/Dockerfile\n",
		registry.ServerPath("whole-repo"): serverYAML("whole-repo", up.url, "", up.commits[1], ""),
	})
	code, stdout, stderr := cli(context.Background(), nil, "validate", "--online", "--registry", reg, "--cache-dir", t.TempDir())
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFailed, stdout, stderr)
	}
	out := stdout + stderr
	for _, want := range []string{
		`servers/nodir/server.yaml:11: source.directory "server" does not exist at ` + up.commits[1][:12] + "\n",
		`servers/nodocker/server.yaml:12: source.dockerfile "src/Dockerfile" does not exist at ` + up.commits[1][:12] + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, ok := range []string{"servers/good/", "servers/tagged/", "servers/whole-repo/"} {
		if strings.Contains(out, ok) {
			t.Errorf("%s reported:\n%s", ok, out)
		}
	}
}

// TestTagMovedAfterThePROpened: an honest release PR is open when the
// pinned tag is moved; the next pass makes the open PR say so and blocks
// it, though it proposes the same commit.
func TestTagMovedAfterThePROpened(t *testing.T) {
	git := gittest.NewServer(t)
	up := newUpstream(t, git, "later", "main", 3)
	up.repo.Tag("v1.0.0", up.commits[0], true)
	up.repo.Tag("v1.1.0", up.commits[2], true)
	f := customFixture(t, git, map[string]string{"later": serverYAML("later", up.url, "v1.0.0", up.commits[0], "src")})
	f.pass(exitOK)
	pr, ok := f.openPRs()["later"]
	if !ok || contains(pr.Labels, "security-blocked") || strings.Contains(pr.Body, "was moved upstream") {
		t.Fatalf("honest release PR: %+v", pr)
	}
	evil := up.repo.Commit("evil", "other code", gittest.Files(map[string]string{"src/main.go": "package main // evil\n"}),
		gittest.CommitOptions{Parents: []string{up.commits[0]}})
	up.repo.Tag("v1.0.0", evil, true)

	rep := f.pass(exitOK)
	got := f.gh.PR(pr.Number)
	if !contains(got.Labels, "security-blocked") || !contains(got.Labels, "security-risk:critical") || !strings.Contains(got.Body, "was moved upstream") {
		t.Errorf("after the tag moved: labels %v, body:\n%s", got.Labels, got.Body)
	}
	if runs := f.gh.CheckRuns(got.HeadSHA); len(runs) == 0 || runs[len(runs)-1].Conclusion != "failure" {
		t.Errorf("check runs %+v", runs)
	}
	// Said once: the pass after changes nothing.
	before := len(f.gh.Writes())
	f.pass(exitOK)
	if after := len(f.gh.Writes()); after != before {
		t.Errorf("%d writes on a pass with nothing new (report %+v)", after-before, rep)
	}
}
