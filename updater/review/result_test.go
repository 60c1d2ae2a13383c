package review

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestSeverityNames(t *testing.T) {
	for s := Info; s <= Critical; s++ {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if s, err := ParseSeverity("HIGH"); err != nil || s != High {
		t.Errorf("case-insensitive parse: %v %v", s, err)
	}
	for _, bad := range []string{"", "severe", "high "} {
		if _, err := ParseSeverity(bad); err == nil {
			t.Errorf("ParseSeverity(%q) accepted", bad)
		}
	}
	if Severity(9).String() != "severity(9)" {
		t.Errorf("out of range: %s", Severity(9))
	}
	b, err := json.Marshal(struct{ S Severity }{Medium})
	if err != nil || string(b) != `{"S":"medium"}` {
		t.Errorf("json: %s %v", b, err)
	}
	if Low.lower(3) != Info || Critical.lower(1) != High {
		t.Error("lower")
	}
}

func TestResultVerdicts(t *testing.T) {
	tests := []struct {
		name       string
		findings   []Finding
		risk       Severity
		labels     []string
		conclusion string
	}{
		{"none", nil, Info, []string{"security-risk:info"}, "success"},
		{"info", []Finding{{Severity: Info}}, Info, []string{"security-risk:info"}, "success"},
		{"low", []Finding{{Severity: Low}, {Severity: Info}}, Low, []string{"security-risk:low"}, "success"},
		{"medium", []Finding{{Severity: Medium}}, Medium, []string{"security-risk:medium"}, "neutral"},
		{"high", []Finding{{Severity: Low}, {Severity: High}}, High, []string{"security-risk:high"}, "neutral"},
		{"critical", []Finding{{Severity: Critical}}, Critical, []string{"security-risk:critical"}, "failure"},
		{"blocked low", []Finding{{Severity: Low, Blocks: true}}, Low, []string{"security-risk:low", "security-blocked"}, "failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResult(tc.findings, ModeBuiltin)
			if r.Risk != tc.risk {
				t.Errorf("risk %s, want %s", r.Risk, tc.risk)
			}
			if got := r.Labels(); !slices.Equal(got, tc.labels) {
				t.Errorf("labels %q, want %q", got, tc.labels)
			}
			if got := r.CheckConclusion(FailOnCritical); string(got) != tc.conclusion {
				t.Errorf("conclusion %q, want %q", got, tc.conclusion)
			}
		})
	}
}

func TestFindingOrder(t *testing.T) {
	r := newResult([]Finding{
		{Rule: "b", Severity: Medium, Evidence: []string{"x.go:10"}},
		{Rule: "b", Severity: Medium, Evidence: []string{"x.go:9"}},
		{Rule: "a", Severity: Medium, Evidence: []string{"z.go:1"}},
		{Rule: "z", Severity: Critical},
		{Rule: "b", Severity: Medium, Evidence: []string{"a.go"}},
	}, ModeBuiltin)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Severity.String()+" "+firstOr(f.Evidence))
	}
	want := []string{"z critical -", "a medium z.go:1", "b medium a.go", "b medium x.go:9", "b medium x.go:10"}
	if !slices.Equal(got, want) {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return s[0]
}

func TestCombine(t *testing.T) {
	builtin := newResult([]Finding{{Rule: RuleDependencies, Severity: Medium}}, ModeBuiltin)
	agent := newResult([]Finding{{Rule: RuleAgentReview, Severity: High, Blocks: true}}, ModeAgent)
	agent.AgentReport = "# agent\n"
	agent.AgentDroppedLabels = 2

	c := Combine(builtin, agent)
	if c.Risk != High || !c.Blocked || c.Mode != ModeBuiltinAgent || len(c.Findings) != 2 || c.Findings[0].Rule != RuleAgentReview {
		t.Errorf("combined: %s mode %s\n%s", c.Summary(), c.Mode, dumpFindings(c.Findings))
	}
	if c.AgentReport != "# agent\n" || c.AgentDroppedLabels != 2 {
		t.Errorf("agent fields not carried: %+v", c)
	}
	// The lower side never lowers the risk, whichever side it is on.
	if c2 := Combine(agent, builtin); c2.Risk != High || !c2.Blocked {
		t.Errorf("reversed: %s", c2.Summary())
	}
	// A verdict without a finding behind it still counts.
	if c3 := Combine(builtin, &Result{Risk: Critical, Mode: ModeAgent}); c3.Risk != Critical {
		t.Errorf("bare verdict lost: %s", c3.Summary())
	}
	// No agent: a copy of the built-in result, not an alias.
	c4 := Combine(builtin, nil)
	c4.Findings[0].Title = "changed"
	if builtin.Findings[0].Title == "changed" || c4.Mode != ModeBuiltin {
		t.Error("Combine(b, nil) aliases the built-in findings")
	}
}

func TestSummary(t *testing.T) {
	if got := newResult(nil, ModeBuiltin).Summary(); got != "risk info: no findings" {
		t.Errorf("%q", got)
	}
	r := newResult([]Finding{{Severity: Critical, Blocks: true}, {Severity: Medium}, {Severity: Medium}}, ModeBuiltin)
	if got := r.Summary(); got != "risk critical, blocked: 3 findings (1 critical, 2 medium)" {
		t.Errorf("%q", got)
	}
}

func TestDispatchPayloadJSON(t *testing.T) {
	b, err := json.Marshal(DispatchPayload{Server: "stripe", PullRequest: 42, Project: "https://github.com/stripe/agent-toolkit",
		Directory: "modelcontextprotocol", Base: baseSHA, Head: headSHA})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"server":"stripe","pull_request":42,"project":"https://github.com/stripe/agent-toolkit","directory":"modelcontextprotocol","base":"` + baseSHA + `","head":"` + headSHA + `"}`
	if string(b) != want {
		t.Errorf("payload\n got %s\nwant %s", b, want)
	}
}
