package updater

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mcp-registry/updater/updater/dashboard"
)

// The weekly audit's section of the dashboard issue: the audit replaces
// its own extra section ("New audit findings") and leaves every other
// line as the nightly pass wrote it. Like the pass it writes the body
// back only when it changed, and like the pass it checks the ticks it
// would write back (a tick the bot writes back counts as its own).

// AuditSectionName names the audit's section of the dashboard.
const AuditSectionName = "New audit findings"

// maxAuditDashboardLines bounds the findings the dashboard lists; the
// job summary and the artifact list them all.
const maxAuditDashboardLines = 50

// auditDashboardLines is the audit's section: one line per new finding
// and per server it could not audit (plain words: the dashboard sanitizes
// them); one dated line when there is nothing new.
func auditDashboardLines(r *AuditReport, today string) []string {
	if len(r.New) == 0 && len(r.Errors) == 0 {
		return []string{fmt.Sprintf("nothing new in the audit of %s (%d server%s)", today, r.Servers, plural(r.Servers))}
	}
	var lines []string
	for i, f := range r.New {
		if i == maxAuditDashboardLines {
			lines = append(lines, fmt.Sprintf("… and %d more in the audit job's summary", len(r.New)-i))
			break
		}
		line := fmt.Sprintf("%s: %s %s — %s", f.Server, strings.ToUpper(f.Severity), f.Rule, f.Title)
		if f.Path != "" {
			line += " (" + f.Path + ")"
		}
		lines = append(lines, line)
	}
	for _, e := range r.Errors {
		lines = append(lines, "not audited: "+e)
	}
	return lines
}

// publishAuditSection puts the audit's section on the dashboard issue
// when there is one (the nightly pass creates it). Ticks it cannot
// vouch for are unticked and noted as ignored, as the pass does.
func publishAuditSection(ctx context.Context, it issueTracker, log *slog.Logger, r *AuditReport, now time.Time) error {
	issues, err := it.ListIssues(ctx, dashboard.Label)
	if err != nil {
		return fmt.Errorf("reading the dashboard issue: %w", err)
	}
	issue := findDashboard(issues)
	if issue == nil {
		log.Info("no dashboard issue yet: the audit's section waits for the nightly pass to create it")
		return nil
	}
	today := dashboard.Date(now)
	prev := dashboard.Parse(issue.Body)
	b := dashboard.Board{Items: prev.Items, Done: prev.Done, Extras: prev.Extras}
	if ticked := prev.Ticked(); len(ticked) > 0 {
		if why := tickRefusal(ctx, it, log, issue); why != "" {
			var done []dashboard.Done
			for server, acts := range ticked {
				for _, act := range acts {
					done = append(done, dashboard.Done{Date: today, Act: act, Server: server, Result: "ignored: " + why})
				}
			}
			for i := range b.Items {
				b.Items[i].Ticked = false
			}
			b.Done = append(sortedDone(done), b.Done...)
			b.Note = "Ticks were ignored: " + why + "."
		}
	}
	b.SetExtra(AuditSectionName, auditDashboardLines(r, today))
	body := dashboard.Render(b)
	if body == issue.Body {
		return nil
	}
	if err := it.EditIssueBody(ctx, issue.Number, body); err != nil {
		return fmt.Errorf("updating the dashboard issue #%d: %w", issue.Number, err)
	}
	log.Info("updated the dashboard's audit section", "issue", issue.Number)
	return nil
}

// auditDashboard is the registry's issues when the audit is to publish
// its section: credentials present and the dashboard not turned off.
// Credentials GitHub rejects are a configuration error before any server
// is audited.
func auditDashboard(ctx context.Context, opts AuditOptions) (issueTracker, error) {
	g := opts.GitHub
	// An audit of some servers (--server) is not the registry's: its
	// section would say "nothing new" for all the others.
	if opts.NoDashboard || opts.WriteBaseline || len(opts.Servers) > 0 || g.Repository == "" || (g.Token == "" && g.AppID == 0) {
		return nil, nil
	}
	gh, err := newGitHub(ctx, g)
	if err != nil {
		return nil, err
	}
	if _, err := gh.DefaultBranch(ctx); err != nil {
		if rejected := credentialsRejected(g, err); rejected != nil {
			return nil, rejected
		}
		opts.Logger.Warn("cannot reach the registry on GitHub; the dashboard's audit section is left as it is", "err", err)
		return nil, nil
	}
	return gh, nil
}
