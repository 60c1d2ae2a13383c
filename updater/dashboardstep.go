package updater

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/dashboard"
	"github.com/mcp-registry/updater/updater/review"
)

// The dashboard step: before planning, the pass reads the dashboard issue
// and the ticks people with write access made; the ticked servers get
// their act (dashActed); after the writes and merges, the pass renders
// the dashboard from its decisions and writes the issue when the body
// changed. The rendering and parsing are package dashboard's, pure.
//
// A dashboard that cannot be read or written is a warning, never a
// failed pass: the pins and PRs are the work, the dashboard a view of
// them that the next pass rewrites whole. Ticks whose write-back failed
// are acted on again next pass; every act is idempotent.

// issueTracker is the registry's issues, as the dashboard needs them.
type issueTracker interface {
	ListIssues(ctx context.Context, label string) ([]github.Issue, error)
	CreateIssue(ctx context.Context, title, body string, labels []string) (github.Issue, error)
	EditIssueBody(ctx context.Context, number int, body string) error
	BodyEdits(ctx context.Context, number int) ([]github.BodyEdit, error)
	Permission(ctx context.Context, login string) (string, error)
}

// dashState is what the pass read from the dashboard.
type dashState struct {
	readFailed bool
	issue      *github.Issue // nil: none yet
	prev       dashboard.Parsed
	// acts are the authorised ticks: server -> acts. The bot writes a
	// tick back only when it was authorised (a server outside this pass),
	// so ticks it finds in its own last write are authorised too.
	acts map[string][]dashboard.Act
	// refused says why the ticks of this body do not count ("" when they
	// do, or there are none).
	refused string
	// carried is the body read again before a partial pass writes it.
	carried *dashboard.Parsed
}

// dashActed reports whether a ticked act applies to server in this pass.
func (p *pass) dashActed(server string, act dashboard.Act) bool {
	return p.dash != nil && slices.Contains(p.dash.acts[server], act)
}

// readDashboard finds the dashboard issue (the oldest open issue with
// the label whose body starts with the marker), parses it and checks who
// ticked its boxes. A dry run reads it but acts on nothing.
func (p *pass) readDashboard(ctx context.Context) {
	if p.opts.NoDashboard || p.deps.issues == nil {
		return
	}
	st := &dashState{}
	p.dash = st
	issues, err := p.deps.issues.ListIssues(ctx, dashboard.Label)
	if err != nil {
		p.log.Warn("cannot read the dashboard issue; it is left as it is", "err", err)
		st.readFailed = true
		return
	}
	if st.issue = findDashboard(issues); st.issue == nil {
		return
	}
	st.prev = dashboard.Parse(st.issue.Body)
	ticked := st.prev.Ticked()
	if len(ticked) == 0 || p.opts.DryRun {
		return
	}
	if st.refused = p.tickRefusal(ctx, st.issue); st.refused != "" {
		p.log.Warn("dashboard ticks ignored", "issue", st.issue.Number, "why", st.refused)
		return
	}
	st.acts = ticked
}

// findDashboard is the dashboard among the issues with its label (listed
// oldest first): the first whose body starts with the marker; nil when
// none.
func findDashboard(issues []github.Issue) *github.Issue {
	for i := range issues {
		if dashboard.IsDashboard(issues[i].Body) {
			return &issues[i]
		}
	}
	return nil
}

// tickRefusal applies the rule for ticks: they count only when every
// editor of the body since the bot's last write (the issue's author is
// the bot) has write access. It returns why they do not count, "" when
// they do.
func (p *pass) tickRefusal(ctx context.Context, issue *github.Issue) string {
	return tickRefusal(ctx, p.deps.issues, p.log, issue)
}

// sameLogin compares logins as REST and GraphQL give them: REST names an
// App or Actions token "name[bot]", GraphQL's editor "name".
func sameLogin(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "[bot]"), strings.TrimSuffix(b, "[bot]"))
}

