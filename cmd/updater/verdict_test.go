package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
)

// TestVerdictLineFollowsTheReview: a bot PR's body opens with the review's
// verdict, linked to the report comment. When the head moves and the
// review of the new head cannot be published, the line says pending, not
// the old range's verdict; the next pass writes the new verdict.
func TestVerdictLineFollowsTheReview(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"forced": 0}, 2)
	f.pass(exitOK)
	pr, _ := f.openPRs()["forced"]
	want := "**Security review:** risk **info**, not blocked · check `security-review/forced`: success · [report](" + commentLink(t, f, pr.Number) + ")\n\n"
	if !strings.HasPrefix(pr.Body, want) {
		t.Fatalf("the new PR's body does not open with %q:\n%s", want, pr.Body)
	}

	rewritten := f.ups["forced"].repo.Commit("main", "history rewritten", gittest.Files(map[string]string{"src/main.go": "package main // evil\n"}), gittest.CommitOptions{Orphan: true})
	f.gh.SetFault(githubtest.Times(100, githubtest.Match("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/check-runs"), githubtest.BadGateway))
	f.pass(exitFailed)
	pr = f.gh.PR(pr.Number)
	pending := "**Security review:** pending for `" + rewritten[:7] + "` · check `security-review/forced` · "
	if !strings.HasPrefix(pr.Body, pending) || strings.Contains(pr.Body, "risk **info**") {
		t.Errorf("the moved head's body does not say pending:\n%s", pr.Body)
	}

	f.gh.SetFault(nil)
	f.pass(exitOK)
	pr = f.gh.PR(pr.Number)
	want = "**Security review:** risk **critical**, **blocked** · check `security-review/forced`: failure · [report](" + commentLink(t, f, pr.Number) + ")\n\n"
	if !strings.HasPrefix(pr.Body, want) {
		t.Errorf("after the repair pass the body does not open with %q:\n%s", want, pr.Body)
	}
	if strings.Count(pr.Body, "**Security review:**") != 1 {
		t.Errorf("more than one verdict line:\n%s", pr.Body)
	}
}

// TestMovedHeadBodyNeverShowsTheOldVerdict: the body's verdict line goes
// pending before the push, with the labels: a pass that pushes the new
// head and then cannot write the new body leaves "pending", not the old
// range's verdict.
func TestMovedHeadBodyNeverShowsTheOldVerdict(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0}, 2)
	f.pass(exitOK)
	pr, _ := f.openPRs()["alpha"]
	moved := f.ups["alpha"].repo.Commit("main", "moves on", gittest.Files(map[string]string{"src/main.go": "package main // 9\n"}))

	// Every edit that would write the new range's body fails: only what
	// comes before the push (the old range's body, pending) goes through.
	isEdit := githubtest.Match("PATCH", fmt.Sprintf("/repos/%s/%s/pulls/%d", f.gh.Owner, f.gh.Repo, pr.Number))
	f.gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if !isEdit(r) {
			return false
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !strings.Contains(string(body), "to="+moved) {
			return false
		}
		githubtest.StatusCode(http.StatusUnprocessableEntity)(w, r)
		return true
	})
	f.pass(exitFailed)
	got := f.gh.PR(pr.Number)
	if head, _ := f.gh.File(got.Head, "servers/alpha/server.yaml"); !strings.Contains(head, moved) {
		t.Fatalf("the faulted pass did not push the new head")
	}
	if strings.Contains(got.Body, "risk **info**") || !strings.HasPrefix(got.Body, "**Security review:** pending for `"+moved[:7]+"`") {
		t.Errorf("the new head shows a verdict that is not its own:\n%s", got.Body)
	}

	f.gh.SetFault(nil)
	f.pass(exitOK)
	if got := f.gh.PR(pr.Number); !strings.HasPrefix(got.Body, "**Security review:** risk **info**") || !strings.Contains(got.Body, "Since the last push") {
		t.Errorf("after the repair pass:\n%s", got.Body)
	}
}

var commentLinkRE = regexp.MustCompile(`/pull/[0-9]+#issuecomment-[0-9]+`)

// normalizeCommentLinks replaces the numbers of a review comment's link,
// which depend on the order the pass opened PRs in.
func normalizeCommentLinks(s string) string {
	return commentLinkRE.ReplaceAllString(s, "/pull/N#issuecomment-N")
}
