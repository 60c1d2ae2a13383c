package review

import (
	"strings"
	"testing"
)

// The record and the quoted report survive the round trip through the
// published comment, fences inside the report included.
func TestAgentRecordRoundTrip(t *testing.T) {
	report := "# Report\n\n```js\nexec(x)\n```\n\nfour: ````\n"
	agent := agentResult(agentOutput{report: report, risks: []Severity{High}, blocked: true}, nil)
	res := Combine(&Result{Mode: ModeBuiltin}, agent)
	base, head := strings.Repeat("a", 40), strings.Repeat("b", 40)
	line := res.AgentRecordLine(base, head)
	if line == "" {
		t.Fatal("no record for a completed agent")
	}
	comment := "<!-- updater:review -->\n" + line + "\n" + res.Markdown(ReportMeta{Base: base, Head: head})
	rec, ok := ParseAgentRecord(comment)
	if !ok || rec.Base != base || rec.Head != head || rec.Risk != High || !rec.Blocked {
		t.Fatalf("record %+v %v from:\n%s", rec, ok, comment)
	}
	if rec.Report != report {
		t.Errorf("report %q, want %q", rec.Report, report)
	}
	carried := CarriedAgent(rec)
	if carried.Risk != High || !carried.Blocked || carried.AgentReport != report || carried.AgentRecordLine(base, head) != line {
		t.Errorf("carried: %s, record %q", carried.Summary(), carried.AgentRecordLine(base, head))
	}
}

func TestNoRecordForAFailedAgentOrForgedLines(t *testing.T) {
	failed := agentResult(agentOutput{problems: []string{"report.md is missing"}}, nil)
	if line := failed.AgentRecordLine(strings.Repeat("a", 40), strings.Repeat("b", 40)); line != "" {
		t.Errorf("a failed agent was recorded: %s", line)
	}
	if line := (&Result{}).AgentRecordLine(strings.Repeat("a", 40), strings.Repeat("b", 40)); line != "" {
		t.Errorf("no agent, yet recorded: %s", line)
	}
	for _, bad := range []string{"", "<!-- updater:agent-reviewed base=x head=y risk=info blocked=false -->",
		"<!-- updater:agent-reviewed base=" + strings.Repeat("a", 40) + " head=" + strings.Repeat("b", 40) + " risk=none blocked=false -->"} {
		if _, ok := ParseAgentRecord(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}
