package review

import (
	"strings"
	"testing"
)

func TestAllowedFindingShowsButRaisesNothing(t *testing.T) {
	findings := func() []Finding {
		return []Finding{
			{Rule: RuleInstallHook, Severity: High, Title: "hook", Evidence: []string{"pkg/package.json:3"}, Blocks: true},
			{Rule: RuleNetworkEndpoint, Severity: Medium, Title: "host", Evidence: []string{"src/a.ts:1", "lib/b.ts:2"}},
			{Rule: RuleHistoryRewritten, Severity: Critical, Title: "rewritten", Blocks: true},
		}
	}
	fs := findings()
	markAllowed(fs, []Allowance{
		{Rule: RuleInstallHook, Reason: "builds its native module", Path: "pkg"},
		{Rule: RuleNetworkEndpoint, Reason: "its API", Path: "src"}, // lib/b.ts is outside: not allowed
		{Rule: RuleHistoryRewritten, Reason: "never allowable"},
	})
	if fs[0].Allowed != "builds its native module" || fs[1].Allowed != "" || fs[2].Allowed != "" {
		t.Fatalf("allowed: %q %q %q", fs[0].Allowed, fs[1].Allowed, fs[2].Allowed)
	}
	res := newResult(fs[:2], ModeBuiltin)
	if res.Risk != Medium || res.Blocked {
		t.Errorf("risk %s blocked %v, want medium and not blocked", res.Risk, res.Blocked)
	}
	md := res.FullMarkdown(ReportMeta{Server: "x", Head: strings.Repeat("a", 40)})
	if !strings.Contains(md, "hook — allowed by the registry: builds its native module") || strings.Contains(md, "blocks merging") {
		t.Errorf("report:\n%s", md)
	}
	if !AllowableRule(RuleInstallHook) || !AllowableRule(RuleProjectChanged) || AllowableRule(RuleHistoryRewritten) || AllowableRule("no-such-rule") {
		t.Error("AllowableRule")
	}
}

// TestCountsLeaveOutAllowed: the summary's counts, the one-line summary
// and the check summary count only what raises the risk; allowed findings
// are named apart.
func TestCountsLeaveOutAllowed(t *testing.T) {
	fs := []Finding{
		{Rule: RuleInstallHook, Severity: High, Title: "hook one", Evidence: []string{"package.json:3"}},
		{Rule: RuleInstallHook, Severity: High, Title: "hook two", Evidence: []string{"package.json:4"}},
		{Rule: RuleNetworkEndpoint, Severity: Medium, Title: "host", Evidence: []string{"src/a.ts:1"}},
	}
	markAllowed(fs, []Allowance{{Rule: RuleInstallHook, Reason: "builds its native module"}})
	res := newResult(fs, ModeBuiltin)
	if got, want := res.Summary(), "risk medium: 1 finding (1 medium), 2 allowed"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	md := res.Markdown(ReportMeta{Server: "x", Head: strings.Repeat("a", 40)})
	summary := strings.SplitN(md, "\n## ", 3)[1] // the Summary section
	if strings.Contains(summary, "install-hook") || strings.Contains(summary, "hook one") {
		t.Errorf("the summary counts an allowed finding:\n%s", summary)
	}
	if !strings.Contains(summary, "- **Allowed**: 2 findings the registry accepted") || !strings.Contains(summary, "MEDIUM network-endpoint ×1") {
		t.Errorf("summary:\n%s", summary)
	}
	if cs := res.CheckSummary(5); strings.Contains(cs, "hook one") || !strings.Contains(cs, "2 findings allowed by the registry") {
		t.Errorf("check summary:\n%s", cs)
	}
}
