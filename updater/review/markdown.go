package review

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// ReportMeta is what the report says about the range beyond the findings.
type ReportMeta struct {
	Server     string
	Repository string // the upstream project URL
	Directory  string
	Base, Head string
	Commits    int // commits in the range (all of them, not only those listed)
	Files      int // files changed
	// Full: a full review of the code at Head (no Base, no commits).
	Full bool
	// SecurityFixes are advisories (GHSA, CVE) and security wording named
	// in the range's commit subjects: good news the report passes on.
	SecurityFixes []string
	// FailOn is the threshold the check applies, for the verdict line;
	// zero means DefaultFailOn.
	FailOn FailOn

	// newContent maps a changed path to its new content, for the one-line
	// snippets under each location.
	newContent map[string][]byte
	// build is what the scope owes to the Dockerfile (buildscope.go).
	build buildFacts
}

// MetaFor fills a ReportMeta from the reviewed range.
func MetaFor(server string, r *ranges.Range) ReportMeta {
	m := ReportMeta{
		Server:     server,
		Repository: r.Project,
		Directory:  r.Directory,
		Base:       r.Base,
		Head:       r.Head,
		Commits:    r.TotalCommits,
		Files:      len(r.Files),
		Full:       r.Full,
		newContent: make(map[string][]byte, len(r.Files)),
	}
	for i := range r.Files {
		if r.Files[i].New != nil {
			m.newContent[r.Files[i].Path] = r.Files[i].New
		}
	}
	m.SecurityFixes = securityFixes(r.Commits)
	m.build = buildFactsOf(r)
	return m
}

var (
	advisoryID      = regexp.MustCompile(`(?i)\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b|\bCVE-\d{4}-\d{4,7}\b`)
	securityWording = regexp.MustCompile(`(?i)\bsecurity\b|\bvulnerab|\bpath traversal\b|\binjection\b|\bsanitiz|\bSSRF\b|\bXSS\b|\bReDoS\b|\bprototype pollution\b`)
)

// maxSecurityFixes bounds the good news listed.
const maxSecurityFixes = 8

// securityFixes lists advisory ids and security-worded subjects, once each.
func securityFixes(commits []ranges.Commit) []string {
	var out []string
	for _, c := range commits {
		ids := advisoryID.FindAllString(c.Subject, -1)
		for _, id := range ids {
			if strings.EqualFold(id[:4], "ghsa") {
				id = "GHSA" + strings.ToLower(id[4:])
			} else {
				id = strings.ToUpper(id)
			}
			out = appendUnique(out, id)
		}
		if len(ids) == 0 && securityWording.MatchString(c.Subject) {
			out = appendUnique(out, mdsafe.Truncate(c.Subject, 100)+" ("+shortSHA(c.SHA, 7)+")")
		}
		if len(out) >= maxSecurityFixes {
			break
		}
	}
	return out
}

// Report size bounds. GitHub caps a comment at 65536 characters: the PR
// comment (Markdown) stays inside commentBudget by grouping and by
// leaving out lower findings, never a high or critical one; the report
// artifact (FullMarkdown) has everything.
const (
	commentBudget       = 40 << 10
	agentReportBudget   = 12 << 10
	maxRenderedEvidence = 3
	maxTitle            = 200
	maxAllowedReason    = 200
	maxDetail           = 1200
	maxRecommendation   = 400
	maxLocation         = 300
	maxSnippet          = 160
	maxDescription      = 400
)

// Markdown renders the report as posted on the PR: within GitHub's
// comment limit. Every piece of upstream text in it is escaped or fenced.
func (r *Result) Markdown(meta ReportMeta) string { return r.render(meta, false) }

// FullMarkdown renders the whole report, every finding and location: the
// artifact written with --report-dir and --output.
func (r *Result) FullMarkdown(meta ReportMeta) string { return r.render(meta, true) }

func (r *Result) render(meta ReportMeta, full bool) string {
	var b strings.Builder
	inScope, outScope := r.splitByScope(meta)
	b.WriteString("# Security Review Report\n\n")
	r.writeSummary(&b, meta, inScope, outScope)
	r.writeTools(&b, full)
	r.writeScope(&b, meta)
	r.writeFindings(&b, meta, inScope, outScope, full)
	r.writeAgentRun(&b)
	if r.AgentReport != "" {
		b.WriteString("## Agent Report\n\n")
		b.WriteString("The agent reviewer's own report, quoted as untrusted text:\n\n")
		limit := agentReportBudget
		if full {
			limit = len(r.AgentReport) + 1
		}
		b.WriteString(mdsafe.Fenced(r.AgentReport, limit))
		b.WriteString("\n")
	}
	b.WriteString("## Recommended Labels\n\n")
	for _, l := range r.Labels() {
		fmt.Fprintf(&b, "- `%s`\n", l)
	}
	return b.String()
}

