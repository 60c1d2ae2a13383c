package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
)

// faultFixture is the registry under test and the figures of the run.
type faultFixture struct {
	*registryFixture
	adverts *advertCache
	// The registry checkout a pass reads, rewritten when the base branch
	// moves (a pass never changes it), and the bot branch tips already
	// verified: checking costs more than the passes' own work otherwise.
	checkoutDir, checkoutTip string
	verified                 map[string]bool

	// across passes
	orphans       map[string]int // server -> consecutive passes its branch had no open PR
	faults        map[faultKind]int
	passes        int
	duplicates    int
	corrupted     int
	tokenSeen     int
	longestWait   time.Duration
	slowestPass   time.Duration
	maxGHRequests int
	maxUpRequests int64
	maxRetries    int
	deferrals     int
	merges        int
	moves         int
}

// randomPins names servers srv00.. and pins a quarter of them behind
// their upstream, the rest at its head.
func randomPins(rng *rand.Rand, servers int) map[string]int {
	pins := map[string]int{}
	for i := range servers {
		pin := -1
		if rng.IntN(4) == 0 {
			pin = 0
		}
		pins[fmt.Sprintf("srv%02d", i)] = pin
	}
	return pins
}

// newFaultFixture is a registry of servers pinned as newRegistryFixture
// takes them, on upstreams with two commits each.
func newFaultFixture(t *testing.T, pins map[string]int) *faultFixture {
	f := &faultFixture{
		registryFixture: newRegistryFixture(t, pins, 2),
		orphans:         map[string]int{},
		faults:          map[faultKind]int{},
		verified:        map[string]bool{},
	}
	f.adverts = newAdvertCache(t, f.git.Root)
	f.git.Intercept(f.adverts.serve)
	return f
}

// moveUpstreams gives each upstream a new commit with the given chance.
func (f *faultFixture) moveUpstreams(rng *rand.Rand, chance float64) {
	for _, name := range f.names {
		if rng.Float64() >= chance {
			continue
		}
		up := f.ups[name]
		n := len(up.commits)
		up.commits = append(up.commits, up.repo.Commit("main", fmt.Sprintf("%s change %d", name, n),
			gittest.Files(map[string]string{"src/main.go": fmt.Sprintf("package main // %d\n", n)})))
		f.adverts.invalidate(name)
		f.moves++
	}
}

// mergeSome merges open bot PRs with the given chance, as maintainers do.
func (f *faultFixture) mergeSome(rng *rand.Rand, chance float64) {
	open := map[string]int{}
	for _, pr := range f.gh.OpenPRs() {
		open[strings.TrimPrefix(pr.Head, "updater/pin-")] = pr.Number
	}
	for _, name := range f.names {
		if rng.Float64() < chance && open[name] != 0 {
			f.gh.MergePR(open[name])
			f.merges++
		}
	}
}

// faultReport is the part of `run --json` the fault test reads.
type faultReport struct {
	Decisions []struct {
		Server   string `json:"server"`
		Decision string `json:"decision"`
		Detail   string `json:"detail"`
		PR       *struct {
			Outcome string `json:"outcome"`
		} `json:"pr"`
	} `json:"decisions"`
	GitHub *struct {
		Reads       int    `json:"reads"`
		Writes      int    `json:"writes"`
		Retries     int    `json:"retries"`
		Waits       int    `json:"rate_limit_waits"`
		LongestWait string `json:"longest_wait"`
	} `json:"github_requests"`
}

func (r *faultReport) decision(server string) (decision, detail string) {
	for _, d := range r.Decisions {
		if d.Server == server {
			return d.Decision, d.Detail
		}
	}
	return "", ""
}

// passOutcome is what one pass did, as seen from outside.
type passOutcome struct {
	code           int
	stdout, stderr string
	report         *faultReport // nil when the pass printed none
	took           time.Duration
	ghRequests     int
	upRequests     int64
}

