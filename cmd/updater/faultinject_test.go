package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mcp-registry/updater/gitops/githubtest"
)

// This file is the fault injection of the randomized fault test: what can
// go wrong, and a plan per pass saying what will. The plan is drawn from
// the seeded generator before the pass starts and names its victims by
// position ("the 2nd request that creates a pull request", "the 1st
// request to upstream srv07"), not by a coin flip per request: requests
// run in parallel, and a seed must pick the same victims however the
// goroutines interleave. (One exception: a kill "after the nth upstream
// request" lands wherever the nth request happens to come from.)

// faultKind names one kind of fault; the closing figures count them.
type faultKind string

const (
	ghServerError      faultKind = "github 5xx"
	ghBadGateway       faultKind = "github 502 with HTML"
	ghActedThenFailed  faultKind = "github acted, then answered 502"
	ghPrimaryLimit     faultKind = "github primary rate limit (reset within --max-wait)"
	ghPrimaryLimitLong faultKind = "github primary rate limit (reset past --max-wait)"
	ghSecondary403     faultKind = "github secondary rate limit 403 + Retry-After"
	ghSecondary429     faultKind = "github secondary rate limit 429 + Retry-After"
	ghSecondaryLong    faultKind = "github secondary rate limit (Retry-After past --max-wait)"
	ghPullExists       faultKind = "github 422 a pull request already exists"
	ghBranchVanished   faultKind = "github 404 on a vanished branch"
	upTimeout          faultKind = "upstream timeout"
	upReset            faultKind = "upstream connection reset"
	upServerError      faultKind = "upstream 5xx"
	passCancelled      faultKind = "pass cancelled (SIGTERM)"
	processKilled      faultKind = "process killed mid-pass"
)

// ghKinds are the GitHub faults and the request classes each can hit.
var ghKinds = []struct {
	kind    faultKind
	classes func(class string) bool
}{
	{ghServerError, func(c string) bool { return true }},
	{ghBadGateway, isAPIClass},
	{ghActedThenFailed, isWriteClass},
	{ghPrimaryLimit, isAPIClass},
	{ghPrimaryLimitLong, isAPIClass},
	{ghSecondary403, isAPIClass},
	{ghSecondary429, isAPIClass},
	{ghSecondaryLong, isAPIClass},
	{ghPullExists, func(c string) bool { return c == classCreatePull }},
	{ghBranchVanished, func(c string) bool { return c == classCreatePull || c == classDeleteRef }},
}

var upKinds = []faultKind{upTimeout, upReset, upServerError}

// Request classes of the GitHub emulator: the method and the path with
// numbers and ref names replaced, so a plan can say "the nth of these".
const (
	classListPulls  = "GET /pulls"
	classCreatePull = "POST /pulls"
	classDeleteRef  = "DELETE /git/refs/*"
	classGitPush    = "git POST receive-pack"
)

// ghClasses are the classes a pass's requests fall in, in the order a
// pass meets them; the plan picks victims among them.
var ghClasses = []string{
	"GET /repo",
	classListPulls,
	"git GET info/refs upload-pack",
	"git POST upload-pack",
	"git GET info/refs receive-pack",
	classGitPush,
	classCreatePull,
	"POST /issues/N/labels",
	"DELETE /issues/N/labels/*",
	"POST /check-runs",
	"GET /pulls/N",
	"GET /issues/N/comments",
	"POST /issues/N/comments",
	"PATCH /issues/comments/N",
	"PATCH /pulls/N",
	classDeleteRef,
}

func isAPIClass(c string) bool { return !strings.HasPrefix(c, "git ") }

func isWriteClass(c string) bool {
	return c == classGitPush || (isAPIClass(c) && !strings.HasPrefix(c, "GET "))
}

var numberSegment = regexp.MustCompile(`/[0-9]+(/|$)`)

