package updater

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Hand-written, stateful fakes of the interfaces in deps.go: no git, no
// HTTP. Each is safe for concurrent use, as the pass requires.

// fakeUpstream is what the fake resolver answers for one project and
// source.branch.
type fakeUpstream struct {
	res upstream.Resolution
	err error
}

// fakeResolver answers from a table keyed by "project@branch" and counts
// calls. With together > 0, each call waits (up to a second) until that
// many calls are in flight at once, so a test can prove the resolution
// runs in parallel without sleeping on a hunch.
type fakeResolver struct {
	upstreams map[string]fakeUpstream
	together  int

	mu          sync.Mutex
	calls       map[string]int
	pins        map[string]string // the Pin each project was asked with
	inflight    int
	maxInflight int
	release     chan struct{}
	released    bool
}

func newFakeResolver() *fakeResolver {
	return &fakeResolver{upstreams: map[string]fakeUpstream{}, calls: map[string]int{}, pins: map[string]string{}, release: make(chan struct{})}
}

func upstreamKey(project, branch string) string { return project + "@" + branch }

// set makes project (followed at branch) resolve to res.
func (r *fakeResolver) set(project, branch string, res upstream.Resolution, err error) {
	r.upstreams[upstreamKey(project, branch)] = fakeUpstream{res, err}
}

func (r *fakeResolver) Resolve(ctx context.Context, u upstream.Upstream) (upstream.Resolution, error) {
	key := upstreamKey(u.Project, u.Branch)
	r.mu.Lock()
	r.calls[key]++
	r.pins[u.Project] = u.Pin
	r.inflight++
	r.maxInflight = max(r.maxInflight, r.inflight)
	if r.together > 0 && r.inflight >= r.together && !r.released {
		r.released = true
		close(r.release)
	}
	up, ok := r.upstreams[key]
	r.mu.Unlock()

	if r.together > 0 {
		select {
		case <-r.release:
		case <-time.After(time.Second):
		}
	}
	r.mu.Lock()
	r.inflight--
	r.mu.Unlock()
	if !ok {
		return upstream.Resolution{}, fmt.Errorf("%s: repository not found", u.Project)
	}
	return up.res, up.err
}

func (r *fakeResolver) callsTo(project, branch string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[upstreamKey(project, branch)]
}

// fakeHistory serves ranges and cooldown answers from tables keyed by
// project.
type fakeHistory struct {
	ranges map[string]*ranges.Range
	newest map[string]string    // project -> newest commit old enough ("" = none)
	times  map[string]time.Time // sha -> commit time
	builds map[string]upstream.BuildCheck

	// hang makes Range of a project wait until its channel is closed or
	// its context ends (or a guard gives up); hangEnd records which it was
	// and whether the context carried a deadline.
	hang    map[string]chan struct{}
	hangEnd map[string]string

	mu         sync.Mutex
	rangeCalls int
}

func newFakeHistory() *fakeHistory {
	return &fakeHistory{ranges: map[string]*ranges.Range{}, newest: map[string]string{}, times: map[string]time.Time{},
		hang: map[string]chan struct{}{}, hangEnd: map[string]string{}, builds: map[string]upstream.BuildCheck{}}
}

func (h *fakeHistory) FullRange(ctx context.Context, q upstream.RangeQuery) (*ranges.Range, error) {
	return nil, errors.New("fakeHistory: no full review")
}

func (h *fakeHistory) Range(ctx context.Context, q upstream.RangeQuery) (*ranges.Range, error) {
	h.mu.Lock()
	h.rangeCalls++
	h.mu.Unlock()
	if release, ok := h.hang[q.Project]; ok {
		_, bounded := ctx.Deadline()
		end := "released"
		select {
		case <-release:
		case <-ctx.Done():
			end = ctx.Err().Error()
		case <-time.After(20 * time.Second): // a guard: a test never hangs
			end = "never released"
		}
		h.mu.Lock()
		h.hangEnd[q.Project] = fmt.Sprintf("%s, deadline %v", end, bounded)
		h.mu.Unlock()
	}
	r, ok := h.ranges[q.Project]
	if !ok {
		return nil, fmt.Errorf("%s: no range %s..%s", q.Project, short(q.Base), short(q.Head))
	}
	return r, nil
}