// tickRefusal is the rule for ticks, for any job that writes the
// dashboard back (the pass, the weekly audit): a job that writes a tick
// back makes it the bot's own, so it must first have checked it.
func tickRefusal(ctx context.Context, issues issueTracker, log *slog.Logger, issue *github.Issue) string {
	edits, err := issues.BodyEdits(ctx, issue.Number)
	if err != nil {
		log.Warn("cannot tell who edited the dashboard", "issue", issue.Number, "err", err)
		return "who ticked them could not be established"
	}
	var editors []string
	reached := false
	for _, e := range edits {
		if e.Editor != "" && sameLogin(e.Editor, issue.Author) {
			reached = true
			break
		}
		if !slices.Contains(editors, e.Editor) {
			editors = append(editors, e.Editor)
		}
	}
	if !reached {
		return "who ticked them could not be established"
	}
	var refused []string
	for _, login := range editors {
		if login == "" {
			refused = append(refused, "a deleted account")
			continue
		}
		perm, err := issues.Permission(ctx, login)
		if err != nil {
			log.Warn("cannot read a dashboard editor's permission", "user", login, "err", err)
			return "the permission of " + login + " could not be read"
		}
		if perm != "admin" && perm != "write" && perm != "maintain" {
			refused = append(refused, login+" ("+perm+")")
		}
	}
	if len(refused) > 0 {
		return "edited by " + strings.Join(refused, ", ") + " without write access"
	}
	return ""
}

// tickedOnly narrows the pass (p.opts, a copy) to the registry's servers
// with authorised ticks (--ticked-only); false when none is ticked (the
// pass then only writes the dashboard back, to note ticks it refused).
func (p *pass) tickedOnly(files []*registry.File) bool {
	var servers []string
	for _, f := range files {
		if p.dash != nil && len(p.dash.acts[f.Name]) > 0 && p.opts.Shard.Has(f.Name) {
			servers = append(servers, f.Name)
		}
	}
	if len(servers) == 0 {
		if p.dash != nil && p.dash.refused != "" {
			p.log.Info("the dashboard's ticks do not count", "why", p.dash.refused)
		} else {
			p.log.Info("no server is ticked on the dashboard")
		}
		return false
	}
	o := *p.opts
	o.Servers = servers
	p.opts = &o
	return true
}

// dashUnschedule takes servers ticked "propose now" back from the
// deferral of their schedule window: they are considered in this pass.
func (p *pass) dashUnschedule(files []*registry.File, eligible []*registry.File, decided []Decision) ([]*registry.File, []Decision) {
	if p.dash == nil || len(p.dash.acts) == 0 {
		return eligible, decided
	}
	byName := map[string]*registry.File{}
	for _, f := range files {
		byName[f.Name] = f
	}
	var rest []Decision
	for _, d := range decided {
		if f := byName[d.Server]; f != nil && d.Action == ActionDeferred && p.dashActed(d.Server, dashboard.ProposeNow) {
			eligible = append(eligible, f)
			continue
		}
		rest = append(rest, d)
	}
	return eligible, rest
}

// dashUnhold treats the PR that rejected a bump's target as no rejection
// for servers ticked "unhold": the target is proposed again, in a new PR
// that, being newer, then stands for the maintainers' decision.
func (p *pass) dashUnhold(planned []Decision, byServer map[string]serverPRs, botClosed map[int]bool) {
	for i := range planned {
		d := &planned[i]
		if d.Action != ActionBump || !p.dashActed(d.Server, dashboard.Unhold) {
			continue
		}
		if pr := rejection(byServer[d.Server], d.Target, botClosed); pr != nil {
			botClosed[pr.Number] = true
		}
	}
}

