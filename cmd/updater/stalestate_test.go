package main

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// passFrom runs `updater run` on a registry checkout the test made
// earlier (a stale one), where pass makes a fresh one.
func (f *registryFixture) passFrom(checkout string, wantCode int, extra ...string) passReport {
	f.t.Helper()
	args := append([]string{"run", "--registry", checkout}, extra...)
	return f.passArgs(wantCode, args...)
}

// TestStaleCheckoutReplansFromBase: on the base branch a server's project
// moved to a fork holding the same commit; a pass from an older checkout
// that still names the old repository, which has moved on, must not pin
// the old repository's commit under the fork's name.
func TestStaleCheckoutReplansFromBase(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"moved": -1}, 2)
	orig := f.ups["moved"]
	fork := f.git.NewRepo("fork", "main")
	fork.Run("fetch", orig.repo.Dir, "refs/heads/main:refs/heads/main")
	fork.Reload()

	stale := f.checkout()
	path := registry.ServerPath("moved")
	base, _ := f.gh.File("main", path)
	f.gh.PushFile("main", path, strings.Replace(base, orig.url, f.git.RepoURL("fork"), 1), "move to the fork")
	onlyInOrig := orig.repo.Commit("main", "only in the old repository", gittest.Files(map[string]string{"src/main.go": "package main // x\n"}))

	rep := f.passFrom(stale, exitOK)
	if d, outcome, _ := rep.of("moved"); d != "up-to-date" || outcome != "" {
		t.Errorf("moved: %s/%s, want up-to-date (the fork has not moved)", d, outcome)
	}
	for _, pr := range f.gh.Pulls() {
		t.Errorf("PR #%d opened from a stale checkout:\n%s", pr.Number, pr.Body)
	}
	if head, ok := f.gh.File("updater/pin-moved", path); ok && strings.Contains(head, onlyInOrig) {
		t.Errorf("the bot branch pins a commit of the old repository under the fork's name:\n%s", head)
	}
}

// TestNewHeadNeverShowsTheOldVerdict: a PR rated info; upstream rewrites
// its history; the pass pushes the new head but publishing the check
// fails. The PR must say "pending", not keep the old range's verdict, and
// the next pass publishes the new one.
func TestNewHeadNeverShowsTheOldVerdict(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"forced": 0}, 2)
	f.pass(exitOK)
	pr, ok := f.openPRs()["forced"]
	if !ok || !contains(pr.Labels, "security-risk:info") {
		t.Fatalf("first pass: PR %+v, want one rated info", pr)
	}
	f.ups["forced"].repo.Commit("main", "history rewritten", gittest.Files(map[string]string{"src/main.go": "package main // evil\n"}), gittest.CommitOptions{Orphan: true})
	f.gh.SetFault(githubtest.Times(100, githubtest.Match("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/check-runs"), githubtest.BadGateway))
	f.pass(exitFailed)
	pr = f.gh.PR(pr.Number)
	if f.gh.Branch("updater/pin-forced") != pr.HeadSHA || len(f.gh.CheckRuns(pr.HeadSHA)) != 0 {
		t.Fatalf("the faulted pass did not push a new head without a check")
	}
	for _, l := range pr.Labels {
		if strings.HasPrefix(l, "security-risk:") {
			t.Errorf("the new head %s carries %s, the old range's verdict", pr.HeadSHA[:7], l)
		}
	}
	if !contains(pr.Labels, "security-review-pending") {
		t.Errorf("labels %v, want security-review-pending", pr.Labels)
	}

	f.gh.SetFault(nil)
	f.pass(exitOK)
	pr = f.gh.PR(pr.Number)
	if !contains(pr.Labels, "security-risk:critical") || !contains(pr.Labels, "security-blocked") || contains(pr.Labels, "security-review-pending") {
		t.Errorf("after the repair pass: labels %v, want the new verdict and no pending", pr.Labels)
	}
	if runs := f.gh.CheckRuns(pr.HeadSHA); len(runs) != 1 || runs[0].Conclusion != "failure" {
		t.Errorf("after the repair pass: check runs %+v, want one failure", runs)
	}
}

// TestHugeRangeStillOpensItsPR: 400 distinct authors with long names made
// a body GitHub refuses (422, over 65,536 characters): the branch was
// pushed but no PR opened, every night. Every list is capped and the body
// bounded.
func TestHugeRangeStillOpensItsPR(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"crowd": -1}, 1)
	up := f.ups["crowd"].repo
	for i := range 400 {
		name := fmt.Sprintf("Contributor %03d %s", i, strings.Repeat("with a very long name ", 8))
		up.Commit("main", fmt.Sprintf("change %d", i), gittest.Files(map[string]string{"src/main.go": fmt.Sprintf("package main // %d\n", i)}),
			gittest.CommitOptions{Author: &object.Signature{Name: name, Email: fmt.Sprintf("c%03d@example.test", i)}})
	}
	rep := f.pass(exitOK)
	if d, outcome, _ := rep.of("crowd"); d != "bump" || outcome != "opened" {
		t.Fatalf("crowd: %s/%s, want bump/opened", d, outcome)
	}
	pr := f.openPRs()["crowd"]
	if n := utf8.RuneCountInString(pr.Body); n > 65536 {
		t.Errorf("body of %d characters", n)
	}
	if !strings.Contains(pr.Body, "### Authors (400)") || !strings.Contains(pr.Body, "… and 350 more") {
		t.Errorf("the authors list is not capped with a count of the rest:\n%s", pr.Body)
	}
	if !strings.HasSuffix(pr.Body, "to="+up.Head("main")+" -->\n") {
		t.Errorf("the body does not end with its marker:\n%s", pr.Body[max(0, len(pr.Body)-300):])
	}
}