// splitByScope separates findings about the server's scope from those
// whose every location lies outside it (another package of a monorepo).
func (r *Result) splitByScope(meta ReportMeta) (in, out []Finding) {
	for _, f := range r.Findings {
		if f.Severity <= Low && len(f.Evidence) > 0 && !anyInScope(meta, f.Evidence) {
			out = append(out, f)
			continue
		}
		in = append(in, f)
	}
	return in, out
}

func anyInScope(meta ReportMeta, locs []string) bool {
	dir := meta.Directory
	for _, loc := range locs {
		if strings.HasPrefix(loc, "commit ") {
			return true
		}
		p, _, ok := splitLocation(loc)
		if !ok {
			p = loc
		}
		if inDirectory(dir, p) && !meta.build.outside[p] || isBuildInput(dir, p) || p == meta.build.dockerfile {
			return true
		}
	}
	return false
}

// writeSummary is the part read in thirty seconds: at most ten lines.
func (r *Result) writeSummary(b *strings.Builder, meta ReportMeta, inScope, outScope []Finding) {
	b.WriteString("## Summary\n\n")
	verdict := strings.ToUpper(r.Risk.String())
	if r.Blocked {
		verdict += ", merging blocked"
	}
	fmt.Fprintf(b, "- **Verdict**: %s (check: %s)", verdict, r.CheckConclusion(meta.FailOn))
	// Allowed findings raise nothing: the counts leave them out and name
	// them apart.
	inScope, allowedIn := withoutAllowed(inScope)
	outScope, allowedOut := withoutAllowed(outScope)
	if len(inScope) > 0 && inScope[0].Severity >= Medium {
		fmt.Fprintf(b, ": %s", mdsafe.Prose(inScope[0].Title, maxTitle))
		if n := countAtLeast(inScope, High) - 1; n > 0 {
			fmt.Fprintf(b, " (and %d more high or critical)", n)
		}
	} else if len(inScope)+len(outScope) == 0 {
		b.WriteString(": nothing security-relevant found")
	} else {
		b.WriteString(": nothing above low in the server's scope")
	}
	b.WriteString("\n")
	if meta.Full && len(r.Tools) == 0 {
		b.WriteString("- **Tools**: no tool registration found in the code\n")
	} else {
		b.WriteString("- **Tools**: " + toolsLine(r.Tools) + "\n")
	}
	if groups := groupByRule(inScope); len(groups) > 0 {
		var parts []string
		for _, g := range groups {
			if g.top < Medium || len(parts) == 6 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %s ×%d", strings.ToUpper(g.top.String()), g.rule, countAtLeast(g.findings, Medium)))
		}
		if len(parts) > 0 {
			b.WriteString("- **What matters**: " + strings.Join(parts, ", ") + "\n")
		}
	}
	if len(meta.SecurityFixes) > 0 {
		b.WriteString("- **Good news**: security fixes named in commits: " + mdsafe.Prose(strings.Join(meta.SecurityFixes, "; "), 600) + "\n")
	}
	if len(outScope) > 0 {
		fmt.Fprintf(b, "- **Outside the server's scope**: %d finding%s, at most low, counted at the end\n", len(outScope), plural(len(outScope)))
	}
	if n := allowedIn + allowedOut; n > 0 {
		fmt.Fprintf(b, "- **Allowed**: %d finding%s the registry accepted, shown below, not counted\n", n, plural(n))
	}
	if line := r.notReviewedLine(); line != "" {
		b.WriteString("- **Not reviewed** (size and count caps): " + line + "\n")
	}
	if meta.Full {
		fmt.Fprintf(b, "- **Full review** of the code at %s: %d file%s\n\n", mdsafe.Code(shortSHA(meta.Head, 7), 40), meta.Files, plural(meta.Files))
		return
	}
	fmt.Fprintf(b, "- **Range**: %s, %d commit%s, %d file%s changed\n\n",
		mdsafe.Code(shortSHA(meta.Base, 7)+".."+shortSHA(meta.Head, 7), 40), meta.Commits, plural(meta.Commits), meta.Files, plural(meta.Files))
}

