package review

import (
	"fmt"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/agentbox"
)

// ReportMeta is what the report says about the range beyond the findings.
type ReportMeta struct {
	Server     string
	Repository string // the upstream project URL
	Directory  string
	Base, Head string
	Commits    int // commits in the range (all of them, not only those listed)
}

// MetaFor fills a ReportMeta from the reviewed range.
func MetaFor(server string, r *ranges.Range) ReportMeta {
	return ReportMeta{
		Server:     server,
		Repository: r.Project,
		Directory:  r.Directory,
		Base:       r.Base,
		Head:       r.Head,
		Commits:    r.TotalCommits,
	}
}

// Report size bounds. GitHub caps a comment at 65536 characters; the
// findings and the agent report each get a budget well inside it, and a
// finding never lists more than maxRenderedEvidence locations.
const (
	maxRenderedFindings = 50
	maxRenderedEvidence = 10
	findingsBudget      = 40 << 10
	agentReportBudget   = 16 << 10
	maxTitle            = 200
	maxDetail           = 1200
	maxRecommendation   = 400
	maxLocation         = 300
)

// Markdown renders the report in the reviewer format registries read:
// Scope Summary, Executive Summary, Detailed Findings, Recommended Labels.
// Every piece of upstream text in it is escaped or fenced.
func (r *Result) Markdown(meta ReportMeta) string {
	var b strings.Builder
	b.WriteString("# Security Review Report\n\n")
	r.writeScope(&b, meta)
	r.writeExecutiveSummary(&b, meta)
	r.writeFindings(&b)
	r.writeAgentRun(&b)
	if r.AgentReport != "" {
		b.WriteString("## Agent Report\n\n")
		b.WriteString("The agent reviewer's own report, quoted as untrusted text:\n\n")
		b.WriteString(fenced(r.AgentReport, agentReportBudget))
		b.WriteString("\n")
	}
	b.WriteString("## Recommended Labels\n\n")
	for _, l := range r.Labels() {
		fmt.Fprintf(&b, "- `%s`\n", l)
	}
	return b.String()
}

// writeAgentRun says how the agent was contained, truthfully: an
// unsandboxed run is named as such.
func (r *Result) writeAgentRun(b *strings.Builder) {
	run := r.AgentRun
	if run == nil {
		return
	}
	b.WriteString("## Agent Run\n\n")
	switch run.Sandbox {
	case agentbox.Bwrap:
		b.WriteString("- **Sandbox**: bubblewrap: no network, no host processes, the code read-only, one writable output directory\n")
	default:
		b.WriteString("- **Sandbox**: none: **the agent ran unsandboxed** (`--agent-sandbox none`), with the bot's network and file system\n")
	}
	if run.Usage != nil {
		fmt.Fprintf(b, "- **Inference**: %s\n", run.Usage)
	}
	b.WriteString("\n")
}

func (r *Result) writeScope(b *strings.Builder, meta ReportMeta) {
	b.WriteString("## Scope Summary\n\n")
	b.WriteString("- **Review Mode**: Differential\n")
	if meta.Server != "" {
		fmt.Fprintf(b, "- **Server**: %s\n", codeSpan(meta.Server, 100))
	}
	fmt.Fprintf(b, "- **Repository**: %s\n", codeSpan(meta.Repository, 200))
	if meta.Directory != "" {
		fmt.Fprintf(b, "- **Directory**: %s\n", codeSpan(meta.Directory, 200))
	}
	fmt.Fprintf(b, "- **Head Commit**: %s\n", codeSpan(meta.Head, 64))
	fmt.Fprintf(b, "- **Base Commit**: %s\n", codeSpan(meta.Base, 64))
	fmt.Fprintf(b, "- **Commit Range**: %s (%d commit%s)\n",
		codeSpan(shortSHA(meta.Base, 7)+".."+shortSHA(meta.Head, 7), 40), meta.Commits, plural(meta.Commits))
	fmt.Fprintf(b, "- **Overall Risk Level**: %s\n", strings.ToUpper(r.Risk.String()))
	fmt.Fprintf(b, "- **Reviewed By**: %s\n\n", reviewerName(r.Mode))
}

