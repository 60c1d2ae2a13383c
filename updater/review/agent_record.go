package review

import (
	"fmt"
	"regexp"
	"strings"
)

// An agent review is paid for once per head. The published review
// records the range the agent reviewed and its verdict (AgentRecord, a
// hidden line in the bot's report comment); a later pass on the same
// range carries that verdict over without running the agent, and a pass
// whose head moved runs it on the new commits only (previous head..new
// head), with the previous report as context, keeping the previous
// verdict for the older commits.

// AgentRecord is what a published review says about its agent run.
type AgentRecord struct {
	Base, Head string
	Risk       Severity
	Blocked    bool
	// Report is the agent's report as the comment quoted it (budgeted).
	Report string
}

// agentVerdict is an agent run's own verdict, before Combine.
type agentVerdict struct {
	risk     Severity
	blocked  bool
	complete bool // the agent ran and wrote a valid verdict
	// incremental and carried say how this verdict was reached.
	incremental, carried bool
}

var agentRecordLine = regexp.MustCompile(`<!-- updater:agent-reviewed base=([0-9a-f]{40}) head=([0-9a-f]{40}) risk=([a-z]+) blocked=(true|false) -->`)

// AgentRecordLine is the hidden line recording the agent's verdict on
// base..head, or "" when no agent completed (the next pass then runs it
// again in full).
func (r *Result) AgentRecordLine(base, head string) string {
	v := r.agentVerdict
	if v == nil || !v.complete || !isFullSHA(base) || !isFullSHA(head) {
		return ""
	}
	return fmt.Sprintf("<!-- updater:agent-reviewed base=%s head=%s risk=%s blocked=%t -->", base, head, v.risk, v.blocked)
}

func isFullSHA(s string) bool { return len(s) == 40 && commitSHA.MatchString(s) }

// ParseAgentRecord reads the record and the quoted agent report back from
// the bot's own report comment.
func ParseAgentRecord(comment string) (AgentRecord, bool) {
	m := agentRecordLine.FindStringSubmatch(comment)
	if m == nil {
		return AgentRecord{}, false
	}
	risk, err := ParseSeverity(m[3])
	if err != nil {
		return AgentRecord{}, false
	}
	return AgentRecord{Base: m[1], Head: m[2], Risk: risk, Blocked: m[4] == "true", Report: quotedAgentReport(comment)}, true
}

// quotedAgentReport undoes the fence Markdown put around the agent's
// report (fenced: a run of backticks longer than any inside, "text").
func quotedAgentReport(comment string) string {
	_, after, ok := strings.Cut(comment, "\n## Agent Report\n")
	if !ok {
		return ""
	}
	lines := strings.Split(after, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "```") && strings.HasSuffix(l, "text") {
			fence := strings.TrimSuffix(l, "text")
			for j := i + 1; j < len(lines); j++ {
				if lines[j] == fence {
					return strings.Join(lines[i+1:j], "\n") + "\n"
				}
			}
			return ""
		}
	}
	return ""
}

// CarriedAgent is the agent's recorded verdict on the same range, taken
// over without running it again.
func CarriedAgent(rec AgentRecord) *Result {
	f := Finding{
		Rule:     RuleAgentReview,
		Severity: rec.Risk,
		Blocks:   rec.Blocked,
		Title:    fmt.Sprintf("Agent reviewer rated this range %s (carried over: the agent already reviewed head %.7s)", rec.Risk, rec.Head),
		Detail:   "The agent was not run again for an unchanged range; its report below is the earlier one. Pass --agent-full-review to run it again.",
	}
	var findings []Finding
	if rec.Risk > Info || rec.Blocked {
		findings = append(findings, f)
	}
	res := newResult(findings, ModeAgent)
	res.Risk = max(res.Risk, rec.Risk)
	res.Blocked = res.Blocked || rec.Blocked
	res.AgentReport = rec.Report
	res.agentVerdict = &agentVerdict{risk: rec.Risk, blocked: rec.Blocked, complete: true, carried: true}
	return res
}

// WithPrevious folds the recorded verdict on base..previous head into an
// incremental agent run on previous head..new head: the older commits are
// still in the bump, so their verdict still counts.
func WithPrevious(res *Result, rec AgentRecord) *Result {
	findings := append([]Finding(nil), res.Findings...)
	findings = append(findings, Finding{
		Rule:     RuleAgentReview,
		Severity: Info,
		Title:    fmt.Sprintf("Agent reviewed only the new commits %.7s..head, with its previous report as context", rec.Head),
		Detail: fmt.Sprintf("The commits up to %.7s were reviewed by the agent before (risk %s%s); that verdict still counts. "+
			"Pass --agent-full-review to review the whole range again.", rec.Head, rec.Risk, map[bool]string{true: ", blocked", false: ""}[rec.Blocked]),
	})
	if rec.Risk > Info || rec.Blocked {
		findings = append(findings, Finding{
			Rule:     RuleAgentReview,
			Severity: rec.Risk,
			Blocks:   rec.Blocked,
			Title:    fmt.Sprintf("Agent reviewer rated the earlier commits (up to %.7s) %s", rec.Head, rec.Risk),
			Detail:   "From the agent's previous review of this pull request.",
		})
	}
	out := newResult(findings, ModeAgent)
	out.AgentReport, out.AgentLog, out.AgentDroppedLabels, out.AgentRun = res.AgentReport, res.AgentLog, res.AgentDroppedLabels, res.AgentRun
	if v := res.agentVerdict; v != nil {
		out.agentVerdict = &agentVerdict{risk: max(v.risk, rec.Risk), blocked: v.blocked || rec.Blocked, complete: v.complete, incremental: true}
	}
	return out
}
