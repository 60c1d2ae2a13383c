package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// passFixture is a registry on disk, the same files on the base branch
// of a fake registry remote, and fakes for everything else runPass uses.
type passFixture struct {
	t        *testing.T
	files    map[string]string // slash path -> content
	resolver *fakeResolver
	history  *fakeHistory
	guard    *writeGuard
	forge    *fakeForge
	remote   *fakeRemote
	opts     Options
	// offline leaves out the forge and the remote: a dry run without
	// GitHub.
	offline bool
}

var passStart = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)

func newPassFixture(t *testing.T) *passFixture {
	guard := &writeGuard{}
	f := &passFixture{
		t: t, files: map[string]string{}, resolver: newFakeResolver(), history: newFakeHistory(),
		guard: guard, forge: newFakeForge(guard), remote: newFakeRemote(guard),
	}
	f.forge.remote = f.remote
	f.opts.Defaults()
	f.opts.Concurrency = 4
	f.opts.Review = "off"
	f.opts.BaseBranch = "main"
	f.opts.Logger = slog.New(slog.DiscardHandler)
	f.opts.Now = func() time.Time { return passStart }
	return f
}

func projectOf(name string) string { return "https://github.com/example/" + name }

// file adds servers/<name>/server.yaml with content, locally and on the
// base branch.
func (f *passFixture) file(name, content string) {
	p := registry.ServerPath(name)
	f.files[p] = content
	f.remote.setBaseFile(p, []byte(content))
}

// server adds a locally built server pinned to pin, following branch
// ("" = the default branch) of its own project, whose upstream now points
// at head.
func (f *passFixture) server(name, branch, pin, head string) {
	f.file(name, serverFile(name, projectOf(name), branch, pin))
	ref, kind := "refs/heads/main", upstream.KindDefaultBranch
	if branch != "" {
		ref, kind = "refs/heads/"+branch, upstream.KindBranch
	}
	f.resolver.set(projectOf(name), branch, upstream.Resolution{Kind: kind, Ref: ref, Commit: head, Via: "git"}, nil)
	f.history.ranges[projectOf(name)] = &ranges.Range{BaseFound: true, Ancestor: true, TotalCommits: 2, Base: pin, Head: head}
}

func serverFile(name, project, branch, pin string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nimage: mcp/%s\ntype: server\nsource:\n  project: %s\n", name, name, project)
	if branch != "" {
		fmt.Fprintf(&b, "  branch: %s\n", branch)
	}
	fmt.Fprintf(&b, "  commit: %s\n", pin)
	return b.String()
}

// botPR adds a bot PR for server name proposing from..to.
func (f *passFixture) botPR(name string, number int, state string, merged bool, from, to string) {
	f.forge.addPull(github.PullRequest{
		Number: number, State: state, Merged: merged, Head: f.opts.BranchPrefix + name, Base: "main",
		Title: "Update " + name + " pin to " + short(to),
		Body:  "Updates the pin.\n\n" + marker{name, from, to}.String() + "\n",
		// Labelled as a pass that ran to its end leaves it, review off.
		Labels: []string{"pin-update"},
	})
}

// pushedBefore makes the bot branch of name hold the rewrite to target,
// as a previous pass left it.
func (f *passFixture) pushedBefore(name, target string) {
	p := registry.ServerPath(name)
	want, err := registry.SetPin([]byte(f.files[p]), registry.Pin{Commit: target})
	if err != nil {
		f.t.Fatal(err)
	}
	f.remote.seedBranch(f.opts.BranchPrefix+name, p, want)
}

func (f *passFixture) deps() *deps {
	d := &deps{resolver: f.resolver, history: f.history}
	if !f.offline {
		d.forge, d.remote = f.forge, f.remote
	}
	return d
}

func (f *passFixture) run(ctx context.Context) *Report {
	f.t.Helper()
	f.opts.Registry = registrytest.NewRegistry(f.t, f.files)
	rep, err := runPass(ctx, &f.opts, f.deps())
	if err != nil {
		f.t.Fatalf("runPass: %v", err)
	}
	return rep
}

