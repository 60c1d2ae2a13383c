package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// registryFixture is a registry repository on the GitHub emulator whose
// servers follow upstreams on a fixture git server, and the environment a
// pass runs with (as GitHub Actions would set it).
type registryFixture struct {
	t     *testing.T
	gh    *githubtest.Server
	git   *gittest.Server
	ups   map[string]*upstream
	names []string
	env   map[string]string
	cache string
	now   time.Time // the passes' clock (withClock); zero: the real one
}

// newRegistryFixture creates one upstream per name and seeds the
// registry with a server pinned to pins[name] (an index into the
// upstream's commits; -1 = its head).
func newRegistryFixture(t *testing.T, pins map[string]int, commits int) *registryFixture {
	t.Helper()
	git := gittest.NewServer(t)
	ups := map[string]*upstream{}
	servers := map[string]string{}
	for name, pin := range pins {
		up := newUpstream(t, git, name, "main", commits)
		ups[name] = up
		if pin < 0 {
			pin = len(up.commits) - 1
		}
		servers[name] = serverYAML(name, up.url, "", up.commits[pin], "src")
	}
	f := customFixture(t, git, servers)
	f.ups = ups
	return f
}

// customFixture is a registryFixture whose servers the test writes itself
// (name -> server.yaml) against upstreams on git.
func customFixture(t *testing.T, git *gittest.Server, servers map[string]string) *registryFixture {
	t.Helper()
	f := &registryFixture{t: t, gh: githubtest.New(t, githubtest.Options{}), git: git, ups: map[string]*upstream{}, cache: t.TempDir()}
	files := map[string]string{"README.md": "# registry\n"}
	for name, yaml := range servers {
		files[registry.ServerPath(name)] = yaml
		f.names = append(f.names, name)
	}
	f.seed(files)
	return f
}

// newEmptyFixture is a GitHub emulator, an upstream git server and a cache,
// with no registry yet (seed makes it).
func newEmptyFixture(t *testing.T) *registryFixture {
	t.Helper()
	return &registryFixture{t: t, gh: githubtest.New(t, githubtest.Options{}), git: gittest.NewServer(t), ups: map[string]*upstream{}, cache: t.TempDir()}
}

// seed commits the registry's first state and points the environment at
// the emulator.
func (f *registryFixture) seed(files map[string]string) {
	sort.Strings(f.names)
	f.gh.Seed(files)
	f.env = map[string]string{
		"GITHUB_REPOSITORY": f.gh.Owner + "/" + f.gh.Repo,
		"GITHUB_TOKEN":      f.gh.Token,
		"GITHUB_API_URL":    f.gh.APIURL,
		"GITHUB_SERVER_URL": f.gh.URL + "/git",
	}
}

// checkout writes the registry's base branch into a fresh directory, as
// actions/checkout would before each scheduled pass.
func (f *registryFixture) checkout() string {
	f.t.Helper()
	files := map[string]string{}
	for _, name := range f.names {
		if content, ok := f.gh.File("main", registry.ServerPath(name)); ok {
			files[registry.ServerPath(name)] = content
		}
	}
	if content, ok := f.gh.File("main", config.Path); ok {
		files[config.Path] = content
	}
	return registrytest.NewRegistry(f.t, files)
}

// passReport is the part of `run --json` the tests read.
type passReport struct {
	Decisions []struct {
		Server   string `json:"server"`
		Decision string `json:"decision"`
		Current  string `json:"current"`
		Target   string `json:"target"`
		Detail   string `json:"detail"`
		PR       *struct {
			Number  int    `json:"number"`
			Outcome string `json:"outcome"`
			Pushed  bool   `json:"pushed"`
		} `json:"pr"`
		Review *struct {
			Risk    string `json:"risk"`
			Blocked bool   `json:"blocked"`
			Check   string `json:"check"`
		} `json:"review"`
	} `json:"decisions"`
}