// errors lists the servers that failed, for the log.
func (o passOutcome) errors() string {
	if o.report == nil {
		return "\n\tno report: " + tail(o.stderr, 1)
	}
	var b strings.Builder
	for _, d := range o.report.Decisions {
		if d.Decision == "error" || d.Decision == "deferred" {
			fmt.Fprintf(&b, "\n\t%s %s: %s", d.Server, d.Decision, d.Detail)
		}
	}
	return b.String()
}

// run runs one pass with the faults of pf (nil: none), in JSON or text
// logs alternately.
func (f *faultFixture) run(pf *passFaults, pass int) passOutcome {
	f.t.Helper()
	f.passes++
	logFormat := []string{"json", "text"}[pass%2]
	if tip := f.gh.Branch("main"); tip != f.checkoutTip {
		f.checkoutDir, f.checkoutTip = f.checkout(), tip
	}
	args := []string{"run", "--registry", f.checkoutDir, "--cache-dir", f.cache, "--json",
		"--write-pause", "0", "--log-format", logFormat, "--concurrency", "8",
		"--timeout", faultUpstreamTimeout.String(), "--max-wait", faultMaxWait.String()}
	ctx := context.Background()
	if pf != nil {
		ctx = pf.start(ctx)
		defer pf.stop()
		f.gh.SetFault(pf.githubHook)
		f.git.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			return pf.upstreamHook(w, r) || f.adverts.serve(w, r)
		})
		defer f.gh.SetFault(nil)
		defer f.git.Intercept(f.adverts.serve)
	}
	f.gh.ResetLog()
	upBefore := f.git.Requests()
	start := time.Now()
	code, stdout, stderr := cli(ctx, f.env, args...)
	out := passOutcome{code: code, stdout: stdout, stderr: stderr, took: time.Since(start),
		ghRequests: len(f.gh.Requests()), upRequests: f.git.Requests() - upBefore}
	var rep faultReport
	if err := json.Unmarshal([]byte(stdout), &rep); err == nil {
		out.report = &rep
	}
	if pf != nil {
		for k, n := range pf.fired() {
			f.faults[k] += n
		}
	}
	return out
}

// checkPass asserts what must hold after any pass, faulted or not.
func (f *faultFixture) checkPass(pass int, out passOutcome, pf *passFaults) {
	t := f.t
	t.Helper()
	interrupted := pf != nil && pf.interrupted()
	if out.code != exitOK && out.code != exitFailed {
		t.Errorf("pass %d: exit %d, want 0 or 1", pass, out.code)
	}
	if out.report == nil && !interrupted && out.code != exitFailed {
		t.Errorf("pass %d: exit %d without a report:\n%s", pass, out.code, out.stdout)
	}
	if n := strings.Count(out.stdout+out.stderr, f.gh.Token); n > 0 {
		f.tokenSeen += n
		t.Errorf("pass %d: the token appeared %d times in the output", pass, n)
	}
	f.slowestPass = max(f.slowestPass, out.took)
	if out.took > passHangBound {
		t.Errorf("pass %d took %s: faults must cost retries and short waits, not hang the pass", pass, out.took)
	}

	// No retry storm: every fault answered one request, and costs at most
	// one more; a clean pass retries nothing.
	f.maxGHRequests = max(f.maxGHRequests, out.ghRequests)
	f.maxUpRequests = max(f.maxUpRequests, out.upRequests)
	acted, moved := len(f.names), len(f.names)
	if out.report != nil {
		acted, moved = out.report.acted()
	}
	if ceiling := ghRequestCeiling(acted); out.ghRequests > ceiling {
		t.Errorf("pass %d made %d GitHub requests for %d servers acted on, over the ceiling of %d", pass, out.ghRequests, acted, ceiling)
	}
	if ceiling := upstreamRequestCeiling(len(f.names), moved); out.upRequests > ceiling {
		t.Errorf("pass %d made %d upstream requests for %d moved servers, over the ceiling of %d", pass, out.upRequests, moved, ceiling)
	}
	if rep := out.report; rep != nil && rep.GitHub != nil {
		f.maxRetries = max(f.maxRetries, rep.GitHub.Retries)
		apiFaults := 0
		if pf != nil {
			pf.mu.Lock()
			apiFaults = pf.apiFired
			pf.mu.Unlock()
		}
		if rep.GitHub.Retries > apiFaults {
			t.Errorf("pass %d retried %d GitHub requests after %d API faults: a fault may cost one retry", pass, rep.GitHub.Retries, apiFaults)
		}
		wait := longestWait(rep.GitHub.LongestWait)
		f.longestWait = max(f.longestWait, wait)
		if wait > faultMaxWait {
			t.Errorf("pass %d waited %s for a rate limit, over --max-wait %s", pass, wait, faultMaxWait)
		}
	}

	// A rate limit past --max-wait on a server's write defers that server.
	if pf != nil && out.report != nil && !interrupted {
		pf.mu.Lock()
		overMax := append([]string(nil), pf.overMax...)
		pf.mu.Unlock()
		deferred := 0
		for _, d := range out.report.Decisions {
			if d.Decision == "deferred" && strings.Contains(d.Detail, "rate limit") {
				deferred++
			}
		}
		f.deferrals += deferred
		for _, class := range overMax {
			if class != "GET /repo" && class != classListPulls && isAPIClass(class) && deferred == 0 {
				t.Errorf("pass %d: a rate limit past --max-wait on %s deferred no server", pass, class)
			}
		}
	}

	f.checkPRsAndBranches(pass, out, interrupted)
}