// outcomes renders each decision as "action[ outcome[#n]]", by server.
func outcomes(rep *Report) map[string]string {
	out := map[string]string{}
	for _, d := range rep.Decisions {
		s := string(d.Action)
		if d.PR != nil {
			s += " " + string(d.PR.Outcome)
			if d.PR.Number > 0 {
				s += fmt.Sprintf("#%d", d.PR.Number)
			}
		}
		out[d.Server] = s
	}
	return out
}

func decisionOf(t *testing.T, rep *Report, server string) Decision {
	t.Helper()
	for _, d := range rep.Decisions {
		if d.Server == server {
			return d
		}
	}
	t.Fatalf("no decision for %s", server)
	return Decision{}
}

func assertOutcomes(t *testing.T, rep *Report, want map[string]string) {
	t.Helper()
	if got := outcomes(rep); !reflect.DeepEqual(got, want) {
		t.Errorf("decisions:\n got %v\nwant %v", got, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func assertLog(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestRunPassDecisions(t *testing.T) {
	pin, head, other := testSHA('a'), testSHA('c'), testSHA('e')
	f := newPassFixture(t)
	f.server("bumped", "", pin, head)
	f.server("current", "main", pin, pin)
	f.server("kept", "", pin, head)
	f.botPR("kept", 7, "open", false, pin, head)
	f.pushedBefore("kept", head)
	f.server("moved", "", pin, head) // its open PR proposes an older target
	f.botPR("moved", 8, "open", false, pin, other)
	f.pushedBefore("moved", other)
	f.server("rejected", "", pin, head)
	f.botPR("rejected", 5, "closed", false, pin, head)
	f.server("stale", "", head, head) // pinned by hand since its PR opened
	f.botPR("stale", 6, "open", false, pin, head)
	f.pushedBefore("stale", head)
	f.server("frozen", "refs/pull/7/merge", pin, "")
	f.resolver.set(projectOf("frozen"), "refs/pull/7/merge", upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/pull/7/merge", Frozen: "follows pull request ref refs/pull/7/merge"}, nil)
	f.server("down", "", pin, "")
	f.resolver.set(projectOf("down"), "", upstream.Resolution{}, errors.New("https://github.com/example/down: connection refused"))
	f.file("remote", "name: remote\ntype: remote\nremote: {url: https://example.com/mcp}\n")
	f.file("broken", "name: broken\ntype: server\nsource: [unclosed\n")

	rep := f.run(context.Background())

	assertOutcomes(t, rep, map[string]string{
		"bumped":   "bump opened#101",
		"current":  "up-to-date",
		"kept":     "bump unchanged#7",
		"moved":    "bump updated#8",
		"rejected": "held held#5",
		"stale":    "up-to-date closed#6",
		"frozen":   "frozen",
		"down":     "error",
		"remote":   "skipped",
		"broken":   "error",
	})
	var names []string
	for _, d := range rep.Decisions {
		names = append(names, d.Server)
	}
	if want := []string{"broken", "bumped", "current", "down", "frozen", "kept", "moved", "rejected", "remote", "stale"}; !reflect.DeepEqual(names, want) {
		t.Errorf("report order %v, want by name", names)
	}
	if !rep.Failed() {
		t.Error("the report does not fail with two errors")
	}
	if d := decisionOf(t, rep, "rejected"); d.Detail != "closed by a maintainer (#5)" {
		t.Errorf("rejected detail %q", d.Detail)
	}
	if d := decisionOf(t, rep, "down"); !strings.Contains(d.Detail, "connection refused") {
		t.Errorf("down detail %q", d.Detail)
	}
	if d := decisionOf(t, rep, "bumped"); d.Target != head || d.Commits != 2 || !d.PR.Pushed {
		t.Errorf("bumped: target %s, commits %d, pushed %v", d.Target, d.Commits, d.PR.Pushed)
	}

	// Writes only where something changes, one server at a time (in the
	// order their inspections finish: sorted here).
	assertLog(t, "pushes", sorted(f.remote.pushed()), []string{"updater/pin-bumped", "updater/pin-moved"})
	writes := f.forge.log()
	assertLog(t, "forge writes", sorted(writes), []string{
		"close #6: The pin of this server is already `ccccccc` on the base branch; this PR is no longer needed.",
		"create updater/pin-bumped",
		"delete-branch updater/pin-stale",
		"edit #8",
	})
	if slices.Index(writes, "delete-branch updater/pin-stale") < slices.IndexFunc(writes, func(w string) bool { return strings.HasPrefix(w, "close #6") }) {
		t.Errorf("stale's branch deleted before its PR closed: %q", writes)
	}
	if f.forge.lists != 1 {
		t.Errorf("%d PR listings, want 1 for the whole pass", f.forge.lists)
	}
	created := f.forge.pull(101)
	if created.Title != "Update bumped pin to ccccccc" || created.Base != "main" || !reflect.DeepEqual(created.Labels, []string{"pin-update"}) {
		t.Errorf("created PR: %+v", created)
	}
	if m, ok := parseMarker(created.Body); !ok || m != (marker{"bumped", pin, head}) {
		t.Errorf("created PR marker %+v, %v", m, ok)
	}
	// The pushed branch holds the base file with only the pin changed.
	info, _ := f.remote.Branch("updater/pin-bumped")
	got, _, _ := f.remote.ReadFile(info.Tip, "servers/bumped/server.yaml")
	if want := strings.Replace(f.files["servers/bumped/server.yaml"], pin, head, 1); string(got) != want {
		t.Errorf("pushed file:\n%s\nwant:\n%s", got, want)
	}
	if f.resolver.pins[projectOf("bumped")] != pin {
		t.Errorf("resolved with pin %q, want the current pin as the ETag", f.resolver.pins[projectOf("bumped")])
	}

	// A second pass with nothing moved writes nothing.
	before := len(f.forge.log())
	rep = f.run(context.Background())
	if writes := f.forge.log()[before:]; len(writes) != 0 {
		t.Errorf("second pass wrote %q", writes)
	}
	if pushes := f.remote.pushed(); len(pushes) != 2 {
		t.Errorf("second pass pushed: %q", pushes)
	}
	if got := outcomes(rep)["bumped"]; got != "bump unchanged#101" {
		t.Errorf("second pass: bumped %s", got)
	}
}

func TestRunPassSharesResolution(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.offline = true
	f.opts.DryRun = true
	mono := "https://github.com/example/monorepo"
	for _, s := range []struct{ name, branch string }{{"mono-a", ""}, {"mono-b", ""}, {"mono-c", "main"}, {"mono-d", ""}} {
		f.file(s.name, serverFile(s.name, mono, s.branch, pin))
	}
	f.resolver.set(mono, "", upstream.Resolution{Kind: upstream.KindDefaultBranch, Ref: "refs/heads/main", Commit: head}, nil)
	f.resolver.set(mono, "main", upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/main", Commit: head}, nil)
	f.server("solo", "", pin, pin)

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{
		"mono-a": "bump would-open", "mono-b": "bump would-open", "mono-c": "bump would-open", "mono-d": "bump would-open",
		"solo": "up-to-date",
	})
	for _, c := range []struct {
		project, branch string
		want            int
	}{{mono, "", 1}, {mono, "main", 1}, {projectOf("solo"), "", 1}} {
		if got := f.resolver.callsTo(c.project, c.branch); got != c.want {
			t.Errorf("%s@%q resolved %d times, want %d", c.project, c.branch, got, c.want)
		}
	}
}

func TestRunPassResolvesInParallelAndWritesOneAtATime(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.resolver.together = 4
	want := map[string]string{}
	for i := range 8 {
		name := fmt.Sprintf("srv%d", i)
		f.server(name, "", pin, head)
		want[name] = "bump opened"
	}
	// Reviews add labels, a check and a comment per PR: more writes that
	// must not overlap.
	f.opts.Review = "builtin"

	rep := f.run(context.Background())
	got, numbers := map[string]string{}, map[int]bool{}
	for _, d := range rep.Decisions {
		got[d.Server] = string(d.Action) + " " + string(d.PR.Outcome)
		numbers[d.PR.Number] = true
	}
	if !reflect.DeepEqual(got, want) || len(numbers) != 8 {
		t.Errorf("decisions %v with %d PR numbers, want %v and 8 PRs", got, len(numbers), want)
	}
	if got := f.resolver.maxInflight; got < 2 {
		t.Errorf("at most %d resolution in flight with --concurrency 4, want them in parallel", got)
	}
	if got := f.resolver.maxInflight; got > 4 {
		t.Errorf("%d resolutions in flight, more than --concurrency 4", got)
	}
	if got := f.guard.peak(); got != 1 {
		t.Errorf("%d writes in flight at once, want 1", got)
	}
	if n := len(f.forge.log()); n != 8*5 {
		t.Errorf("%d forge writes, want 8 x (create, check, comment, verdict line, risk labels): %q", n, f.forge.log())
	}
}

func TestRunPassPublishesTheReview(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.opts.Review = "builtin"
	f.server("demo", "", pin, head)
	f.history.ranges[projectOf("demo")].Ancestor = false // rewritten history: blocked

	rep := f.run(context.Background())
	d := decisionOf(t, rep, "demo")
	if d.Review == nil || !d.Review.Blocked || d.Review.Check != "failure" {
		t.Fatalf("review %+v, want a blocked failure", d.Review)
	}
	if got := f.forge.pulls[0].Labels; !slices.Equal(got, []string{"pin-update", "security-risk:" + d.Review.Risk, "security-blocked"}) {
		t.Errorf("PR labels %q", got)
	}
	info, _ := f.remote.Branch("updater/pin-demo")
	assertLog(t, "forge writes", f.forge.log(), []string{
		"create updater/pin-demo",
		"check security-review/demo " + info.Tip + " failure",
		"comment #101 " + reviewMarker,
		"edit #101", // the verdict line, linking to the comment
		// The risk labels last: their presence means the review is whole.
		"add-labels #101 security-risk:" + d.Review.Risk + ",security-blocked",
	})
	body := f.forge.pulls[0].Body
	const want = "**Security review:** risk **critical**, **blocked** · check `security-review/demo`: failure · [report](https://github.com/acme/registry/pull/101#issuecomment-101)\n\n"
	if !strings.HasPrefix(body, want) {
		t.Errorf("the body does not open with the verdict line %q:\n%s", want, body)
	}
}

func TestRunPassCancelFinishesTheWriteInFlight(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	for _, name := range []string{"a", "b", "c"} {
		f.server(name, "", pin, head)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A shutdown signal arrives while the first server's PR is being
	// created, after its branch was pushed.
	f.forge.onCreate = func(github.NewPull) { cancel() }

	rep := f.run(ctx)
	// Which server goes first is whichever inspection finished first.
	pushed := f.remote.pushed()
	if len(pushed) != 1 {
		t.Fatalf("pushes %q, want one", pushed)
	}
	first := strings.TrimPrefix(pushed[0], "updater/pin-")
	want := map[string]string{"a": "bump", "b": "bump", "c": "bump"}
	want[first] = "bump opened#101"
	assertOutcomes(t, rep, want)
	assertLog(t, "forge writes", f.forge.log(), []string{"create updater/pin-" + first})
	if f.guard.cancelled != 0 {
		t.Errorf("%d writes ran with a cancelled context", f.guard.cancelled)
	}
}

// TestRunPassHungUpstreamDelaysNoOtherWrite: one upstream's range fetch
// hangs; the other server's PR is opened meanwhile (its creation is what
// releases the hang), and the hung fetch ran under --timeout.
func TestRunPassHungUpstreamDelaysNoOtherWrite(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.opts.Timeout = 5 * time.Second // ends the hang if the fast write never comes
	f.server("fast", "", pin, head)
	f.server("hung", "", pin, head)
	release := make(chan struct{})
	f.history.hang[projectOf("hung")] = release
	f.forge.onCreate = func(p github.NewPull) {
		if p.Head == "updater/pin-fast" {
			close(release)
		}
	}
	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"fast": "bump opened#101", "hung": "bump opened#102"})
	if got := f.history.hangEnd[projectOf("hung")]; got != "released, deadline true" {
		t.Errorf("the hung fetch ended %q, want released by the other server's write, under a deadline", got)
	}
}

// TestRunPassCancelClosesNothingMore: once a shutdown is asked for, no new
// write starts, the closing of removed servers' PRs included.
func TestRunPassCancelClosesNothingMore(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.server("a", "", pin, head)
	f.botPR("gone", 4, "open", false, pin, head)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.forge.onCreate = func(github.NewPull) { cancel() }

	f.run(ctx)
	assertLog(t, "forge writes", f.forge.log(), []string{"create updater/pin-a"})
}

func TestRunPassRateLimitDefers(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	for _, name := range []string{"a", "b", "c"} {
		f.server(name, "", pin, head)
	}
	f.forge.failCreate["updater/pin-b"] = fmt.Errorf("creating: %w", &github.RateLimitError{
		Secondary: true, Method: "POST", Path: "/repos/acme/registry/pulls", Wait: time.Hour, MaxWait: 5 * time.Minute,
	})

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"a": "bump opened#101", "b": "deferred", "c": "bump opened#102"})
	if d := decisionOf(t, rep, "b"); !strings.HasPrefix(d.Detail, "GitHub rate limit: ") || !strings.Contains(d.Detail, "secondary") {
		t.Errorf("b detail %q", d.Detail)
	}
	if rep.Failed() {
		t.Error("a rate-limited server failed the pass; it is deferred")
	}
}

func TestRunPassWriteErrorFailsOnlyThatServer(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	for _, name := range []string{"a", "b"} {
		f.server(name, "", pin, head)
	}
	f.forge.failCreate["updater/pin-a"] = errors.New("500: server error")

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"a": "error", "b": "bump opened#101"})
	if d := decisionOf(t, rep, "a"); !strings.Contains(d.Detail, "opening the pull request: 500: server error") {
		t.Errorf("a detail %q", d.Detail)
	}
}