func (r passReport) of(server string) (decision, outcome string, number int) {
	for _, d := range r.Decisions {
		if d.Server == server {
			if d.PR != nil {
				return d.Decision, d.PR.Outcome, d.PR.Number
			}
			return d.Decision, "", 0
		}
	}
	return "", "", 0
}

// pass runs `updater run` against the fixture and returns its report.
func (f *registryFixture) pass(wantCode int, extra ...string) passReport {
	f.t.Helper()
	return f.passArgs(wantCode, append([]string{"run", "--registry", f.checkout()}, extra...)...)
}

// passArgs runs the command line args (a run command) with the fixture's
// cache, JSON report and logs, and returns its report.
func (f *registryFixture) passArgs(wantCode int, args ...string) passReport {
	f.t.Helper()
	args = append(args, "--cache-dir", f.cache, "--json", "--write-pause", "0", "--log-format", "json")
	ctx := context.Background()
	if !f.now.IsZero() {
		ctx = withClock(f.now)
	}
	code, stdout, stderr := cli(ctx, f.env, args...)
	if code != wantCode {
		f.t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, f.gh.Token) {
		f.t.Fatal("the token appeared in the output")
	}
	var rep passReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		f.t.Fatalf("report: %v\n%s", err, stdout)
	}
	return rep
}

// botPR returns the newest bot PR of a server.
func (f *registryFixture) botPR(server string) (githubtest.PullRequest, bool) {
	var found githubtest.PullRequest
	ok := false
	for _, pr := range f.gh.Pulls() {
		if pr.Head == "updater/pin-"+server && pr.Number > found.Number {
			found, ok = pr, true
		}
	}
	return found, ok
}

func (f *registryFixture) openPRs() map[string]githubtest.PullRequest {
	out := map[string]githubtest.PullRequest{}
	for _, pr := range f.gh.OpenPRs() {
		name := strings.TrimPrefix(pr.Head, "updater/pin-")
		if _, dup := out[name]; dup {
			f.t.Errorf("two open PRs for %s", name)
		}
		out[name] = pr
	}
	return out
}

func (f *registryFixture) pushes() int {
	n := 0
	for _, r := range f.gh.Writes() {
		if strings.HasSuffix(r.Path, "/git-receive-pack") {
			n++
		}
	}
	return n
}

// diffLines returns the lines that differ between two versions of a file.
func diffLines(a, b string) (removed, added []string) {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		return al, bl
	}
	for i := range al {
		if al[i] != bl[i] {
			removed = append(removed, al[i])
			added = append(added, bl[i])
		}
	}
	return removed, added
}