// writeDashboard renders the dashboard from the pass's decisions and
// writes it when its body changed (creates it when absent). A dry run
// puts it in the report instead.
func (p *pass) writeDashboard(ctx context.Context, rep *Report) {
	st := p.dash
	if st == nil || st.readFailed || ctx.Err() != nil {
		return
	}
	var prs map[string]serverPRs
	if p.deps.forge != nil {
		all, err := p.deps.forge.ListPulls(ctx, p.opts.BranchPrefix)
		if err != nil {
			p.log.Warn("cannot list the bot's PRs for the dashboard; it is left as it is", "err", err)
			return
		}
		prs = groupPRs(all, p.opts.BranchPrefix)
	}
	if !p.opts.DryRun {
		p.rereadDashboard(ctx)
		if st.carried != nil && tickedSince(st.prev.Ticked(), st.carried.Ticked()) {
			// Someone ticked a box during the pass: writing now would
			// untick it unseen. The run their edit started acts on it
			// and writes the dashboard; the next pass does otherwise.
			p.log.Info("the dashboard was ticked during the pass; leaving it to the run that edit started", "issue", st.issue.Number)
			return
		}
	}
	board := p.buildBoard(ctx, rep, prs)
	body := dashboard.Render(board)
	if p.opts.DryRun {
		rep.Dashboard = body
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	switch {
	case st.issue == nil:
		is, err := p.deps.issues.CreateIssue(wctx, dashboard.Title, body, []string{dashboard.Label})
		if err != nil {
			p.log.Warn("cannot create the dashboard issue", "err", err)
			return
		}
		p.log.Info("created the dashboard issue", "issue", is.Number)
	case st.issue.Body != body: // the body as last read
		if err := p.deps.issues.EditIssueBody(wctx, st.issue.Number, body); err != nil {
			p.log.Warn("cannot update the dashboard issue", "issue", st.issue.Number, "err", err)
			return
		}
		p.log.Info("updated the dashboard issue", "issue", st.issue.Number)
	}
}

// tickedSince reports ticks in now that were not in the body the pass
// read at its start (accepted or refused, those the pass handles).
func tickedSince(accepted, now map[string][]dashboard.Act) bool {
	for server, acts := range now {
		for _, a := range acts {
			if !slices.Contains(accepted[server], a) {
				return true
			}
		}
	}
	return false
}

// partial reports whether the pass covers only some servers: the
// dashboard lines of the others are carried over.
func (p *pass) partial() bool {
	return len(p.opts.Servers) > 0 || p.opts.Shard.Count > 1 || p.opts.TickedOnly
}

// rereadDashboard reads the dashboard again just before a pass writes it:
// a partial pass then carries the lines other passes (the other shards)
// wrote meanwhile, not those of the pass's start; every pass keeps the
// extras (the audit's) written meanwhile and sees ticks made meanwhile.
// Ticks written back are still only those accepted at the start (see
// buildBoard).
func (p *pass) rereadDashboard(ctx context.Context) {
	st := p.dash
	if st.issue == nil {
		return
	}
	issues, err := p.deps.issues.ListIssues(ctx, dashboard.Label)
	if err != nil {
		p.log.Warn("cannot read the dashboard issue again; carrying what the pass read first", "err", err)
		return
	}
	for i := range issues {
		if issues[i].Number == st.issue.Number && dashboard.IsDashboard(issues[i].Body) {
			st.issue = &issues[i]
			fresh := dashboard.Parse(issues[i].Body)
			st.carried = &fresh
			return
		}
	}
}

// buildBoard is the dashboard's content: a line per server and section
// from this pass's decisions; for servers this pass did not cover
// (--server, --shard), the lines parsed back from the previous body.
func (p *pass) buildBoard(ctx context.Context, rep *Report, prs map[string]serverPRs) dashboard.Board {
	st := p.dash
	now := p.opts.Now()
	today := dashboard.Date(now)
	covered := map[string]bool{}
	for _, d := range rep.Decisions {
		covered[d.Server] = true
	}
	carried := st.prev
	if st.carried != nil {
		carried = *st.carried
	}
	var b dashboard.Board
	b.Extras = carried.Extras
	for _, it := range carried.Items {
		if !p.partial() || covered[it.Server] {
			continue
		}
		// Only a tick accepted at the pass's start is written back: a
		// tick the bot writes counts as its own, authorised one on the
		// next pass, so a refused one, or one made since, must not be.
		it.Ticked = it.Ticked && slices.Contains(st.acts[it.Server], dashboard.ActOf(it.Section))
		b.Items = append(b.Items, it)
	}
	stale := p.stalePins(ctx, rep.Decisions)
	var done []dashboard.Done
	for i := range rep.Decisions {
		d := &rep.Decisions[i]
		b.Items = append(b.Items, p.itemsOf(d, prs[d.Server], stale[d.Server], today)...)
		for _, act := range st.acts[d.Server] {
			done = append(done, dashboard.Done{Date: today, Act: act, Server: d.Server, Result: actResult(act, d)})
		}
	}
	if st.refused != "" {
		for server, acts := range st.prev.Ticked() {
			for _, act := range acts {
				done = append(done, dashboard.Done{Date: today, Act: act, Server: server, Result: "ignored: " + st.refused})
			}
		}
		b.Note = "Ticks were ignored: " + st.refused + "."
	}
	b.Done = append(sortedDone(done), carried.Done...)
	// Carried lines came first: by server, a partial pass renders what a
	// full one would, and the next pass sees no change in the order.
	slices.SortStableFunc(b.Items, func(x, y dashboard.Item) int { return strings.Compare(x.Server, y.Server) })
	return b
}

// sortedDone orders one job's acted-on ticks by server and act, so the
// same acts render the same bytes.
func sortedDone(done []dashboard.Done) []dashboard.Done {
	slices.SortFunc(done, func(a, b dashboard.Done) int {
		return strings.Compare(a.Server+string(a.Act), b.Server+string(b.Act))
	})
	return done
}

// itemsOf is one server's lines.
func (p *pass) itemsOf(d *Decision, prs serverPRs, stale time.Time, today string) []dashboard.Item {
	var out []dashboard.Item
	add := func(s dashboard.Section, pr int, text string) {
		out = append(out, dashboard.Item{Section: s, Server: d.Server, PR: pr, Text: text})
	}
	for _, pr := range prs {
		if pr.State != "open" {
			continue
		}
		add(dashboard.OpenPRs, pr.Number, openPRText(d, pr))
		if d.Merge != nil && d.Merge.Outcome != MergeMerged {
			add(dashboard.AwaitingMerge, pr.Number, mergeWait(*d.Merge))
		}
		break
	}
	switch {
	case d.Action == ActionHeld && p.cfg.Of(d.Server).Ignore != "":
		add(dashboard.Ignored, 0, p.cfg.Of(d.Server).Ignore)
	case d.Action == ActionHeld && d.PR != nil && d.PR.Outcome == PRHeld:
		text := "commit " + short(d.Target) + " rejected"
		if i := slices.IndexFunc(prs, func(pr github.PullRequest) bool { return pr.Number == d.PR.Number }); i >= 0 && !prs[i].ClosedAt.IsZero() {
			text += " since " + dashboard.Date(prs[i].ClosedAt)
		}
		add(dashboard.Held, d.PR.Number, text)
	case d.Action == ActionHeld && d.CoolingUntil != nil:
		add(dashboard.CoolingDown, 0, "until "+dashboard.Date(*d.CoolingUntil)+" ("+short(d.Latest)+")")
	case d.Action == ActionDeferred:
		add(dashboard.Deferred, 0, d.Detail)
	case d.Action == ActionFrozen:
		text := d.Detail
		if d.res.NewestRelease != "" {
			text += "; newest release " + d.res.NewestRelease
		}
		add(dashboard.Frozen, 0, text)
	case d.Action == ActionError:
		it := dashboard.Item{Section: dashboard.Failing, Server: d.Server, Text: d.Detail, Since: today, Fails: 1}
		if prev, ok := p.dash.prev.Item(d.Server, dashboard.Failing); ok && prev.Since != "" && prev.Since <= today {
			it.Since, it.Fails = prev.Since, prev.Fails+1
		}
		out = append(out, it)
	}
	if !stale.IsZero() {
		add(dashboard.Stale, 0, "pinned at "+short(d.Current)+" from "+dashboard.Date(stale)+"; upstream is at "+short(d.Latest))
	}
	return out
}

// mergeWait is a merge verdict in words that do not change while the
// state does not: the policy's "proposed commit is 20h old, min_age 72h"
// grows every pass, which would rewrite the dashboard every pass.
func mergeWait(v MergeVerdict) string {
	const young = "proposed commit is "
	if v.Outcome == MergeWaiting && strings.HasPrefix(v.Reason, young) {
		if _, minAge, ok := strings.Cut(v.Reason, ", min_age "); ok {
			v.Reason = "proposed commit younger than min_age " + minAge
		}
	}
	return v.String()
}

// openPRText is an open PR's line: target, review risk, trust, opened.
func openPRText(d *Decision, pr github.PullRequest) string {
	parts := []string{}
	if m, ok := parseMarker(pr.Body); ok {
		parts = append(parts, "to "+short(m.To))
	}
	risk := "not reviewed"
	for _, l := range pr.Labels {
		switch {
		case l == review.LabelPending:
			risk = "review pending"
		case strings.HasPrefix(l, review.LabelRiskPrefix) && risk != "review pending":
			risk = "risk " + strings.TrimPrefix(l, review.LabelRiskPrefix)
		}
	}
	if slices.Contains(pr.Labels, review.LabelBlocked) {
		risk += ", blocked"
	}
	parts = append(parts, risk)
	if d.Publisher != nil {
		parts = append(parts, "trust "+d.Publisher.Trust.String())
	}
	if !pr.CreatedAt.IsZero() {
		parts = append(parts, "opened "+dashboard.Date(pr.CreatedAt))
	}
	return strings.Join(parts, ", ")
}

// actResult is what became of a ticked act, in words.
func actResult(act dashboard.Act, d *Decision) string {
	if d.Action == ActionError {
		return "failed: " + d.Detail
	}
	switch act {
	case dashboard.Retry:
		return "ok: " + string(d.Action)
	case dashboard.ReReview:
		if d.Review != nil {
			return "reviewed: risk " + d.Review.Risk
		}
	case dashboard.ProposeNow, dashboard.Unhold:
		if d.PR != nil && d.PR.Number > 0 && (d.PR.Outcome == PROpened || d.PR.Outcome == PRUpdated || d.PR.Outcome == PRUnchanged) {
			return fmt.Sprintf("proposed in #%d", d.PR.Number)
		}
	}
	return strings.TrimSuffix("not done: "+string(d.Action)+"; "+d.Detail, "; ")
}

// stalePins finds, among servers whose upstream moved past the pin, those
// whose pinned commit is older than StaleAfter: server -> its date.
// Commit dates come from the upstream cache; one that cannot be read is
// left out (the server is not called stale on a guess).
func (p *pass) stalePins(ctx context.Context, ds []Decision) map[string]time.Time {
	out := map[string]time.Time{}
	if p.deps.history == nil {
		return out
	}
	var moved []*Decision
	for i := range ds {
		d := &ds[i]
		if d.project != "" && d.Current != "" && d.Latest != "" && d.Latest != d.Current && d.Action != ActionError {
			moved = append(moved, d)
		}
	}
	cutoff := p.opts.Now().Add(-p.opts.StaleAfter)
	times := make([]time.Time, len(moved))
	p.parallel(ctx, len(moved), func(ctx context.Context, i int) {
		d := moved[i]
		if p.opts.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, p.opts.Timeout)
			defer cancel()
		}
		if t, err := p.deps.history.CommitTime(ctx, d.project, d.Ref, d.Current); err == nil && t.Before(cutoff) {
			times[i] = t
		}
	})
	for i, d := range moved {
		if !times[i].IsZero() {
			out[d.Server] = times[i]
		}
	}
	return out
}