// ghClass classifies an emulator request.
func ghClass(r *http.Request, repoPath string) string {
	p := r.URL.Path
	if strings.HasPrefix(p, "/git/") {
		svc := r.URL.Query().Get("service")
		switch {
		case strings.HasSuffix(p, "/info/refs"):
			return "git GET info/refs " + strings.TrimPrefix(svc, "git-")
		case strings.HasSuffix(p, "/git-receive-pack"):
			return classGitPush
		default:
			return "git " + r.Method + " " + strings.TrimPrefix(p[strings.LastIndex(p, "/")+1:], "git-")
		}
	}
	p = strings.TrimPrefix(strings.TrimPrefix(p, githubtest.APIPrefix), repoPath)
	switch {
	case p == "":
		p = "/repo"
	case strings.HasPrefix(p, "/git/refs/"):
		p = "/git/refs/*"
	case strings.Contains(p, "/labels/"):
		p = p[:strings.Index(p, "/labels/")] + "/labels/*"
	}
	for numberSegment.MatchString(p) {
		p = numberSegment.ReplaceAllString(p, "/N$1")
	}
	return r.Method + " " + p
}

// plannedFault hits the nth request of a class (GitHub) or to one
// upstream repository.
type plannedFault struct {
	kind   faultKind
	target string // a GitHub request class, or an upstream's name
	nth    int
	fired  bool
}

// killPoint is where a pass is cancelled: at the nth GitHub write (of
// class, when set), or at the nth upstream request.
type killPoint struct {
	kind     faultKind // passCancelled or processKilled
	class    string
	upstream bool
	nth      int
	fired    bool
}

// passFaults is one pass's plan and what came of it. It is the fault
// hook of both servers while the pass runs.
type passFaults struct {
	gh       *githubtest.Server
	repoPath string
	maxWait  time.Duration
	stall    time.Duration // how long an upstream "timeout" keeps a request hanging

	mu       sync.Mutex
	github   []*plannedFault
	upstream []*plannedFault
	kill     *killPoint
	cancel   context.CancelFunc
	dead     bool           // the process was killed: nothing it sends has effect
	counts   map[string]int // requests per class (GitHub) or per upstream
	writes   int            // GitHub writes so far (for the kill point)
	upReqs   int            // upstream requests so far
	apiFired int            // faults answered on the REST API: each may cost one retry
	// overMax records classes hit by a rate limit past --max-wait.
	overMax []string
}

// faultBudget bounds one pass's plan.
type faultBudget struct {
	github, upstream     int     // at most this many of each
	cancel, kill         float64 // chance of a cancelled or killed pass
	upstreamNames        []string
	stall, maxWait       time.Duration
	longRateLimitsWeight int // draws of each "past --max-wait" kind in 10
}

// newPassFaults is a pass with the given faults and kill point (nil for
// none).
func newPassFaults(gh *githubtest.Server, maxWait, stall time.Duration, kill *killPoint, faults ...plannedFault) *passFaults {
	pf := &passFaults{gh: gh, repoPath: "/repos/" + gh.Owner + "/" + gh.Repo, maxWait: maxWait, stall: stall, kill: kill, counts: map[string]int{}}
	for _, f := range faults {
		f := f
		if f.kind == upTimeout || f.kind == upReset || f.kind == upServerError {
			pf.upstream = append(pf.upstream, &f)
		} else {
			pf.github = append(pf.github, &f)
		}
	}
	return pf
}

// planFaults draws one pass's faults.
func planFaults(rng *rand.Rand, gh *githubtest.Server, b faultBudget) *passFaults {
	pf := newPassFaults(gh, b.maxWait, b.stall, nil)
	nth := func() int {
		// Most victims are early requests of their class (which every pass
		// makes); some are later ones (which busy passes make).
		if rng.IntN(3) > 0 {
			return 1
		}
		return 2 + rng.IntN(3)
	}
	for range rng.IntN(b.github + 1) {
		k := ghKinds[rng.IntN(len(ghKinds))]
		if (k.kind == ghPrimaryLimitLong || k.kind == ghSecondaryLong) && rng.IntN(10) >= b.longRateLimitsWeight {
			k = ghKinds[0]
		}
		var eligible []string
		for _, c := range ghClasses {
			if k.classes(c) {
				eligible = append(eligible, c)
			}
		}
		pf.github = append(pf.github, &plannedFault{kind: k.kind, target: eligible[rng.IntN(len(eligible))], nth: nth()})
	}
	for range rng.IntN(b.upstream + 1) {
		pf.upstream = append(pf.upstream, &plannedFault{
			kind: upKinds[rng.IntN(len(upKinds))], target: b.upstreamNames[rng.IntN(len(b.upstreamNames))], nth: nth(),
		})
	}
	switch x := rng.Float64(); {
	case x < b.kill:
		pf.kill = &killPoint{kind: processKilled}
	case x < b.kill+b.cancel:
		pf.kill = &killPoint{kind: passCancelled}
	}
	if pf.kill != nil {
		if rng.IntN(4) == 0 {
			pf.kill.upstream, pf.kill.nth = true, 1+rng.IntN(len(b.upstreamNames))
		} else {
			pf.kill.nth = 1 + rng.IntN(12)
		}
	}
	return pf
}

