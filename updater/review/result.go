package review

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mcp-registry/updater/updater/agentbox"
)

// Mode says who reviewed, as recorded in Result.Mode.
type Mode string

// Modes.
const (
	ModeBuiltin      Mode = "builtin"
	ModeAgent        Mode = "agent"
	ModeBuiltinAgent Mode = "builtin+agent"
)

// Labels the review owns on a PR. Any other label is a human's.
// LabelPending stands in for the verdict while a new head's review is
// not published yet: a head is never shown with a verdict not its own.
const (
	LabelRiskPrefix = "security-risk:"
	LabelBlocked    = "security-blocked"
	LabelPending    = "security-review-pending"
)

// Result is the outcome of a review.
type Result struct {
	// Findings are sorted by severity (highest first), then rule, then evidence.
	Findings []Finding `json:"findings"`
	// Risk is the highest finding severity; Info when there are none.
	Risk Severity `json:"risk"`
	// Blocked is true when a finding blocks merging.
	Blocked bool `json:"blocked"`
	Mode    Mode `json:"mode"`
	// Tools is what changed in the server's MCP tool surface; the report
	// opens with it.
	Tools []ToolChange `json:"tool_changes,omitempty"`

	// AgentReport is the agent reviewer's report.md: capped, valid UTF-8,
	// control characters stripped, but otherwise untrusted text that the
	// Markdown renderer quotes in a fence.
	AgentReport string `json:"agent_report,omitempty"`
	// AgentLog is the agent's captured stdout and stderr, capped: for the
	// bot's log when the agent fails, never for the PR.
	AgentLog string `json:"-"`
	// AgentDroppedLabels counts labels the agent proposed outside the allow-list.
	AgentDroppedLabels int `json:"agent_dropped_labels,omitempty"`
	// AgentRun says how the agent ran: sandboxed or not, and what it
	// spent through the inference proxy. Nil without an agent.
	AgentRun *AgentRun `json:"agent_run,omitempty"`

	// agentVerdict is the agent's own verdict, kept through Combine so
	// the published review can record it (see AgentRecord).
	agentVerdict *agentVerdict
}

// AgentRun is how one agent run was contained and what it used.
type AgentRun struct {
	// Sandbox is the containment the agent ran in (bwrap or none).
	Sandbox agentbox.Mode `json:"-"`
	// Usage is what the agent spent through the inference proxy; nil
	// when it was given none.
	Usage *agentbox.Usage `json:"inference,omitempty"`
	// Limits are the sandbox's resource caps (nil unsandboxed).
	Limits *agentbox.Limits `json:"-"`
}

// MarshalJSON writes the sandbox by name.
func (a AgentRun) MarshalJSON() ([]byte, error) {
	type plain AgentRun
	return json.Marshal(struct {
		Sandbox string `json:"sandbox"`
		plain
	}{a.Sandbox.String(), plain(a)})
}

// newResult sorts findings and derives risk and blocking from them.
func newResult(findings []Finding, mode Mode) *Result {
	res := &Result{Findings: findings, Mode: mode}
	slices.SortStableFunc(res.Findings, compareFindings)
	for _, f := range res.Findings {
		if f.Allowed != "" {
			continue
		}
		res.Risk = max(res.Risk, f.Severity)
		res.Blocked = res.Blocked || f.Blocks
	}
	return res
}

func compareFindings(a, b Finding) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	for i := 0; i < min(len(a.Evidence), len(b.Evidence)); i++ {
		if c := compareLocations(a.Evidence[i], b.Evidence[i]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a.Evidence), len(b.Evidence)); c != 0 {
		return c
	}
	return cmp.Compare(a.Title, b.Title)
}

// compareLocations orders "path:line" by path, then line as a number, so
// "a.go:9" comes before "a.go:10".
func compareLocations(a, b string) int {
	pa, la, okA := splitLocation(a)
	pb, lb, okB := splitLocation(b)
	if okA && okB && pa == pb {
		return cmp.Compare(la, lb)
	}
	return cmp.Compare(a, b)
}