func TestRunPassClosesPRsOfRemovedServers(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	closeGone := []string{
		"close #4: This server was removed from the registry; closing.",
		"delete-branch updater/pin-gone",
	}
	for _, tc := range []struct {
		name  string
		setup func(f *passFixture)
		want  []string
	}{
		{"closed", func(f *passFixture) {}, closeGone},
		{"not with --server", func(f *passFixture) { f.opts.Servers = []string{"here"} }, nil},
		{"not from another shard", func(f *passFixture) { f.opts.Shard = Shard{Index: 3 - shardOf("gone", 2), Count: 2} }, nil},
		{"from its own shard", func(f *passFixture) { f.opts.Shard = Shard{Index: shardOf("gone", 2), Count: 2} }, closeGone},
		{"not in a dry run", func(f *passFixture) { f.opts.DryRun = true }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPassFixture(t)
			f.server("here", "", pin, pin)
			f.botPR("gone", 4, "open", false, pin, head)
			f.botPR("gone-too", 3, "closed", false, pin, head)
			tc.setup(f)
			f.run(context.Background())
			assertLog(t, "forge writes", f.forge.log(), tc.want)
		})
	}
}

// TestRunPassClosesPRsOfIneligibleServers: a server that stopped being a
// pinned, locally built one (now remote, or unpinned) keeps no bot PR.
func TestRunPassClosesPRsOfIneligibleServers(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.file("went-remote", "name: went-remote\ntype: remote\nremote: {url: https://example.com/mcp}\n")
	f.botPR("went-remote", 4, "open", false, pin, head)
	f.remote.seedBranch("updater/pin-went-remote", "servers/went-remote/server.yaml", []byte("pinned once"))

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"went-remote": "skipped closed#4"})
	assertLog(t, "forge writes", f.forge.log(), []string{
		"close #4: This server no longer has a pin for the bot to move (remote server: nothing is built from source); closing.",
		"delete-branch updater/pin-went-remote",
	})
}