// TestPassLifecycle walks a registry through the life of its PRs, one
// pass at a time: open, no-op, update in place, a maintainer's close, a
// newer commit, and a pin made by hand.
func TestPassLifecycle(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0, "charlie": 0, "delta": -1, "echo": -1}, 3)

	// Pass 1: three servers moved, two are up to date.
	rep := f.pass(exitOK)
	open := f.openPRs()
	if len(open) != 3 {
		t.Fatalf("pass 1 opened %d PRs, want 3: %v", len(open), open)
	}
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		pr, ok := open[name]
		target := f.ups[name].commits[2]
		if !ok {
			t.Fatalf("no PR for %s", name)
		}
		if want := "Update " + name + " pin to " + target[:7]; pr.Title != want {
			t.Errorf("%s: title %q, want %q", name, pr.Title, want)
		}
		if !contains(pr.Labels, "pin-update") || !contains(pr.Labels, "security-risk:info") {
			t.Errorf("%s: labels %v, want pin-update and security-risk:info", name, pr.Labels)
		}
		base, _ := f.gh.File("main", registry.ServerPath(name))
		head, _ := f.gh.File(pr.Head, registry.ServerPath(name))
		removed, added := diffLines(base, head)
		if len(removed) != 1 || added[0] != "  commit: "+target {
			t.Errorf("%s: the PR changes %q -> %q, want exactly the commit line", name, removed, added)
		}
		if d, outcome, _ := rep.of(name); d != "bump" || outcome != "opened" {
			t.Errorf("%s: %s/%s, want bump/opened", name, d, outcome)
		}
		if runs := f.gh.CheckRuns(pr.HeadSHA); len(runs) != 1 || runs[0].Name != "security-review/"+name {
			t.Errorf("%s: check runs %+v", name, runs)
		}
	}
	for _, name := range []string{"delta", "echo"} {
		if d, _, _ := rep.of(name); d != "up-to-date" {
			t.Errorf("%s: %s, want up-to-date", name, d)
		}
	}
	alphaPR := open["alpha"]
	golden(t, "pr-body-alpha.md", normalizeCommentLinks(normalizeURLs(alphaPR.Body, f)))

	// Pass 2: nothing moved, nothing is written.
	f.gh.ResetLog()
	f.pass(exitOK)
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("pass 2 wrote %d times, want 0: %+v", len(w), w)
	}

	// Pass 3: alpha's upstream moves: the same PR moves with it.
	newAlpha := f.ups["alpha"].repo.Commit("main", "alpha change 3", gittest.Files(map[string]string{"src/main.go": "package main // 3\n"}))
	f.gh.ResetLog()
	rep = f.pass(exitOK)
	if d, outcome, n := rep.of("alpha"); d != "bump" || outcome != "updated" || n != alphaPR.Number {
		t.Errorf("pass 3 alpha: %s/%s #%d, want bump/updated #%d", d, outcome, n, alphaPR.Number)
	}
	if pushes := f.pushes(); pushes != 1 {
		t.Errorf("pass 3 pushed %d times, want 1 (alpha's branch only)", pushes)
	}
	updated := f.gh.PR(alphaPR.Number)
	if updated.State != "open" || !strings.Contains(updated.Body, newAlpha) || updated.Title != "Update alpha pin to "+newAlpha[:7] {
		t.Errorf("pass 3: PR #%d not updated in place: %q\n%s", alphaPR.Number, updated.Title, updated.Body)
	}
	if head, _ := f.gh.File(updated.Head, registry.ServerPath("alpha")); !strings.Contains(head, "commit: "+newAlpha) {
		t.Errorf("pass 3: branch does not pin %s:\n%s", newAlpha, head)
	}

	// Pass 4: a maintainer closes bravo's PR: it stays closed.
	bravoPR := open["bravo"]
	f.gh.ClosePR(bravoPR.Number)
	rep = f.pass(exitOK)
	if d, outcome, n := rep.of("bravo"); d != "held" || outcome != "held" || n != bravoPR.Number {
		t.Errorf("pass 4 bravo: %s/%s #%d, want held", d, outcome, n)
	}
	if pr := f.gh.PR(bravoPR.Number); pr.State != "closed" {
		t.Errorf("pass 4 reopened bravo's PR")
	}
	if _, ok := f.openPRs()["bravo"]; ok {
		t.Error("pass 4 proposed bravo again")
	}

	// Pass 5: bravo's upstream moves again: a new PR proposes it.
	f.ups["bravo"].repo.Commit("main", "bravo change 3", gittest.Files(map[string]string{"src/main.go": "package main // b3\n"}))
	rep = f.pass(exitOK)
	d, outcome, n := rep.of("bravo")
	if d != "bump" || outcome != "opened" || n == bravoPR.Number {
		t.Errorf("pass 5 bravo: %s/%s #%d, want a new PR", d, outcome, n)
	}

	// Pass 6: a maintainer pins charlie by hand: its PR is closed and its
	// branch deleted.
	charliePR := open["charlie"]
	path := registry.ServerPath("charlie")
	base, _ := f.gh.File("main", path)
	pinned, err := registry.SetPin([]byte(base), registry.Pin{Commit: f.ups["charlie"].commits[2]})
	if err != nil {
		t.Fatal(err)
	}
	f.gh.PushFile("main", path, string(pinned), "pin charlie by hand")
	rep = f.pass(exitOK)
	if d, outcome, _ := rep.of("charlie"); d != "up-to-date" || outcome != "closed" {
		t.Errorf("pass 6 charlie: %s/%s, want up-to-date/closed", d, outcome)
	}
	if pr := f.gh.PR(charliePR.Number); pr.State != "closed" || pr.Merged {
		t.Errorf("pass 6: charlie's PR is %s (merged %v)", pr.State, pr.Merged)
	}
	if f.gh.Branch("updater/pin-charlie") != "" {
		t.Error("pass 6 left charlie's branch behind")
	}
	comments := f.gh.Comments(charliePR.Number)
	if len(comments) == 0 || !strings.Contains(comments[len(comments)-1].Body, "already") {
		t.Errorf("pass 6: no closing comment on charlie's PR: %+v", comments)
	}
	// Alpha's PR was not touched by the base branch moving: its file did
	// not change there, so no rebase (no CI churn).
	if pr := f.gh.PR(alphaPR.Number); pr.HeadSHA != updated.HeadSHA {
		t.Error("alpha's branch was rebuilt although its file did not change on base")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// normalizeURLs replaces the fixture's random ports in PR bodies.
func normalizeURLs(s string, f *registryFixture) string {
	return strings.NewReplacer(f.git.URL, "http://GIT", f.gh.URL, "http://GITHUB").Replace(s)
}

func TestMaxNewPRsDefersTheRest(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"a": 0, "b": 0, "c": 0}, 2)
	rep := f.pass(exitOK, "--max-new-prs", "1")
	outcomes := map[string]int{}
	for _, d := range rep.Decisions {
		outcomes[d.Decision]++
	}
	if outcomes["bump"] != 1 || outcomes["deferred"] != 2 || len(f.openPRs()) != 1 {
		t.Errorf("decisions %v, open PRs %d; want 1 bump, 2 deferred, 1 PR", outcomes, len(f.openPRs()))
	}
	// The next pass opens the next one; the first PR's update is free.
	f.pass(exitOK, "--max-new-prs", "1")
	if n := len(f.openPRs()); n != 2 {
		t.Errorf("second pass: %d open PRs, want 2", n)
	}
}