// TestRejectedCommitNeverProposedAgain: X -> Y -> X. A maintainer closed
// the PR proposing X; upstream moved to Y (a new PR) and then back to X:
// the open PR must not be updated to X.
func TestRejectedCommitNeverProposedAgain(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"flip": 0}, 2)
	up := f.ups["flip"]
	x := up.commits[1]
	f.pass(exitOK)
	first, _ := f.botPR("flip")
	f.gh.ClosePR(first.Number)

	y := up.repo.Commit("main", "flip to y", gittest.Files(map[string]string{"src/main.go": "package main // y\n"}))
	rep := f.pass(exitOK)
	second, _ := f.botPR("flip")
	if d, outcome, _ := rep.of("flip"); d != "bump" || outcome != "opened" || second.Number == first.Number {
		t.Fatalf("upstream at Y: %s/%s #%d, want a new PR", d, outcome, second.Number)
	}

	up.repo.SetBranch("main", x)
	rep = f.pass(exitOK)
	if d, outcome, n := rep.of("flip"); d != "held" || outcome != "held" || n != first.Number {
		t.Errorf("upstream back at X: %s/%s #%d, want held by #%d", d, outcome, n, first.Number)
	}
	if pr := f.gh.PR(second.Number); strings.Contains(pr.Body, "to="+x) || !strings.Contains(pr.Body, "to="+y) {
		t.Errorf("the open PR #%d was moved to the rejected commit:\n%s", second.Number, pr.Body)
	}
	if head, _ := f.gh.File("updater/pin-flip", registry.ServerPath("flip")); strings.Contains(head, x) {
		t.Errorf("the bot branch proposes the rejected commit again:\n%s", head)
	}
}

// TestPartialCheckoutClosesNothing: a checkout lacking a server the base
// branch holds is no removal: its PR stays open, and a later pass from a
// full checkout does not mistake anything for a maintainer's close.
func TestPartialCheckoutClosesNothing(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"kept": 0, "other": 0}, 2)
	f.pass(exitOK)
	pr, _ := f.botPR("kept")
	content, _ := f.gh.File("main", registry.ServerPath("other"))
	partial := registrytest.NewRegistry(t, map[string]string{registry.ServerPath("other"): content})
	f.passFrom(partial, exitOK)
	if got := f.gh.PR(pr.Number); got.State != "open" {
		t.Fatalf("a pass from a checkout lacking kept closed its PR #%d", pr.Number)
	}
	rep := f.pass(exitOK)
	if d, outcome, n := rep.of("kept"); d != "bump" || outcome != "unchanged" || n != pr.Number {
		t.Errorf("full checkout: %s/%s #%d, want bump/unchanged #%d", d, outcome, n, pr.Number)
	}
}

// TestBotCloseIsNoMaintainersDecision: the bot closed a PR itself (its
// server left the registry); the server comes back at the same pin: the
// bot proposes the same commit again instead of holding it as if a
// maintainer had rejected it.
func TestBotCloseIsNoMaintainersDecision(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"back": 0, "other": 0}, 2)
	f.pass(exitOK)
	pr, _ := f.botPR("back")
	path := registry.ServerPath("back")
	content, _ := f.gh.File("main", path)
	f.gh.Commit("main", "remove back", []gittest.Change{gittest.Delete(path)})
	f.pass(exitOK)
	if got := f.gh.PR(pr.Number); got.State != "closed" || got.ClosedBy == githubtest.MaintainerLogin {
		t.Fatalf("the removed server's PR #%d: %s, closed by %q; want closed by the bot", pr.Number, got.State, got.ClosedBy)
	}
	f.gh.PushFile("main", path, content, "bring back back")
	rep := f.pass(exitOK)
	if d, outcome, n := rep.of("back"); d != "bump" || outcome != "opened" || n == pr.Number {
		t.Errorf("back again: %s/%s #%d, want bump/opened with a new PR", d, outcome, n)
	}
}

// TestRetriedCheckIsNotDuplicated: GitHub makes the check run but answers
// 502. The bot finds the run it made and updates it: one check on the
// head, this pass and the next.
func TestRetriedCheckIsNotDuplicated(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"once": 0}, 2)
	f.gh.SetFault(githubtest.Times(1, githubtest.Match("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/check-runs"), f.gh.ServeThenFail(502)))
	f.pass(exitOK)
	f.gh.SetFault(nil)
	pr, _ := f.botPR("once")
	f.gh.RemoveLabel(pr.Number, "security-risk:info") // the next pass publishes the review again
	f.pass(exitOK)
	runs := f.gh.CheckRuns(pr.HeadSHA)
	if len(runs) != 1 || runs[0].Conclusion != "success" || runs[0].Updates == 0 {
		t.Errorf("check runs on the head: %+v, want one, updated in place", runs)
	}
}