func TestRunPassLeavesPRsOfFailingServersAlone(t *testing.T) {
	pin, head := testSHA('a'), testSHA('c')
	f := newPassFixture(t)
	f.server("down", "", pin, "")
	f.resolver.set(projectOf("down"), "", upstream.Resolution{}, errors.New("connection refused"))
	// Two open PRs: a duplicate left by an interrupted run.
	f.botPR("down", 4, "open", false, pin, head)
	f.botPR("down", 9, "open", false, pin, head)

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"down": "error"})
	assertLog(t, "forge writes", f.forge.log(), nil)
}

func TestRunPassMaxNewPRs(t *testing.T) {
	pin, head, other := testSHA('a'), testSHA('c'), testSHA('e')
	f := newPassFixture(t)
	f.opts.MaxNewPRs = 1
	for _, name := range []string{"a", "b", "c", "d"} {
		f.server(name, "", pin, head)
	}
	// An update of an existing PR does not count toward the cap.
	f.botPR("b", 4, "open", false, pin, other)
	f.pushedBefore("b", other)

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"a": "bump opened#101", "b": "bump updated#4", "c": "deferred deferred", "d": "deferred deferred"})
	if d := decisionOf(t, rep, "c"); d.Detail != "--max-new-prs 1 reached in this pass" {
		t.Errorf("c detail %q", d.Detail)
	}
	assertLog(t, "pushes", sorted(f.remote.pushed()), []string{"updater/pin-a", "updater/pin-b"})
}