func TestMinAgeCooldown(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"cool": -1, "hot": -1}, 1)
	now := time.Now()
	old := gittest.CommitOptions{When: now.Add(-100 * time.Hour)}
	fresh := gittest.CommitOptions{When: now.Add(-1 * time.Hour)}
	// cool: an old commit, then a fresh one: the old one is proposed.
	cool := f.ups["cool"].repo
	oldCommit := cool.Commit("main", "old enough", gittest.Files(map[string]string{"x": "1"}), old)
	cool.Commit("main", "too fresh", gittest.Files(map[string]string{"x": "2"}), fresh)
	// hot: only a fresh commit past the pin: held.
	f.ups["hot"].repo.Commit("main", "too fresh", gittest.Files(map[string]string{"x": "1"}), fresh)

	rep := f.pass(exitOK, "--min-age", "72h")
	for _, d := range rep.Decisions {
		switch d.Server {
		case "cool":
			if d.Decision != "bump" || d.Target != oldCommit {
				t.Errorf("cool: %s to %s, want bump to the old commit %s (%s)", d.Decision, d.Target, oldCommit, d.Detail)
			}
		case "hot":
			if d.Decision != "held" || !strings.Contains(d.Detail, "cooling down until") {
				t.Errorf("hot: %s (%s), want held, cooling down", d.Decision, d.Detail)
			}
		}
	}
	if _, ok := f.openPRs()["hot"]; ok {
		t.Error("a PR was opened for a commit still cooling down")
	}
}

