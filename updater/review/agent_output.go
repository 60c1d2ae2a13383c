package review

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// agentOutput is what RunAgent takes from the agent's output directory.
type agentOutput struct {
	report   string
	risks    []Severity // distinct risk labels, in the order given
	blocked  bool
	dropped  []string // labels outside the allow-list
	problems []string // why the output cannot be trusted as complete
}

// collectAgentOutput reads report.md and labels.txt from dir and nothing
// else; whatever else the agent wrote is ignored (and removed with dir).
func collectAgentOutput(dir string, maxReport int64) agentOutput {
	var out agentOutput
	report, err := readAgentFile(filepath.Join(dir, ReportFile), maxReport)
	if err != nil {
		out.problems = append(out.problems, err.Error())
	} else {
		out.report = mdsafe.Text(report, true)
	}
	labels, err := readAgentFile(filepath.Join(dir, LabelsFile), maxLabelsBytes)
	if err != nil {
		out.problems = append(out.problems, err.Error())
		return out
	}
	out.risks, out.blocked, out.dropped = parseAgentLabels(labels)
	if len(out.risks) == 0 {
		out.problems = append(out.problems, "labels.txt has no security-risk label")
	}
	return out
}

// readAgentFile reads a file the agent wrote: a regular file (not a
// symlink, FIFO or directory), at most limit bytes, valid UTF-8. The size
// is enforced while reading, so a huge file costs at most limit+1 bytes of
// memory whatever its stat says.
func readAgentFile(path string, limit int64) (string, error) {
	name := filepath.Base(path)
	lst, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s is missing", name)
	case err != nil:
		return "", fmt.Errorf("%s: %w", name, err)
	case lst.Mode()&fs.ModeSymlink != 0:
		return "", fmt.Errorf("%s is a symlink", name)
	case !lst.Mode().IsRegular():
		return "", fmt.Errorf("%s is not a regular file", name)
	case lst.Size() > limit:
		return "", fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	// The file must be the one checked above, not something swapped in.
	st, err := f.Stat()
	if err != nil || !os.SameFile(lst, st) {
		return "", fmt.Errorf("%s changed while being read", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return "", fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	if !utf8.Valid(data) {
		return "", fmt.Errorf("%s is not valid UTF-8", name)
	}
	return string(data), nil
}

// parseAgentLabels keeps the allow-listed labels, one per line, and
// returns the others as dropped.
func parseAgentLabels(content string) (risks []Severity, blocked bool, dropped []string) {
	for _, line := range strings.Split(content, "\n") {
		label := strings.ToLower(strings.TrimSpace(line))
		if label == "" {
			continue
		}
		if label == LabelBlocked {
			blocked = true
			continue
		}
		if name, ok := strings.CutPrefix(label, LabelRiskPrefix); ok {
			if s, err := ParseSeverity(name); err == nil {
				if !slices.Contains(risks, s) {
					risks = append(risks, s)
				}
				continue
			}
		}
		dropped = append(dropped, strings.TrimSpace(line))
	}
	return risks, blocked, dropped
}

// agentResult turns the agent's output and run problems into a Result.
// Problems can only raise the risk: a broken agent is a high finding, and
// whatever valid verdict it still wrote counts on top.
func agentResult(out agentOutput, runProblems []string) *Result {
	problems := append(slices.Clone(runProblems), out.problems...)
	var findings []Finding
	if len(problems) > 0 {
		findings = append(findings, Finding{
			Rule:     RuleAgentReview,
			Severity: High,
			Title:    "Agent review did not complete: " + problems[0],
			Detail:   "Problems: " + strings.Join(problems, "; ") + ". The agent's verdict is missing or incomplete, so this bump has not been reviewed by it.",
			Recommendation: "Look at the bot's log for the agent's output, fix the reviewer and run the review again; " +
				"until then review the range by hand.",
		})
	}
	risk := Info
	for _, s := range out.risks {
		risk = max(risk, s)
	}
	if len(out.risks) > 1 {
		names := make([]string, len(out.risks))
		for i, s := range out.risks {
			names[i] = LabelRiskPrefix + s.String()
		}
		findings = append(findings, Finding{
			Rule:           RuleAgentReview,
			Severity:       Low,
			Title:          "Agent reviewer gave conflicting risk labels",
			Detail:         "Labels: " + strings.Join(names, ", ") + ". The highest, " + risk.String() + ", counts.",
			Recommendation: "Fix the reviewer so it writes exactly one security-risk label.",
		})
	}
	if len(out.dropped) > 0 {
		shown := make([]string, len(out.dropped))
		for i, l := range out.dropped {
			shown[i] = mdsafe.Truncate(l, 60)
		}
		findings = append(findings, Finding{
			Rule:     RuleAgentReview,
			Severity: Info,
			Title:    fmt.Sprintf("Agent reviewer proposed %d label%s outside the allow-list", len(out.dropped), plural(len(out.dropped))),
			Detail: "Dropped: " + listed(shown, 5) + ". Only security-risk:{critical,high,medium,low,info} and " +
				LabelBlocked + " are taken from an agent.",
		})
	}
	if risk > Info || out.blocked {
		title := "Agent reviewer rated this range " + risk.String()
		switch {
		case len(out.risks) == 0:
			title = "Agent reviewer asked to block merging"
		case out.blocked:
			title += " and asked to block merging"
		}
		findings = append(findings, Finding{
			Rule:           RuleAgentReview,
			Severity:       risk,
			Blocks:         out.blocked,
			Title:          title,
			Detail:         "The reasons are in the agent's report.",
			Recommendation: "Read the agent report below.",
		})
	}
	res := newResult(findings, ModeAgent)
	res.agentVerdict = &agentVerdict{risk: risk, blocked: out.blocked, complete: len(problems) == 0}
	res.AgentReport = out.report
	res.AgentDroppedLabels = len(out.dropped)
	return res
}