func reviewerName(mode string) string {
	switch mode {
	case ModeAgent:
		return "the agent reviewer"
	case ModeBuiltinAgent:
		return "the built-in rules and the agent reviewer"
	}
	return "the built-in rules"
}

func (r *Result) writeExecutiveSummary(b *strings.Builder, meta ReportMeta) {
	b.WriteString("## Executive Summary\n\n")
	commits := fmt.Sprintf("%d commit%s", meta.Commits, plural(meta.Commits))
	who := reviewerName(r.Mode)
	who = strings.ToUpper(who[:1]) + who[1:]
	if len(r.Findings) == 0 {
		fmt.Fprintf(b, "%s found nothing security-relevant in the %s of this range. Overall risk is **%s**.\n\n", who, commits, r.Risk)
		return
	}
	fmt.Fprintf(b, "%s found %d finding%s (%s) in the %s of this range. Overall risk is **%s**.\n\n",
		who, len(r.Findings), plural(len(r.Findings)), r.countsBySeverity(), commits, r.Risk)
	if r.Blocked {
		b.WriteString("**Merging is blocked**: a finding needs a maintainer's decision before this pin may move.\n\n")
	}
	top := min(3, len(r.Findings))
	b.WriteString("Highest findings:\n\n")
	for _, f := range r.Findings[:top] {
		fmt.Fprintf(b, "- **[%s]** %s\n", strings.ToUpper(f.Severity.String()), inline(f.Title, maxTitle))
	}
	b.WriteString("\n")
}

func (r *Result) writeFindings(b *strings.Builder) {
	b.WriteString("## Detailed Findings\n\n")
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n\n")
		return
	}
	start := b.Len()
	for i, f := range r.Findings {
		if i == maxRenderedFindings || b.Len()-start > findingsBudget {
			fmt.Fprintf(b, "… and %d more findings not shown.\n\n", len(r.Findings)-i)
			return
		}
		writeFinding(b, f)
	}
}

func writeFinding(b *strings.Builder, f Finding) {
	fmt.Fprintf(b, "### [%s] %s\n\n", strings.ToUpper(f.Severity.String()), inline(f.Title, maxTitle))
	fmt.Fprintf(b, "- **Rule**: %s\n", codeSpan(f.Rule, 60))
	if len(f.Evidence) > 0 {
		b.WriteString("- **Evidence**:\n")
		for i, loc := range f.Evidence {
			if i == maxRenderedEvidence {
				fmt.Fprintf(b, "  - … and %d more\n", len(f.Evidence)-i)
				break
			}
			fmt.Fprintf(b, "  - %s\n", codeSpan(loc, maxLocation))
		}
	}
	if f.Detail != "" {
		fmt.Fprintf(b, "- **Detail**: %s\n", inline(f.Detail, maxDetail))
	}
	if f.Recommendation != "" {
		fmt.Fprintf(b, "- **Recommendation**: %s\n", inline(f.Recommendation, maxRecommendation))
	}
	if f.Blocks {
		b.WriteString("- **Blocks merging**: yes\n")
	}
	b.WriteString("\n")
}

// CheckSummary is the short Markdown for a check run's summary: the
// verdict and the first limit findings, escaped like the report.
func (r *Result) CheckSummary(limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Overall risk: %s**", strings.ToUpper(r.Risk.String()))
	if r.Blocked {
		b.WriteString(", **merging blocked**")
	}
	fmt.Fprintf(&b, " (%s).\n\n", reviewerName(r.Mode))
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
		return b.String()
	}
	limit = max(0, min(limit, maxRenderedFindings))
	for i, f := range r.Findings {
		if i == limit {
			fmt.Fprintf(&b, "- … and %d more in the report\n", len(r.Findings)-i)
			break
		}
		fmt.Fprintf(&b, "- **[%s]** %s", strings.ToUpper(f.Severity.String()), inline(f.Title, maxTitle))
		if len(f.Evidence) > 0 {
			fmt.Fprintf(&b, " (%s)", codeSpan(f.Evidence[0], maxLocation))
		}
		b.WriteString("\n")
	}
	return b.String()
}