func splitLocation(loc string) (path string, line int, ok bool) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0, false
	}
	n, err := strconv.Atoi(loc[i+1:])
	if err != nil {
		return loc, 0, false
	}
	return loc[:i], n, true
}

// Combine merges the built-in result with the agent's: the higher risk
// wins, findings are merged, and either one blocking blocks. A nil agent
// result leaves the built-in one as it is (a copy).
func Combine(builtin, agent *Result) *Result {
	if builtin == nil {
		builtin = &Result{Mode: ModeBuiltin}
	}
	if agent == nil {
		c := *builtin
		c.Findings = slices.Clone(builtin.Findings)
		return &c
	}
	findings := make([]Finding, 0, len(builtin.Findings)+len(agent.Findings))
	findings = append(findings, builtin.Findings...)
	findings = append(findings, agent.Findings...)
	res := newResult(findings, ModeBuiltinAgent)
	// Risk and blocking are carried over explicitly too, in case a result
	// was built by hand with a verdict and no finding behind it.
	res.Risk = max(res.Risk, builtin.Risk, agent.Risk)
	res.Blocked = res.Blocked || builtin.Blocked || agent.Blocked
	res.Tools = builtin.Tools
	res.AgentReport = agent.AgentReport
	res.AgentLog = agent.AgentLog
	res.AgentDroppedLabels = agent.AgentDroppedLabels
	res.AgentRun = agent.AgentRun
	res.agentVerdict = agent.agentVerdict
	return res
}

// Labels returns exactly one security-risk:<risk> label, plus
// security-blocked when merging must stop.
func (r *Result) Labels() []string {
	labels := []string{LabelRiskPrefix + r.Risk.String()}
	if r.Blocked {
		labels = append(labels, LabelBlocked)
	}
	return labels
}

// LabelsFile is the labels.txt content: one label per line.
func (r *Result) LabelsFile() string {
	return strings.Join(r.Labels(), "\n") + "\n"
}

// Summary is a one-line description for a check run title or a log line,
// e.g. "risk high, blocked: 4 findings (1 critical, 1 high, 2 medium), 2
// allowed". Allowed findings are not counted with the others: they raise
// nothing, so they are named apart.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("risk ")
	b.WriteString(r.Risk.String())
	if r.Blocked {
		b.WriteString(", blocked")
	}
	counted, allowed := r.Counted()
	if len(counted) == 0 {
		b.WriteString(": no findings")
	} else {
		fmt.Fprintf(&b, ": %d finding%s (%s)", len(counted), plural(len(counted)), countsBySeverity(counted))
	}
	if allowed > 0 {
		fmt.Fprintf(&b, ", %d allowed", allowed)
	}
	return b.String()
}

// Counted is the findings that count towards the verdict, in order, and
// how many others the registry's allow-list accepted.
func (r *Result) Counted() (counted []Finding, allowed int) {
	for _, f := range r.Findings {
		if f.Allowed != "" {
			allowed++
			continue
		}
		counted = append(counted, f)
	}
	return counted, allowed
}

// countsBySeverity renders "1 critical, 2 medium", highest first.
func countsBySeverity(fs []Finding) string {
	var counts [Critical + 1]int
	for _, f := range fs {
		if f.Severity >= Info && f.Severity <= Critical {
			counts[f.Severity]++
		}
	}
	var parts []string
	for s := Critical; s >= Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// RuleReviewIncomplete is the finding of a review that could not read the
// upstream range at all (fetch failed, upstream unreachable).
const RuleReviewIncomplete = "review-incomplete"

// Incomplete is the result of a review that could not be carried out: a
// high finding under rule that says why, never a silent pass.
func Incomplete(rule, reason string) *Result {
	return newResult([]Finding{{
		Rule:           rule,
		Severity:       High,
		Title:          "review did not complete: " + reason,
		Recommendation: "Review the upstream change range by hand before merging, or re-run the bot once the cause is fixed.",
	}}, ModeBuiltin)
}