func TestRunPassDryRunWritesNothing(t *testing.T) {
	pin, head, other := testSHA('a'), testSHA('c'), testSHA('e')
	f := newPassFixture(t)
	f.opts.DryRun = true
	f.server("new", "", pin, head)
	f.server("moved", "", pin, head)
	f.botPR("moved", 4, "open", false, pin, other)
	f.server("stale", "", head, head)
	f.botPR("stale", 5, "open", false, pin, head)
	f.server("leftover", "", head, head)
	f.pushedBefore("leftover", head)

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{
		"new": "bump would-open", "moved": "bump would-update#4", "stale": "up-to-date would-close#5",
		"leftover": "up-to-date would-delete-branch",
	})
	assertLog(t, "forge writes", f.forge.log(), nil)
	assertLog(t, "pushes", f.remote.pushed(), nil)
	if f.history.rangeCalls != 0 {
		t.Errorf("a dry run inspected %d ranges", f.history.rangeCalls)
	}
}

func TestRunPassCooldown(t *testing.T) {
	pin, mid, head := testSHA('a'), testSHA('d'), testSHA('c')
	f := newPassFixture(t)
	f.offline = true
	f.opts.DryRun = true
	f.opts.MinAge = 72 * time.Hour
	f.server("fresh", "", pin, head)
	f.server("older", "", pin, head)
	f.history.newest[projectOf("older")] = mid
	f.history.times[head] = passStart.Add(-time.Hour)
	f.history.times[mid] = passStart.Add(-100 * time.Hour)

	rep := f.run(context.Background())
	assertOutcomes(t, rep, map[string]string{"fresh": "held", "older": "bump would-open"})
	fresh := decisionOf(t, rep, "fresh")
	if want := passStart.Add(71 * time.Hour); fresh.CoolingUntil == nil || !fresh.CoolingUntil.Equal(want) {
		t.Errorf("fresh cooling until %v, want %v", fresh.CoolingUntil, want)
	}
	if older := decisionOf(t, rep, "older"); older.Target != mid || older.Latest != head {
		t.Errorf("older: target %s latest %s, want the older commit proposed", older.Target, older.Latest)
	}
}

