package updater

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// Report is the outcome of one pass: a decision per server, in name order.
type Report struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"-"`
	DryRun   bool          `json:"dry_run"`
	Shard    string        `json:"shard,omitempty"`

	Decisions []Decision `json:"decisions"`
	GitHub    *APIStats  `json:"github_requests,omitempty"`
	// Dashboard is the dashboard issue's body a dry run would write.
	Dashboard string `json:"dashboard,omitempty"`
}

// APIStats counts the GitHub API requests a pass made.
type APIStats struct {
	Reads       int    `json:"reads"`
	Writes      int    `json:"writes"`
	Retries     int    `json:"retries"`
	Waits       int    `json:"rate_limit_waits"`
	LongestWait string `json:"longest_wait,omitempty"`
}

// Counts tallies decisions by action.
type Counts struct {
	Servers  int `json:"servers"`
	Bump     int `json:"bump"`
	UpToDate int `json:"up_to_date"`
	Held     int `json:"held"`
	Deferred int `json:"deferred"`
	Frozen   int `json:"frozen"`
	Skipped  int `json:"skipped"`
	Errors   int `json:"errors"`
	// BumpsByPublisher counts bumps by trust level (verified, known,
	// community), when .github/updater.yaml gives trust.
	BumpsByPublisher *TrustCounts `json:"bumps_by_publisher,omitempty"`
}

// TrustCounts counts by publisher trust level.
type TrustCounts struct {
	Verified  int `json:"verified"`
	Known     int `json:"known"`
	Community int `json:"community"`
}

func (t *TrustCounts) add(level config.Trust) {
	switch level {
	case config.Verified:
		t.Verified++
	case config.Known:
		t.Known++
	default:
		t.Community++
	}
}

// Counts of the report.
func (r *Report) Counts() Counts {
	c := Counts{Servers: len(r.Decisions)}
	for _, d := range r.Decisions {
		switch d.Action {
		case ActionBump:
			c.Bump++
			if d.Publisher != nil {
				if c.BumpsByPublisher == nil {
					c.BumpsByPublisher = &TrustCounts{}
				}
				c.BumpsByPublisher.add(d.Publisher.Trust)
			}
		case ActionUpToDate:
			c.UpToDate++
		case ActionHeld:
			c.Held++
		case ActionDeferred:
			c.Deferred++
		case ActionFrozen:
			c.Frozen++
		case ActionSkipped:
			c.Skipped++
		case ActionError:
			c.Errors++
		}
	}
	return c
}

// Failed reports whether any server failed.
func (r *Report) Failed() bool {
	for i := range r.Decisions {
		if r.Decisions[i].failed() {
			return true
		}
	}
	return false
}

func (r *Report) sort() {
	sort.Slice(r.Decisions, func(i, j int) bool { return r.Decisions[i].Server < r.Decisions[j].Server })
}

// SummaryLine is the one-line account of a pass:
// "328 servers: 12 to bump, 290 up to date, 3 frozen, 20 skipped, 3 errors".
func (c Counts) SummaryLine() string {
	parts := []string{fmt.Sprintf("%d to bump", c.Bump), fmt.Sprintf("%d up to date", c.UpToDate)}
	if c.Held > 0 {
		parts = append(parts, fmt.Sprintf("%d held", c.Held))
	}
	if c.Deferred > 0 {
		parts = append(parts, fmt.Sprintf("%d deferred", c.Deferred))
	}
	parts = append(parts, fmt.Sprintf("%d frozen", c.Frozen), fmt.Sprintf("%d skipped", c.Skipped))
	parts = append(parts, fmt.Sprintf("%d error%s", c.Errors, plural(c.Errors)))
	return fmt.Sprintf("%d server%s: %s", c.Servers, plural(c.Servers), strings.Join(parts, ", "))
}

// WriteTable prints the report for people:
// SERVER  CURRENT  LATEST  DECISION  DETAIL, then the summary line.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tCURRENT\tLATEST\tDECISION\tDETAIL")
	for _, d := range r.Decisions {
		// A broken file's server name comes from a directory name: keep
		// it, like every detail, from steering the terminal.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mdsafe.Truncate(mdsafe.Line(d.Server), 200), dash(short(d.Current)), dash(short(d.Latest)), d.Action, mdsafe.Truncate(mdsafe.Line(detailWithOutcome(d)), 1000))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, r.Counts().SummaryLine()); err != nil {
		return err
	}
	if r.Dashboard != "" {
		_, err := fmt.Fprintf(w, "\nThe dashboard issue would read:\n\n%s", r.Dashboard)
		return err
	}
	return nil
}

// detailWithOutcome adds the PR outcome to the detail column.
func detailWithOutcome(d Decision) string {
	s := d.Detail
	if d.Target != "" && d.Target != d.Latest {
		s += "; proposing " + short(d.Target)
	}
	if d.PR != nil {
		s += "; " + d.PR.Describe()
	}
	if d.Review != nil {
		s += "; review " + d.Review.Risk
		if d.Review.Blocked {
			s += " (blocked)"
		}
	}
	if d.Merge != nil {
		s += "; " + d.Merge.String()
	}
	return strings.TrimPrefix(s, "; ")
}

// Describe says what happened to the PR in words.
func (p *PRResult) Describe() string {
	num := ""
	if p.Number > 0 {
		num = fmt.Sprintf(" #%d", p.Number)
	}
	switch p.Outcome {
	case PROpened:
		return "opened PR" + num
	case PRUpdated:
		return "updated PR" + num
	case PRUnchanged:
		return "PR" + num + " up to date"
	case PRClosed:
		return "closed PR" + num
	case PRWouldOpen:
		return "would open PR"
	case PRWouldUpdate:
		return "would update PR" + num
	case PRWouldClose:
		return "would close PR" + num
	case PRWouldDeleteBranch:
		return "would delete stale branch"
	case PRDeletedBranch:
		return "deleted stale branch"
	default:
		return string(p.Outcome) + num
	}
}

// WriteJSON prints the report as one JSON document, full SHAs.
func (r *Report) WriteJSON(w io.Writer) error {
	doc := struct {
		Summary Counts `json:"summary"`
		*Report
	}{r.Counts(), r}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteMarkdown prints the pass summary for $GITHUB_STEP_SUMMARY: counts,
// the bumps with their PRs and reviews, and the errors with reasons.
func (r *Report) WriteMarkdown(w io.Writer) error {
	c := r.Counts()
	var b strings.Builder
	title := "Pin update pass"
	if r.DryRun {
		title += " (dry run)"
	}
	if r.Shard != "" {
		title += ", shard " + r.Shard
	}
	fmt.Fprintf(&b, "## %s\n\n%s.\n\n", title, c.SummaryLine())
	fmt.Fprintf(&b, "| Decision | Servers |\n|---|---:|\n")
	for _, row := range []struct {
		name string
		n    int
	}{{"bump", c.Bump}, {"up to date", c.UpToDate}, {"held", c.Held}, {"deferred", c.Deferred}, {"frozen", c.Frozen}, {"skipped", c.Skipped}, {"error", c.Errors}} {
		fmt.Fprintf(&b, "| %s | %d |\n", row.name, row.n)
	}
	b.WriteString("\n")
	if t := c.BumpsByPublisher; t != nil {
		fmt.Fprintf(&b, "Bumps by publisher: %d verified, %d known, %d community.\n\n", t.Verified, t.Known, t.Community)
	}

	var bumps, errs, others []Decision
	for _, d := range r.Decisions {
		switch d.Action {
		case ActionBump:
			bumps = append(bumps, d)
		case ActionError:
			errs = append(errs, d)
		case ActionHeld, ActionDeferred, ActionFrozen:
			others = append(others, d)
		}
	}
	if len(bumps) > 0 {
		b.WriteString("### Bumps\n\n| Server | From | To | Pull request | Review |\n|---|---|---|---|---|\n")
		for _, d := range bumps {
			pr := "–"
			if d.PR != nil {
				pr = d.PR.Describe()
				if d.PR.URL != "" {
					pr = fmt.Sprintf("[%s](%s)", pr, d.PR.URL)
				}
			}
			rev := "–"
			if d.Review != nil {
				rev = d.Review.Risk
				if d.Review.Blocked {
					rev += ", blocked"
				}
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", mdsafe.Prose(d.Server, maxProse), short(d.Current), short(d.Target), pr, rev)
		}
		b.WriteString("\n")
	}
	if len(others) > 0 {
		b.WriteString("### Waiting\n\n| Server | Decision | Why |\n|---|---|---|\n")
		for _, d := range others {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdsafe.Prose(d.Server, maxProse), d.Action, mdsafe.Prose(oneLine(d.Detail), maxProse))
		}
		b.WriteString("\n")
	}
	if len(errs) > 0 {
		b.WriteString("### Errors\n\n| Server | Error |\n|---|---|\n")
		for _, d := range errs {
			fmt.Fprintf(&b, "| %s | %s |\n", mdsafe.Prose(d.Server, maxProse), mdsafe.Prose(oneLine(d.Detail), maxProse))
		}
		b.WriteString("\n")
	}
	if r.GitHub != nil {
		g := r.GitHub
		fmt.Fprintf(&b, "GitHub API: %d read%s, %d write%s, %d retr%s, %d rate-limit wait%s.\n",
			g.Reads, plural(g.Reads), g.Writes, plural(g.Writes), g.Retries, map[bool]string{true: "y", false: "ies"}[g.Retries == 1], g.Waits, plural(g.Waits))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}