// maxSummarySkips bounds the entries the summary names as not reviewed.
const maxSummarySkips = 3

// notReviewedLine names what the caps left out of the review, whatever
// else the report holds: thousands of trivial findings must not push a
// skipped 200 MB binary out of sight.
func (r *Result) notReviewedLine() string {
	var parts []string
	more := 0
	for _, f := range r.Findings {
		if f.Rule != RuleSkippedContent {
			continue
		}
		if len(parts) == maxSummarySkips {
			more++
			continue
		}
		what := "the range"
		if len(f.Evidence) > 0 {
			what = mdsafe.Code(f.Evidence[0], maxLocation)
		}
		parts = append(parts, what+": "+mdsafe.Prose(f.Detail, maxDetail))
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, "; ")
}

// withoutAllowed is fs without the allowed findings, and how many those were.
func withoutAllowed(fs []Finding) (counted []Finding, allowed int) {
	return (&Result{Findings: fs}).Counted()
}

func countAtLeast(fs []Finding, s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

// toolsLine sums up the tool changes on one line.
func toolsLine(tcs []ToolChange) string {
	if len(tcs) == 0 {
		return "no tool registration changed in the files of this range"
	}
	var parts []string
	for _, kind := range []ToolChangeKind{ToolAdded, ToolChanged, ToolRemoved} {
		var names []string
		for _, tc := range tcs {
			if tc.Kind == kind {
				n := tc.Name
				if len(tc.NewCapabilities) > 0 {
					n += " (" + capList(tc.NewCapabilities) + ")"
				}
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s: %s", len(names), kind, listed(names, 6)))
		}
	}
	return mdsafe.Prose(strings.Join(parts, "; "), 700)
}

func capList(cs []Capability) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func (r *Result) writeTools(b *strings.Builder, full bool) {
	if len(r.Tools) == 0 {
		return
	}
	b.WriteString("## MCP Tool Surface\n\n")
	for i, tc := range r.Tools {
		if !full && i == 40 {
			fmt.Fprintf(b, "- … and %d more tool changes in the full report\n", len(r.Tools)-i)
			break
		}
		fmt.Fprintf(b, "- **%s** %s at %s", strings.ToUpper(string(tc.Kind[:1]))+string(tc.Kind[1:]), mdsafe.Code(tc.Name, 80), mdsafe.Code(tc.Location, maxLocation))
		if len(tc.AddedParams) > 0 {
			fmt.Fprintf(b, "; parameters added: %s", mdsafe.Prose(strings.Join(tc.AddedParams, ", "), 300))
		}
		if len(tc.RemovedParams) > 0 {
			fmt.Fprintf(b, "; parameters removed: %s", mdsafe.Prose(strings.Join(tc.RemovedParams, ", "), 300))
		}
		if len(tc.NewCapabilities) > 0 {
			fmt.Fprintf(b, "; **new capabilities**: %s", capList(tc.NewCapabilities))
		}
		b.WriteString("\n")
		switch {
		case tc.Kind == ToolChanged && tc.OldDescription != tc.NewDescription:
			fmt.Fprintf(b, "  - description was: %s\n  - description now: %s\n", mdsafe.Code(tc.OldDescription, maxDescription), mdsafe.Code(tc.NewDescription, maxDescription))
		case tc.NewDescription != "":
			fmt.Fprintf(b, "  - description: %s\n", mdsafe.Code(tc.NewDescription, maxDescription))
		}
	}
	b.WriteString("\n")
}

func (r *Result) writeScope(b *strings.Builder, meta ReportMeta) {
	b.WriteString("## Scope Summary\n\n")
	if meta.Full {
		b.WriteString("- **Review Mode**: Full\n")
	} else {
		b.WriteString("- **Review Mode**: Differential\n")
	}
	if meta.Server != "" {
		fmt.Fprintf(b, "- **Server**: %s\n", mdsafe.Code(meta.Server, 100))
	}
	fmt.Fprintf(b, "- **Repository**: %s\n", mdsafe.Code(meta.Repository, 200))
	if meta.Directory != "" {
		fmt.Fprintf(b, "- **Directory**: %s\n", mdsafe.Code(meta.Directory, 200))
	}
	meta.build.writeScope(b, meta.Directory)
	fmt.Fprintf(b, "- **Head Commit**: %s\n", mdsafe.Code(meta.Head, 64))
	if !meta.Full {
		fmt.Fprintf(b, "- **Base Commit**: %s\n", mdsafe.Code(meta.Base, 64))
		fmt.Fprintf(b, "- **Commit Range**: %s (%d commit%s)\n",
			mdsafe.Code(shortSHA(meta.Base, 7)+".."+shortSHA(meta.Head, 7), 40), meta.Commits, plural(meta.Commits))
	}
	fmt.Fprintf(b, "- **Overall Risk Level**: %s\n", strings.ToUpper(r.Risk.String()))
	fmt.Fprintf(b, "- **Reviewed By**: %s\n\n", reviewerName(r.Mode))
}

func reviewerName(mode Mode) string {
	switch mode {
	case ModeAgent:
		return "the agent reviewer"
	case ModeBuiltinAgent:
		return "the built-in rules and the agent reviewer"
	}
	return "the built-in rules"
}

// ruleGroup is the findings of one rule, highest first.
type ruleGroup struct {
	rule     string
	top      Severity
	findings []Finding
}

// groupByRule groups findings (already sorted) by rule, the group with
// the highest finding first.
func groupByRule(fs []Finding) []ruleGroup {
	idx := map[string]int{}
	var groups []ruleGroup
	for _, f := range fs {
		i, ok := idx[f.Rule]
		if !ok {
			i = len(groups)
			idx[f.Rule] = i
			groups = append(groups, ruleGroup{rule: f.Rule, top: f.Severity})
		}
		groups[i].findings = append(groups[i].findings, f)
		groups[i].top = max(groups[i].top, f.Severity)
	}
	slices.SortStableFunc(groups, func(a, b ruleGroup) int { return int(b.top) - int(a.top) })
	return groups
}

func (r *Result) writeFindings(b *strings.Builder, meta ReportMeta, inScope, outScope []Finding, full bool) {
	b.WriteString("## Findings by Rule\n\n")
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n\n")
		return
	}
	if len(inScope) == 0 {
		b.WriteString("No finding in the server's scope.\n\n")
	}
	omitted := 0
	for _, g := range groupByRule(inScope) {
		fmt.Fprintf(b, "### [%s] %s: %d finding%s\n\n", strings.ToUpper(g.top.String()), mdsafe.Code(g.rule, 60), len(g.findings), plural(len(g.findings)))
		for _, f := range g.findings {
			// High and critical findings are always shown; lower ones while
			// the comment has room.
			switch {
			case full || b.Len() < commentBudget*3/4:
				writeFinding(b, meta, f, full)
			case f.Severity >= High && b.Len() < commentBudget:
				writeFindingLine(b, f)
			case f.Severity >= High:
				writeFindingHead(b, f, false)
			default:
				omitted++
			}
		}
		b.WriteString("\n")
	}
	if omitted > 0 {
		fmt.Fprintf(b, "%d lower finding%s left out of this comment to keep it under GitHub's size limit; the full report (--report-dir) lists %s.\n\n",
			omitted, plural(omitted), map[bool]string{true: "it", false: "them"}[omitted == 1])
	}
	if len(outScope) > 0 {
		b.WriteString("### Outside the server's scope\n\n")
		fmt.Fprintf(b, "Findings in files the server neither builds nor runs, %s; each counts at most low.\n\n", scopeWords(meta.Directory))
		b.WriteString("| Rule | Findings |\n|---|---|\n")
		for _, g := range groupByRule(outScope) {
			fmt.Fprintf(b, "| %s | %d |\n", mdsafe.Code(g.rule, 60), len(g.findings))
		}
		b.WriteString("\n")
		if full {
			for _, f := range outScope {
				writeFindingLine(b, f)
			}
			b.WriteString("\n")
		}
	}
}

func scopeWords(dir string) string {
	if dir == "" {
		return "outside the repository's build inputs"
	}
	return "outside " + mdsafe.Code(dir, 200) + " and its build inputs"
}

// writeFindingLine is the compact form: severity, title, first location.
func writeFindingLine(b *strings.Builder, f Finding) { writeFindingHead(b, f, true) }

func writeFindingHead(b *strings.Builder, f Finding, withLocation bool) {
	fmt.Fprintf(b, "- **[%s]** %s", strings.ToUpper(f.Severity.String()), mdsafe.Prose(f.Title, maxTitle))
	if withLocation && len(f.Evidence) > 0 {
		fmt.Fprintf(b, " (%s)", mdsafe.Code(f.Evidence[0], maxLocation))
	}
	if f.Blocks && f.Allowed == "" {
		b.WriteString(" — **blocks merging**")
	}
	if f.Allowed != "" {
		b.WriteString(" — allowed by the registry: " + mdsafe.Prose(f.Allowed, maxAllowedReason))
	}
	b.WriteString("\n")
}

func writeFinding(b *strings.Builder, meta ReportMeta, f Finding, full bool) {
	writeFindingHead(b, f, false)
	for i, loc := range f.Evidence {
		if !full && i == maxRenderedEvidence {
			fmt.Fprintf(b, "  - … and %d more locations\n", len(f.Evidence)-i)
			break
		}
		b.WriteString("  - " + meta.location(loc) + "\n")
	}
	if f.Detail != "" {
		fmt.Fprintf(b, "  - %s\n", mdsafe.Prose(f.Detail, maxDetail))
	}
	if f.Recommendation != "" && (full || f.Severity >= High) {
		fmt.Fprintf(b, "  - **Recommendation**: %s\n", mdsafe.Prose(f.Recommendation, maxRecommendation))
	}
}

// location renders "path:line" with the line's text and a link to it at
// the head commit where the host has a known web UI.
func (meta ReportMeta) location(loc string) string {
	out := mdsafe.Code(loc, maxLocation)
	p, line, ok := splitLocation(loc)
	if !ok || line <= 0 {
		return out
	}
	if s := lineAt(meta.newContent[p], line); s != "" {
		out += " " + mdsafe.Code(s, maxSnippet)
	}
	if u := meta.lineURL(p, line); u != "" {
		out += " ([view](" + u + "))"
	}
	return out
}

// lineAt returns line n (1-based) of content, trimmed, or "".
func lineAt(content []byte, n int) string {
	for i := 1; len(content) > 0; i++ {
		l, rest, _ := strings.Cut(string(content[:min(len(content), 1<<20)]), "\n")
		if i == n {
			return strings.TrimSpace(l)
		}
		if len(rest) == 0 {
			break
		}
		content = content[len(l)+1:]
	}
	return ""
}

// lineURL links to a line at the head commit on github.com and
// gitlab.com; other hosts have no web UI the report can rely on.
func (meta ReportMeta) lineURL(p string, line int) string {
	u, err := url.Parse(strings.TrimSuffix(meta.Repository, ".git"))
	if err != nil || u.Scheme != "https" || len(meta.Head) != 40 {
		return ""
	}
	repoPath := strings.Trim(u.Path, "/")
	if strings.Count(repoPath, "/") < 1 || strings.ContainsAny(repoPath, "()<> ") {
		return ""
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("(", "%28", ")", "%29").Replace(url.PathEscape(s))
	}
	escaped := strings.Join(segs, "/")
	switch strings.ToLower(u.Host) {
	case "github.com":
		return fmt.Sprintf("https://github.com/%s/blob/%s/%s#L%d", repoPath, meta.Head, escaped, line)
	case "gitlab.com":
		return fmt.Sprintf("https://gitlab.com/%s/-/blob/%s/%s#L%d", repoPath, meta.Head, escaped, line)
	}
	return ""
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
	counted, allowed := r.Counted()
	if len(counted) == 0 {
		b.WriteString("No findings.\n")
	}
	limit = max(0, limit)
	for i, f := range counted {
		if i == limit {
			fmt.Fprintf(&b, "- … and %d more in the report\n", len(counted)-i)
			break
		}
		fmt.Fprintf(&b, "- **[%s]** %s", strings.ToUpper(f.Severity.String()), mdsafe.Prose(f.Title, maxTitle))
		if len(f.Evidence) > 0 {
			fmt.Fprintf(&b, " (%s)", mdsafe.Code(f.Evidence[0], maxLocation))
		}
		b.WriteString("\n")
	}
	if allowed > 0 {
		fmt.Fprintf(&b, "\n%d finding%s allowed by the registry, not counted.\n", allowed, plural(allowed))
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
	if run.Limits != nil {
		fmt.Fprintf(b, "- **Caps**: %s\n", run.Limits)
	}
	if run.Usage != nil {
		fmt.Fprintf(b, "- **Inference**: %s\n", run.Usage)
	}
	b.WriteString("\n")
}