// start arms the plan for a pass run with ctx; the returned context is
// cancelled at the kill point.
func (pf *passFaults) start(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	pf.cancel = cancel
	return ctx
}

func (pf *passFaults) stop() { pf.cancel() }

// fired counts the faults that hit, by kind.
func (pf *passFaults) fired() map[faultKind]int {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	out := map[faultKind]int{}
	for _, f := range append(append([]*plannedFault{}, pf.github...), pf.upstream...) {
		if f.fired {
			out[f.kind]++
		}
	}
	if pf.kill != nil && pf.kill.fired {
		out[pf.kill.kind]++
	}
	return out
}

// interrupted reports whether the pass was cancelled or killed.
func (pf *passFaults) interrupted() bool {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	return pf.kill != nil && pf.kill.fired
}

func (pf *passFaults) String() string {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	var parts []string
	for _, f := range pf.github {
		parts = append(parts, fmt.Sprintf("%s on %s #%d (fired %v)", f.kind, f.target, f.nth, f.fired))
	}
	for _, f := range pf.upstream {
		parts = append(parts, fmt.Sprintf("%s on upstream %s #%d (fired %v)", f.kind, f.target, f.nth, f.fired))
	}
	if k := pf.kill; k != nil {
		where := "GitHub write"
		if k.upstream {
			where = "upstream request"
		}
		parts = append(parts, fmt.Sprintf("%s after %s #%d (fired %v)", k.kind, where, k.nth, k.fired))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// triggerKill cancels the pass; a kill also makes every later request
// fail without effect, as if the process were gone. Called with mu held.
func (pf *passFaults) triggerKill() {
	pf.kill.fired = true
	if pf.kill.kind == processKilled {
		pf.dead = true
	}
	pf.cancel()
}

// gone answers a request of a killed process: it never arrived.
func gone(w http.ResponseWriter) {
	http.Error(w, "the process that sent this was killed", http.StatusGone)
}

// githubHook is the emulator's fault hook.
func (pf *passFaults) githubHook(w http.ResponseWriter, r *http.Request) bool {
	class := ghClass(r, pf.repoPath)
	pf.mu.Lock()
	if pf.dead {
		pf.mu.Unlock()
		gone(w)
		return true
	}
	pf.counts[class]++
	n := pf.counts[class]
	var hit *plannedFault
	for _, f := range pf.github {
		if !f.fired && f.target == class && f.nth == n {
			hit = f
			f.fired = true
			break
		}
	}
	if hit != nil && isAPIClass(class) {
		pf.apiFired++
	}
	if hit != nil && (hit.kind == ghPrimaryLimitLong || hit.kind == ghSecondaryLong) {
		pf.overMax = append(pf.overMax, class)
	}
	killNow := false
	if isWriteClass(class) && (class != classGitPush || r.Method == http.MethodPost) {
		pf.writes++
		if k := pf.kill; k != nil && !k.fired && !k.upstream && k.class == "" && pf.writes == k.nth {
			killNow = true
		}
	}
	if k := pf.kill; k != nil && !k.fired && k.class == class && n == k.nth {
		killNow = true
	}
	pf.mu.Unlock()

	answered := false
	if hit != nil {
		answered = pf.inject(hit.kind, n, w, r)
	}
	if killNow {
		// The request that was in flight when the process died reached
		// GitHub; nothing after it does.
		if !answered {
			pf.gh.ServeThenFail(http.StatusGone)(w, r)
			answered = true
		}
		pf.mu.Lock()
		pf.triggerKill()
		pf.mu.Unlock()
	}
	return answered
}

// inject answers r with the fault; false lets the emulator serve it.
func (pf *passFaults) inject(kind faultKind, n int, w http.ResponseWriter, r *http.Request) bool {
	switch kind {
	case ghServerError:
		if strings.HasPrefix(r.URL.Path, "/git/") {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return true
		}
		githubtest.StatusCode([]int{500, 503}[n%2])(w, r)
	case ghBadGateway:
		githubtest.BadGateway(w, r)
	case ghActedThenFailed:
		pf.gh.ServeThenFail(http.StatusBadGateway)(w, r)
	case ghPrimaryLimit:
		// Two seconds ahead: X-RateLimit-Reset counts whole seconds, and the
		// wait (one to two seconds) stays within --max-wait.
		githubtest.PrimaryRateLimit(time.Now().Add(2*time.Second))(w, r)
	case ghPrimaryLimitLong:
		githubtest.PrimaryRateLimit(time.Now().Add(time.Hour))(w, r)
	case ghSecondary403:
		githubtest.SecondaryRateLimit(time.Second)(w, r)
	case ghSecondary429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"message":"Too Many Requests"}`, http.StatusTooManyRequests)
	case ghSecondaryLong:
		githubtest.SecondaryRateLimit(pf.maxWait+time.Hour)(w, r)
	case ghPullExists:
		// Another delivery of this request created the pull request:
		// GitHub acted, and says so the way it does to a duplicate.
		head := requestedHead(r)
		pf.gh.ServeThenFail(http.StatusBadGateway)(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for %s:%s."}],"documentation_url":"https://docs.github.com/rest"}`,
			pf.gh.Owner, head)
	case ghBranchVanished:
		branch := requestedHead(r)
		if r.Method == http.MethodDelete {
			branch = strings.TrimPrefix(r.URL.Path[strings.Index(r.URL.Path, "/git/refs/"):], "/git/refs/heads/")
		}
		// Someone deleted the branch a moment before this request.
		if branch != "" && pf.gh.Branch(branch) != "" {
			pf.gh.GitRepo().DeleteRef("refs/heads/" + branch)
		}
		if r.Method == http.MethodDelete {
			githubtest.StatusCode(http.StatusNotFound)(w, r)
			return true
		}
		return false // the emulator answers a PR for a missing head itself
	default:
		return false
	}
	return true
}

