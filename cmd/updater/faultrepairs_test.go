package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
)

// TestFaultRepairs injects one fault at one place in a pass that opens a
// PR, and checks the pass after it repairs whatever the fault left: the
// randomized test's findings, pinned down one by one.
func TestFaultRepairs(t *testing.T) {
	const labelsClass, commentClass, checkClass = "POST /issues/N/labels", "POST /issues/N/comments", "POST /check-runs"
	tests := []struct {
		name string
		// update: the faulted pass updates an open PR to a newer commit
		// rather than opening one; pinnedByHand: it closes the open PR, a
		// maintainer having pinned its commit on the base branch.
		update, pinnedByHand bool
		fault                *plannedFault
		kill                 *killPoint
		code                 int    // exit code of the faulted pass
		detail               string // in the server's decision after the faulted pass
		// wait is the rate-limit wait the faulted pass must have made (a
		// Retry-After honoured); 0: none (past --max-wait: deferred, not
		// waited for).
		wait time.Duration
	}{
		{name: "PR created, its answer lost", fault: &plannedFault{kind: ghActedThenFailed, target: classCreatePull, nth: 1}, code: exitOK},
		{name: "a pull request already exists", fault: &plannedFault{kind: ghPullExists, target: classCreatePull, nth: 1}, code: exitOK},
		{name: "branch vanished before its PR", fault: &plannedFault{kind: ghBranchVanished, target: classCreatePull, nth: 1}, code: exitFailed, detail: "opening the pull request"},
		{name: "push answered 500 once (retried)", fault: &plannedFault{kind: ghServerError, target: classGitPush, nth: 1}, code: exitOK},
		{name: "push taken, its answer lost", fault: &plannedFault{kind: ghActedThenFailed, target: classGitPush, nth: 1}, code: exitOK},
		{name: "forced push taken, its answer lost", update: true, fault: &plannedFault{kind: ghActedThenFailed, target: classGitPush, nth: 1}, code: exitOK},
		{name: "push discovery answered 500 once (retried)", fault: &plannedFault{kind: ghServerError, target: "git GET info/refs receive-pack", nth: 1}, code: exitOK},
		{name: "registry fetch fails once", fault: &plannedFault{kind: ghServerError, target: "git GET info/refs upload-pack", nth: 1}, code: exitOK},
		{name: "check run refused", fault: &plannedFault{kind: ghServerError, target: checkClass, nth: 1}, code: exitFailed, detail: "check"},
		{name: "review comment refused", fault: &plannedFault{kind: ghBadGateway, target: commentClass, nth: 1}, code: exitFailed, detail: "comment"},
		{name: "killed between opening the PR and labelling it", kill: &killPoint{kind: processKilled, class: classCreatePull, nth: 1}, code: exitFailed},
		{name: "killed between pushing an update and editing the PR", update: true, kill: &killPoint{kind: processKilled, class: "PATCH /pulls/N", nth: 1}, code: exitFailed},
		{name: "update's check run refused", update: true, fault: &plannedFault{kind: ghServerError, target: checkClass, nth: 1}, code: exitFailed, detail: "check"},
		{name: "killed between the closing comment and the close", pinnedByHand: true, kill: &killPoint{kind: processKilled, class: commentClass, nth: 1}, code: exitFailed},
		{name: "closing answered 502 once (a PATCH is retried)", pinnedByHand: true, fault: &plannedFault{kind: ghBadGateway, target: "PATCH /pulls/N", nth: 1}, code: exitOK},
		{name: "closed, the answer lost", pinnedByHand: true, fault: &plannedFault{kind: ghActedThenFailed, target: "PATCH /pulls/N", nth: 1}, code: exitOK},
		{name: "branch gone before its deletion", pinnedByHand: true, fault: &plannedFault{kind: ghBranchVanished, target: classDeleteRef, nth: 1}, code: exitOK},
		{name: "secondary rate limit within --max-wait", fault: &plannedFault{kind: ghSecondary403, target: classCreatePull, nth: 1}, code: exitOK, wait: time.Second},
		{name: "429 within --max-wait", fault: &plannedFault{kind: ghSecondary429, target: checkClass, nth: 1}, code: exitOK, wait: time.Second},
		{name: "quota used up, reset within --max-wait", fault: &plannedFault{kind: ghPrimaryLimit, target: labelsClass, nth: 1}, code: exitOK, wait: time.Second},
		{name: "rate limit past --max-wait", fault: &plannedFault{kind: ghSecondaryLong, target: classCreatePull, nth: 1}, code: exitOK, detail: "rate limit"},
		{name: "quota used up past --max-wait", fault: &plannedFault{kind: ghPrimaryLimitLong, target: labelsClass, nth: 1}, code: exitOK, detail: "rate limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t, map[string]int{"solo": 0})
			if tc.update || tc.pinnedByHand {
				if out := f.run(nil, 0); out.code != exitOK {
					t.Fatalf("opening pass: exit %d\n%s", out.code, tail(out.stderr, 20))
				}
			}
			if tc.update {
				f.moveUpstreams(rand.New(rand.NewPCG(1, 1)), 1)
			}
			if tc.pinnedByHand {
				path := registry.ServerPath("solo")
				base, _ := f.gh.File("main", path)
				pinned, err := registry.SetPin([]byte(base), registry.Pin{Commit: f.ups["solo"].commits[1]})
				if err != nil {
					t.Fatal(err)
				}
				f.gh.PushFile("main", path, string(pinned), "pin solo by hand")
			}
			var faults []plannedFault
			if tc.fault != nil {
				faults = append(faults, *tc.fault)
			}
			pf := newPassFaults(f.gh, faultMaxWait, faultStall, tc.kill, faults...)
			out := f.run(pf, 1)
			if n := len(pf.fired()); n != 1 {
				t.Fatalf("the fault did not fire: %s", pf)
			}
			if out.code != tc.code {
				t.Errorf("faulted pass: exit %d, want %d\n%s", out.code, tc.code, tail(out.stderr, 20))
			}
			if tc.detail != "" && out.report != nil {
				if _, detail := out.report.decision("solo"); !strings.Contains(detail, tc.detail) {
					t.Errorf("faulted pass: solo's detail %q, want it to mention %q", detail, tc.detail)
				}
			}
			if out.report != nil && out.report.GitHub != nil {
				waited := longestWait(out.report.GitHub.LongestWait)
				if tc.wait > 0 && waited < tc.wait || tc.wait == 0 && waited > 0 {
					t.Errorf("faulted pass waited %s for a rate limit, want %s", waited, tc.wait)
				}
			}
			f.checkPass(1, out, pf)
			if out := f.run(nil, 2); out.code != exitOK {
				t.Fatalf("clean pass: exit %d\n%s", out.code, tail(out.stderr, 20))
			}
			f.checkConverged(1)
		})
	}
}