// acted counts the servers a pass may have written for (a PR outcome, or
// a write that failed or was deferred) and those whose upstream moved.
func (r *faultReport) acted() (acted, moved int) {
	for _, d := range r.Decisions {
		if d.PR != nil || d.Decision == "error" || d.Decision == "deferred" {
			acted++
		}
		if d.Decision != "up-to-date" && d.Decision != "skipped" {
			moved++
		}
	}
	return acted, moved
}

// ghRequestCeiling bounds one pass's GitHub requests: the repository, the
// PR listing and the registry fetch (each retried at most twice), and for
// each server acted on at most a push (2 requests), creating or editing
// its PR, labels (add, and remove three), a check, reading the PR and its
// comments and writing one, closing with a comment and deleting the
// branch: 16, plus one retry for each fault (at most 4 a pass).
func ghRequestCeiling(acted int) int { return 3*3 + 16*acted + 4 }

// upstreamRequestCeiling bounds one pass's upstream requests: a listing
// per upstream, and for each that moved a fetch (listing and pack) and a
// fetch by SHA (listing and pack); each tried at most three times.
func upstreamRequestCeiling(servers, moved int) int64 { return int64(3 * (servers + 4*moved)) }

var prMarkerRE = regexp.MustCompile(`<!-- updater:server=([A-Za-z0-9._-]+) from=([0-9a-f]{40}) to=([0-9a-f]{40}) -->`)