func TestRunPassProgress(t *testing.T) {
	pin := testSHA('a')
	f := newPassFixture(t)
	f.offline = true
	f.opts.DryRun = true
	var progress registrytest.LockedBuffer
	f.opts.Progress = &progress
	for _, name := range []string{"a", "b", "c"} {
		f.server(name, "", pin, pin)
	}
	f.file("remote", "name: remote\ntype: remote\nremote: {url: https://example.com/mcp}\n")

	f.run(context.Background())
	out := progress.String()
	// Only resolved servers count; the line is rewritten in place
	// (\r, clear to the end of the line) and cleared at the end, so the
	// table starts on a clean line.
	for n := 1; n <= 3; n++ {
		if c := strings.Count(out, fmt.Sprintf("\r\x1b[Kresolved %d/3", n)); c != 1 {
			t.Errorf("progress %q shows resolved %d/3 %d times", out, n, c)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") || strings.Contains(out, "\n") {
		t.Errorf("progress %q: want it cleared at the end, no new line", out)
	}
}

func TestRunPassUsageErrors(t *testing.T) {
	f := newPassFixture(t)
	f.server("a", "", testSHA('a'), testSHA('a'))
	f.opts.Servers = []string{"nope"}
	f.opts.Registry = registrytest.NewRegistry(t, f.files)
	_, err := runPass(context.Background(), &f.opts, f.deps())
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "nope") {
		t.Errorf("unknown --server: err %v, want a usage error naming it", err)
	}

	f.opts.Servers = nil
	f.opts.Registry = t.TempDir() // no servers/ directory
	_, err = runPass(context.Background(), &f.opts, f.deps())
	if !errors.As(err, &ue) {
		t.Errorf("unusable registry: err %v, want a usage error", err)
	}
}
