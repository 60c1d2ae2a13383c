package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// The agent is paid for once per head: an unchanged range keeps the
// recorded verdict without running the agent, a moved head is reviewed
// from the previously reviewed head with the previous report as context
// (and the earlier verdict still counts), and --agent-full-review runs it
// on the whole range again.
func TestAgentPaidOncePerHead(t *testing.T) {
	requireBwrap(t)
	// Each run writes a fresh nonce, the range it was given and the
	// previous report's nonce; it rates a full review medium and an
	// incremental one low.
	const agent = `n=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n'); r=medium; ` +
		`{ echo "# Report"; echo "nonce-$n"; echo "range $REVIEW_BASE..$REVIEW_HEAD"; ` +
		`if [ -n "${REVIEW_PREVIOUS_REPORT:-}" ]; then r=low; grep nonce- "$REVIEW_PREVIOUS_REPORT" | sed 's/^/previous-/'; fi; } > "$REVIEW_OUTPUT_DIR/report.md"; ` +
		`echo "security-risk:$r" > "$REVIEW_OUTPUT_DIR/labels.txt"`
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 3)
	up := f.ups["tool"]
	args := []string{"--review", "command", "--reviewer-cmd", agent, "--review-timeout", "1m"}
	nonce := regexp.MustCompile(`(?m)^nonce-[0-9a-f]+$`)
	comment := func(number int) string {
		t.Helper()
		for _, c := range f.gh.Comments(number) {
			if strings.Contains(c.Body, "<!-- updater:review -->") {
				return c.Body
			}
		}
		t.Fatal("no review comment")
		return ""
	}

	// 1. The first review runs the agent on the whole range.
	f.pass(exitOK, args...)
	pr, _ := f.botPR("tool")
	first := comment(pr.Number)
	n1 := nonce.FindString(first)
	if n1 == "" || !strings.Contains(first, "range "+up.commits[0]+".."+up.commits[2]) {
		t.Fatalf("first review:\n%s", first)
	}
	if !strings.Contains(first, "<!-- updater:agent-reviewed base="+up.commits[0]+" head="+up.commits[2]+" risk=medium blocked=false -->") {
		t.Errorf("the agent's review is not recorded on the PR:\n%s", first)
	}

	// 2. Same range, review republished (its label was lost): the agent is
	//    not run again, its verdict and report are carried over.
	f.gh.RemoveLabel(pr.Number, "security-risk:medium")
	f.pass(exitOK, args...)
	second := comment(pr.Number)
	if got := nonce.FindString(second); got != n1 {
		t.Errorf("the agent ran again on an unchanged range (nonce %q, was %q):\n%s", got, n1, second)
	}
	if !strings.Contains(second, "carried over") || !contains(f.gh.PR(pr.Number).Labels, "security-risk:medium") {
		t.Errorf("the carried-over verdict is not shown:\n%s\nlabels %v", second, f.gh.PR(pr.Number).Labels)
	}

	// 3. The head moves: only the new commit is reviewed, with the previous
	//    report as context, and the earlier medium still counts.
	head := up.repo.Commit("main", "tool change 3", gittest.Files(map[string]string{"src/main.go": "package main // 3\n"}))
	f.pass(exitOK, args...)
	third := comment(pr.Number)
	for _, want := range []string{"range " + up.commits[2] + ".." + head, "previous-" + n1, "reviewed only the new commits",
		"<!-- updater:agent-reviewed base=" + up.commits[0] + " head=" + head + " risk=medium"} {
		if !strings.Contains(third, want) {
			t.Errorf("incremental review lacks %q:\n%s", want, third)
		}
	}
	if !contains(f.gh.PR(pr.Number).Labels, "security-risk:medium") {
		t.Errorf("the earlier commits' verdict was dropped: labels %v", f.gh.PR(pr.Number).Labels)
	}

	// 4. --agent-full-review reviews the whole range again.
	f.gh.RemoveLabel(pr.Number, "security-risk:medium")
	f.pass(exitOK, append(args, "--agent-full-review")...)
	fourth := comment(pr.Number)
	if !strings.Contains(fourth, "range "+up.commits[0]+".."+head) || strings.Contains(fourth, "previous-nonce") {
		t.Errorf("full re-review:\n%s", fourth)
	}
}