// checkPRsAndBranches checks the registry repository after a pass: at
// most one open PR per server; every bot branch one commit on the base
// branch that changes exactly the pin to a commit of the server's
// upstream; no bot branch without an open PR for two passes in a row
// unless the second pass could not act on that server.
func (f *faultFixture) checkPRsAndBranches(pass int, out passOutcome, interrupted bool) {
	t := f.t
	t.Helper()
	open := map[string][]githubtest.PullRequest{}
	for _, pr := range f.gh.OpenPRs() {
		name, ok := strings.CutPrefix(pr.Head, "updater/pin-")
		if !ok {
			t.Errorf("pass %d: open PR #%d from %s is not the bot's", pass, pr.Number, pr.Head)
			continue
		}
		open[name] = append(open[name], pr)
	}
	for name, prs := range open {
		if len(prs) > 1 {
			f.duplicates++
			t.Errorf("pass %d: %d open PRs for %s: %v", pass, len(prs), name, prNumbers(prs))
		}
	}
	branches := map[string]bool{}
	for _, b := range f.gh.Branches() {
		name, ok := strings.CutPrefix(b, "updater/pin-")
		if !ok {
			continue
		}
		branches[name] = true
		tip := f.gh.Branch(b)
		if f.verified[tip] {
			continue
		}
		if err := f.checkBranch(name, tip); err != nil {
			f.corrupted++
			t.Errorf("pass %d: branch %s: %v", pass, b, err)
		}
		f.verified[tip] = true
	}
	for _, name := range f.names {
		if !branches[name] || len(open[name]) > 0 {
			delete(f.orphans, name)
			continue
		}
		f.orphans[name]++
		if f.orphans[name] < 2 {
			continue
		}
		// A second pass in a row: excused only if this pass never got to
		// act on the server.
		excused := interrupted || out.report == nil
		if !excused {
			d, _ := out.report.decision(name)
			excused = d == "error" || d == "deferred"
		}
		if !excused {
			d, detail := out.report.decision(name)
			t.Errorf("pass %d: the branch of %s has had no open PR for %d passes (decision %s: %s)", pass, name, f.orphans[name], d, detail)
		}
	}
}

// checkBranch verifies the tip of a server's bot branch: a single commit
// on a base-branch commit whose only change is the pin line of the
// server's file, to a commit of its upstream. (The base branch only moves
// forward, so a tip once verified stays so.)
func (f *faultFixture) checkBranch(name, tipSHA string) error {
	repo := f.gh.GitRepo().Git()
	tip, err := repo.CommitObject(plumbing.NewHash(tipSHA))
	if err != nil {
		return err
	}
	if len(tip.ParentHashes) != 1 {
		return fmt.Errorf("tip %s has %d parents, want 1", tip.Hash, len(tip.ParentHashes))
	}
	parent := tip.ParentHashes[0].String()
	if base, err := repo.CommitObject(plumbing.NewHash(f.gh.Branch("main"))); err != nil {
		return err
	} else if ok, err := isAncestor(repo, parent, base); err != nil || !ok {
		return fmt.Errorf("parent %s is not on the base branch (%v)", parent, err)
	}
	path := registry.ServerPath(name)
	head, ok := f.gh.File(tip.Hash.String(), path)
	if !ok {
		return fmt.Errorf("no %s", path)
	}
	old, ok := f.gh.File(parent, path)
	if !ok {
		return fmt.Errorf("no %s on the parent", path)
	}
	file, err := registry.Parse(path, []byte(head))
	if err != nil {
		return fmt.Errorf("does not parse: %w", err)
	}
	removed, added := diffLines(old, head)
	if len(removed) != 1 || len(added) != 1 || !strings.HasPrefix(removed[0], "  commit: ") || added[0] != "  commit: "+file.Server.Source.Commit {
		return fmt.Errorf("changes %q -> %q, want exactly the commit line", removed, added)
	}
	if !contains(f.ups[name].commits, file.Server.Source.Commit) {
		return fmt.Errorf("pins %s, not a commit of its upstream", file.Server.Source.Commit)
	}
	return nil
}