func (h *fakeHistory) NewestBefore(ctx context.Context, project, ref, head string, cutoff time.Time) (string, time.Time, error) {
	sha := h.newest[project]
	if sha == "" {
		return "", time.Time{}, fmt.Errorf("%s: %w", project, upstream.ErrNoCommitOldEnough)
	}
	return sha, h.times[sha], nil
}

func (h *fakeHistory) IsAncestor(ctx context.Context, project, ref, ancestor, descendant string) (bool, error) {
	return false, nil
}

func (h *fakeHistory) CommitTime(ctx context.Context, project, ref, sha string) (time.Time, error) {
	t, ok := h.times[sha]
	if !ok {
		return time.Time{}, fmt.Errorf("%s: no commit %s", project, sha)
	}
	return t, nil
}

// CheckBuild answers from builds (by project); build inputs are fine
// where it has no entry.
func (h *fakeHistory) CheckBuild(ctx context.Context, project, ref, base, head string, in upstream.BuildInputs) (upstream.BuildCheck, error) {
	return h.builds[project], nil
}

func (h *fakeHistory) Checkout(ctx context.Context, project, base, head, dst string) ([]ranges.Skip, error) {
	return nil, errors.New("fakeHistory: Checkout is not used by these tests")
}

// writeGuard counts writes to the registry repository (pushes and GitHub
// calls that change something) in flight, to prove they never overlap.
type writeGuard struct {
	mu          sync.Mutex
	inflight    int
	maxInflight int
	// cancelled counts writes that started with a cancelled context: a
	// shutdown must let the write in flight finish, not cut it short.
	cancelled int
}

func (g *writeGuard) enter(ctx context.Context) {
	g.mu.Lock()
	g.inflight++
	g.maxInflight = max(g.maxInflight, g.inflight)
	if ctx.Err() != nil {
		g.cancelled++
	}
	g.mu.Unlock()
	// Widen the window in which an overlapping write would be seen.
	time.Sleep(time.Millisecond)
}

func (g *writeGuard) leave() {
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
}

func (g *writeGuard) peak() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.maxInflight
}

// fakeForge is the registry repository's pull requests, with GitHub's
// semantics where the pass depends on them. calls logs every write in
// order, as "verb args".
type fakeForge struct {
	guard *writeGuard
	// remote, when set, loses the branches DeleteBranch deletes.
	remote *fakeRemote
	// failCreate makes CreatePull fail for a head branch.
	failCreate map[string]error
	// onCreate runs inside CreatePull, before the PR exists.
	onCreate func(p github.NewPull)

	mu    sync.Mutex
	pulls []github.PullRequest
	next  int
	calls []string
	lists int
	// closedBy records who closed a PR: the bot, for those ClosePull
	// closed; a PR a test adds closed was closed by a maintainer.
	closedBy map[int]string
}

func newFakeForge(guard *writeGuard) *fakeForge {
	return &fakeForge{guard: guard, failCreate: map[string]error{}, next: 100, closedBy: map[int]string{}}
}

// addPull records an existing PR.
func (f *fakeForge) addPull(pr github.PullRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pr.URL == "" {
		pr.URL = fmt.Sprintf("https://github.com/acme/registry/pull/%d", pr.Number)
	}
	if pr.User == "" {
		pr.User = fakeBot
	}
	f.pulls = append(f.pulls, pr)
}

func (f *fakeForge) pull(number int) github.PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, pr := range f.pulls {
		if pr.Number == number {
			return pr
		}
	}
	return github.PullRequest{}
}

func (f *fakeForge) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeForge) write(ctx context.Context, format string, args ...any) func() {
	f.guard.enter(ctx)
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	return f.guard.leave
}