// requestedHead reads the head branch of a create-pull request, leaving
// the body in place for the emulator.
func requestedHead(r *http.Request) string {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var in struct{ Head string }
	_ = json.Unmarshal(body, &in)
	return in.Head
}

// upstreamHook is the upstreams' git server fault hook.
func (pf *passFaults) upstreamHook(w http.ResponseWriter, r *http.Request) bool {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "")
	if i := strings.Index(name, ".git/"); i >= 0 {
		name = name[:i]
	}
	pf.mu.Lock()
	if pf.dead {
		pf.mu.Unlock()
		gone(w)
		return true
	}
	pf.upReqs++
	pf.counts["upstream "+name]++
	n := pf.counts["upstream "+name]
	var hit *plannedFault
	for _, f := range pf.upstream {
		if !f.fired && f.target == name && f.nth == n {
			hit, f.fired = f, true
			break
		}
	}
	if k := pf.kill; k != nil && !k.fired && k.upstream && pf.upReqs == k.nth {
		pf.triggerKill()
	}
	pf.mu.Unlock()
	if hit == nil {
		return false
	}
	switch hit.kind {
	case upServerError:
		http.Error(w, "upstream is having a bad day", []int{500, 502, 503}[n%3])
	case upReset:
		resetConnection(w)
	case upTimeout:
		t := time.NewTimer(pf.stall)
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		t.Stop()
		resetConnection(w)
	}
	return true
}

// resetConnection drops the connection without an answer.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// longestWait parses the report's longest_wait ("1.5s"), 0 when absent.
func longestWait(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0
	}
	return d
}