// TestRewrittenHistoryIsFlagged: upstream force-pushed a history that no
// longer holds the pin. The PR says so loudly and the review blocks it.
func TestRewrittenHistoryIsFlagged(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"rewritten": -1}, 2)
	up := f.ups["rewritten"].repo
	replaced := up.Commit("main", "history rewritten", gittest.Files(map[string]string{"src/main.go": "package main // evil\n"}), gittest.CommitOptions{Orphan: true})
	_ = replaced
	rep := f.pass(exitOK)
	pr, ok := f.openPRs()["rewritten"]
	if !ok {
		t.Fatalf("no PR for the rewritten upstream: %+v", rep)
	}
	if !strings.Contains(pr.Body, "history was rewritten") {
		t.Errorf("PR body does not flag the rewrite:\n%s", pr.Body)
	}
	if !contains(pr.Labels, "security-blocked") || !contains(pr.Labels, "security-risk:critical") {
		t.Errorf("labels %v, want security-blocked and security-risk:critical", pr.Labels)
	}
	runs := f.gh.CheckRuns(pr.HeadSHA)
	if len(runs) != 1 || runs[0].Conclusion != "failure" {
		t.Errorf("check runs %+v, want one failure", runs)
	}
}

// TestKilledAfterPushConverges: a pass dies between pushing the branch
// and opening the PR. The next pass opens the PR without pushing again.
func TestKilledAfterPushConverges(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"solo": 0}, 2)
	f.gh.SetFault(githubtest.Times(100, githubtest.Match("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/pulls"), githubtest.StatusCode(500)))
	f.pass(exitFailed)
	if f.gh.Branch("updater/pin-solo") == "" {
		t.Fatal("the first pass did not push the branch")
	}
	if len(f.gh.Pulls()) != 0 {
		t.Fatal("the first pass opened a PR despite the fault")
	}
	f.gh.SetFault(nil)
	f.gh.ResetLog()
	rep := f.pass(exitOK)
	if d, outcome, _ := rep.of("solo"); d != "bump" || outcome != "opened" {
		t.Errorf("second pass: %s/%s, want bump/opened", d, outcome)
	}
	if p := f.pushes(); p != 0 {
		t.Errorf("second pass pushed %d times, want 0 (the branch was already right)", p)
	}
	if n := len(f.openPRs()); n != 1 {
		t.Errorf("%d open PRs, want 1", n)
	}
}

func TestDryRunWithGitHubSaysWhatItWouldDo(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"one": 0, "two": 0}, 2)
	f.pass(exitOK, "--server", "one")
	f.ups["one"].repo.Commit("main", "one more", gittest.Files(map[string]string{"y": "1"}))
	f.gh.ResetLog()
	rep := f.pass(exitOK, "--dry-run")
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("dry run wrote: %+v", w)
	}
	pr, _ := f.botPR("one")
	got := map[string]string{}
	for _, d := range rep.Decisions {
		if d.PR != nil {
			got[d.Server] = fmt.Sprintf("%s #%d", d.PR.Outcome, d.PR.Number)
		}
	}
	want := map[string]string{"one": fmt.Sprintf("would-update #%d", pr.Number), "two": "would-open #0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

// reviewComments are the bodies of a PR's review report comments.
func (f *registryFixture) reviewComments(pr int) []string {
	var out []string
	for _, c := range f.gh.Comments(pr) {
		if strings.Contains(c.Body, "# Security Review Report") {
			out = append(out, c.Body)
		}
	}
	return out
}

// reviewComment is a PR's one review report ("" when none; the test fails
// when there are several: the report is updated in place).
func (f *registryFixture) reviewComment(pr int) string {
	f.t.Helper()
	all := f.reviewComments(pr)
	if len(all) > 1 {
		f.t.Fatalf("PR #%d has %d review comments, want one updated in place", pr, len(all))
	}
	if len(all) == 0 {
		return ""
	}
	return all[0]
}