// checkConverged asserts the end state once faults stopped: a server
// behind its upstream has exactly one open PR, for the upstream's newest
// commit, labelled, checked and commented once; a server at its upstream
// has neither PR nor branch.
func (f *faultFixture) checkConverged(clean int) {
	t := f.t
	t.Helper()
	// Nothing the bot says twice: a repeated comment is a write repeated
	// after a fault.
	for _, pr := range f.gh.Pulls() {
		said := map[string]bool{}
		for _, c := range f.gh.Comments(pr.Number) {
			if c.User == pr.User && said[c.Body] {
				f.duplicates++
				t.Errorf("clean pass %d: PR #%d (%s) carries the same bot comment twice: %.80q", clean, pr.Number, pr.Head, c.Body)
			}
			said[c.Body] = true
		}
	}
	open := map[string]githubtest.PullRequest{}
	for _, pr := range f.gh.OpenPRs() {
		open[strings.TrimPrefix(pr.Head, "updater/pin-")] = pr
	}
	for _, name := range f.names {
		path := registry.ServerPath(name)
		content, _ := f.gh.File("main", path)
		file, err := registry.Parse(path, []byte(content))
		if err != nil {
			t.Errorf("clean pass %d: %s on the base branch: %v", clean, name, err)
			continue
		}
		newest := f.ups[name].commits[len(f.ups[name].commits)-1]
		pin := file.Server.Source.Commit
		pr, hasPR := open[name]
		branch := f.gh.Branch("updater/pin-" + name)
		if pin == newest {
			if hasPR || branch != "" {
				t.Errorf("clean pass %d: %s is up to date, yet has open PR %v / branch %q", clean, name, hasPR, branch)
			}
			continue
		}
		if !hasPR {
			t.Errorf("clean pass %d: %s moved upstream to %s but has no open PR", clean, name, newest[:7])
			continue
		}
		m := prMarkerRE.FindStringSubmatch(pr.Body)
		if m == nil || m[1] != name || m[2] != pin || m[3] != newest {
			t.Errorf("clean pass %d: %s PR #%d proposes %v, want %s -> %s", clean, name, pr.Number, m, pin[:7], newest[:7])
		}
		if onBranch, _ := f.gh.File(pr.HeadSHA, path); !strings.Contains(onBranch, "commit: "+newest) {
			t.Errorf("clean pass %d: %s PR #%d head does not pin %s", clean, name, pr.Number, newest[:7])
		}
		risk := 0
		for _, l := range pr.Labels {
			if strings.HasPrefix(l, "security-risk:") {
				risk++
			}
		}
		if !contains(pr.Labels, "pin-update") || risk != 1 {
			t.Errorf("clean pass %d: %s PR #%d labels %v, want pin-update and one security-risk:*", clean, name, pr.Number, pr.Labels)
		}
		if runs := f.gh.CheckRuns(pr.HeadSHA); !hasCheck(runs, "security-review/"+name) {
			t.Errorf("clean pass %d: %s PR #%d has no security-review check on its head %s", clean, name, pr.Number, pr.HeadSHA[:7])
		}
		reviews := 0
		for _, c := range f.gh.Comments(pr.Number) {
			if strings.Contains(c.Body, "<!-- updater:review -->") {
				reviews++
			}
		}
		if reviews != 1 {
			t.Errorf("clean pass %d: %s PR #%d has %d review comments, want 1", clean, name, pr.Number, reviews)
		}
	}
}

// checkPublishedText looks for the token in everything the bot published.
func (f *faultFixture) checkPublishedText() {
	var texts []string
	for _, pr := range f.gh.Pulls() {
		texts = append(texts, pr.Title, pr.Body, strings.Join(pr.Labels, " "))
		for _, c := range f.gh.Comments(pr.Number) {
			texts = append(texts, c.Body)
		}
	}
	for _, c := range f.gh.CheckRuns("") {
		texts = append(texts, c.Title, c.Summary, c.Text)
	}
	for _, s := range f.gh.Statuses("") {
		texts = append(texts, s.Description)
	}
	for _, s := range texts {
		if n := strings.Count(s, f.gh.Token); n > 0 {
			f.tokenSeen += n
			f.t.Errorf("the token was published: %q", s)
		}
	}
}

func prNumbers(prs []githubtest.PullRequest) []int {
	var out []int
	for _, pr := range prs {
		out = append(out, pr.Number)
	}
	return out
}

func hasCheck(runs []githubtest.CheckRun, name string) bool {
	for _, r := range runs {
		if r.Name == name {
			return true
		}
	}
	return false
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// isAncestor reports whether sha is base or one of its ancestors.
func isAncestor(repo *git.Repository, sha string, base *object.Commit) (bool, error) {
	c, err := repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		return false, err
	}
	if c.Hash == base.Hash {
		return true, nil
	}
	return c.IsAncestor(base)
}