func (f *fakeForge) ListPulls(ctx context.Context, headPrefix string) ([]github.PullRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	var out []github.PullRequest
	for i := len(f.pulls) - 1; i >= 0; i-- {
		if strings.HasPrefix(f.pulls[i].Head, headPrefix) {
			pr := f.pulls[i]
			pr.Labels = append([]string(nil), pr.Labels...)
			out = append(out, pr)
		}
	}
	return out, nil
}

func (f *fakeForge) CreatePull(ctx context.Context, p github.NewPull) (github.PullRequest, error) {
	defer f.write(ctx, "create %s", p.Head)()
	if f.onCreate != nil {
		f.onCreate(p)
	}
	if err := f.failCreate[p.Head]; err != nil {
		return github.PullRequest{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, pr := range f.pulls {
		if pr.Head == p.Head && pr.State == "open" {
			return github.PullRequest{}, fmt.Errorf("422: a pull request already exists for %s", p.Head)
		}
	}
	f.next++
	pr := github.PullRequest{
		Number: f.next, State: "open", Title: p.Title, Body: p.Body, Head: p.Head, Base: p.Base, User: fakeBot,
		URL: fmt.Sprintf("https://github.com/acme/registry/pull/%d", f.next), Labels: append([]string(nil), p.Labels...),
	}
	f.pulls = append(f.pulls, pr)
	return pr, nil
}

func (f *fakeForge) edit(number int, fn func(pr *github.PullRequest)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pulls {
		if f.pulls[i].Number == number {
			fn(&f.pulls[i])
			return nil
		}
	}
	return fmt.Errorf("404: no pull request #%d", number)
}

func (f *fakeForge) EditPull(ctx context.Context, number int, title, body string) error {
	defer f.write(ctx, "edit #%d", number)()
	return f.edit(number, func(pr *github.PullRequest) { pr.Title, pr.Body = title, body })
}

func (f *fakeForge) ClosePull(ctx context.Context, number int, comment string) error {
	defer f.write(ctx, "close #%d: %s", number, comment)()
	return f.edit(number, func(pr *github.PullRequest) { pr.State, f.closedBy[number] = "closed", fakeBot })
}

// fakeBot is the login of the bot's pull requests in these tests.
const fakeBot = "updater-bot"

func (f *fakeForge) ClosedBy(ctx context.Context, number int) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if who, ok := f.closedBy[number]; ok {
		return who, nil
	}
	return "registry-maintainer", nil
}

func (f *fakeForge) DeleteBranch(ctx context.Context, branch string) error {
	defer f.write(ctx, "delete-branch %s", branch)()
	if f.remote != nil {
		f.remote.mu.Lock()
		delete(f.remote.branches, branch)
		f.remote.mu.Unlock()
	}
	return nil
}

func (f *fakeForge) AddLabels(ctx context.Context, number int, labels []string) error {
	defer f.write(ctx, "add-labels #%d %s", number, strings.Join(labels, ","))()
	return f.edit(number, func(pr *github.PullRequest) { pr.Labels = append(pr.Labels, labels...) })
}

func (f *fakeForge) RequestPeople(ctx context.Context, number int, reviewers, assignees []string) error {
	defer f.write(ctx, "request-people #%d %s %s", number, strings.Join(reviewers, ","), strings.Join(assignees, ","))()
	return nil
}

func (f *fakeForge) RemoveLabel(ctx context.Context, number int, label string) error {
	defer f.write(ctx, "remove-label #%d %s", number, label)()
	return f.edit(number, func(pr *github.PullRequest) {
		pr.Labels = deleteString(pr.Labels, label)
	})
}

func deleteString(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func (f *fakeForge) UpsertComment(ctx context.Context, number int, marker, body string) error {
	defer f.write(ctx, "comment #%d %s", number, marker)()
	if !strings.HasPrefix(body, marker) {
		return fmt.Errorf("comment on #%d does not start with its marker", number)
	}
	return nil
}

func (f *fakeForge) PutComment(ctx context.Context, number int, marker, body string) (string, error) {
	if err := f.UpsertComment(ctx, number, marker, body); err != nil {
		return "", err
	}
	return fmt.Sprintf("https://github.com/acme/registry/pull/%d#issuecomment-%d", number, number), nil
}

func (f *fakeForge) CommentBody(ctx context.Context, number int, marker string) (string, error) {
	return "", nil
}

func (f *fakeForge) PublishCheck(ctx context.Context, c github.Check) error {
	defer f.write(ctx, "check %s %s %s", c.Name, c.HeadSHA, c.Conclusion)()
	return nil
}

func (f *fakeForge) Dispatch(ctx context.Context, repo, eventType string, payload any) error {
	defer f.write(ctx, "dispatch %s %s", repo, eventType)()
	return nil
}

func (f *fakeForge) WriteBranchViaAPI(ctx context.Context, w github.BranchWrite) (string, error) {
	defer f.write(ctx, "api-write %s", w.Branch)()
	return "", errors.New("fakeForge: the tests push with git")
}

// fakeRemote is the registry repository as one fetch saw it: the base
// branch's files at commit "base" and the bot's branches. Pushes create
// a commit holding the parent's files plus the one rewritten file.
type fakeRemote struct {
	guard *writeGuard

	mu       sync.Mutex
	base     string
	trees    map[string]map[string][]byte // commit -> path -> content
	branches map[string]github.BranchInfo
	pushes   []string // branch names, in order
	n        int
}

func newFakeRemote(guard *writeGuard) *fakeRemote {
	return &fakeRemote{
		guard:    guard,
		base:     testSHA('b'),
		trees:    map[string]map[string][]byte{testSHA('b'): {}},
		branches: map[string]github.BranchInfo{},
	}
}

// setBaseFile puts a file on the base branch.
func (r *fakeRemote) setBaseFile(path string, content []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trees[r.base][path] = bytes.Clone(content)
}

func (r *fakeRemote) BaseTip() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.base
}

func (r *fakeRemote) ReadFile(commit, path string) ([]byte, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tree, ok := r.trees[commit]
	if !ok {
		return nil, false, fmt.Errorf("no commit %s", commit)
	}
	raw, ok := tree[path]
	return bytes.Clone(raw), ok, nil
}

func (r *fakeRemote) FS(commit string) (fs.FS, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tree, ok := r.trees[commit]
	if !ok {
		return nil, fmt.Errorf("no commit %s", commit)
	}
	m := fstest.MapFS{}
	for p, raw := range tree {
		m[p] = &fstest.MapFile{Data: bytes.Clone(raw)}
	}
	return m, nil
}

func (r *fakeRemote) Branch(name string) (github.BranchInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info, ok := r.branches[name]
	return info, ok
}

// seedBranch makes branch hold one commit on the base that sets path to
// content, as a previous pass would have pushed it.
func (r *fakeRemote) seedBranch(branch, path string, content []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commit(branch, r.base, path, content)
}

func (r *fakeRemote) commit(branch, parent, path string, content []byte) string {
	r.n++
	tip := fmt.Sprintf("%040x", 0xface0000+r.n)
	tree := maps.Clone(r.trees[parent])
	tree[path] = bytes.Clone(content)
	r.trees[tip] = tree
	r.branches[branch] = github.BranchInfo{Tip: tip, Parent: parent}
	return tip
}

func (r *fakeRemote) WriteBranch(ctx context.Context, w github.BranchWrite) (string, error) {
	r.guard.enter(ctx)
	defer r.guard.leave()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.trees[w.Parent]; !ok {
		return "", fmt.Errorf("push %s: no parent %s", w.Branch, w.Parent)
	}
	// The lease: the push replaces exactly the tip the pass saw.
	if cur := r.branches[w.Branch].Tip; cur != w.ForceFrom {
		return "", fmt.Errorf("push %s: stale lease: tip is %q, not %q", w.Branch, cur, w.ForceFrom)
	}
	r.pushes = append(r.pushes, w.Branch)
	return r.commit(w.Branch, w.Parent, w.Path, w.Content), nil
}

func (r *fakeRemote) pushed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.pushes...)
}
