package updater

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"github.com/mcp-registry/updater/updater/review"
)

// reviewMarker identifies the bot's review comment on a PR, so it is
// updated in place rather than added again.
const reviewMarker = "<!-- updater:review -->"

// reviewed is a finished review of one bump, ready to publish.
type reviewed struct {
	result *review.Result
	meta   review.ReportMeta
}

// inspect computes the upstream range of a bump and reviews it.
func (p *pass) inspect(ctx context.Context, w *work) {
	d := w.d
	p.progress.working(phaseInspecting, d.Server)
	r := reviewer{history: p.deps.history, mode: p.opts.Review, cmd: p.opts.ReviewerCmd, timeout: p.opts.ReviewTimeout,
		fetchTimeout: p.opts.Timeout, failOn: p.opts.FailOn, agent: p.opts.Agent, log: p.log,
		reviewing: func() { p.progress.working(phaseReviewing, d.Server) }}
	subject := reviewSubject{
		server: d.Server, project: d.project, ref: d.Ref, directory: d.reviewDirectory(), base: d.Current, head: d.Target,
		dockerfile: d.reviewDockerfile(), opts: review.Options{TagMoved: d.TagMoved},
	}
	if p.cfg != nil {
		subject.opts.Allowed = allowancesFor(p.cfg.Allow, d.Server)
	}
	if p.opts.Review == ReviewCommand && !p.opts.Agent.FullReview && w.step.pr != nil {
		subject.previous = p.previousAgentReview(ctx, d.Server, w.step.pr.Number)
	}
	rng, rev := r.review(ctx, subject)
	w.rng, w.review = rng, rev
	w.since = p.sinceOf(ctx, w)
	w.notes = p.releaseNotesOf(ctx, d)
	if rng != nil && rng.Comparable() {
		d.Commits = rng.TotalCommits
	}
}

// previousAgentReview reads what the agent's last review of a PR
// recorded in the bot's report comment; nil when nothing usable is there
// (the agent then reviews the whole range).
func (p *pass) previousAgentReview(ctx context.Context, server string, number int) *review.AgentRecord {
	body, err := p.deps.forge.CommentBody(ctx, number, reviewMarker)
	if err != nil {
		p.log.Warn("cannot read the previous review; the agent reviews the whole range", "server", server, "err", err)
		return nil
	}
	rec, ok := review.ParseAgentRecord(body)
	if !ok {
		return nil
	}
	return &rec
}

// reviewSubject is the upstream change a review looks at.
type reviewSubject struct {
	server, project, ref, directory, base, head string
	dockerfile                                  string         // source.dockerfile: the review follows what it reads
	opts                                        review.Options // facts the pass knows beyond the range
	// full: review all the code at head (base is ignored): a new
	// server, a changed project, the audit.
	full bool
	// previous is the agent's recorded review of an earlier range of the
	// same PR, if any.
	previous *review.AgentRecord
}

// reviewer runs the differential review of a range: the built-in rules,
// and the agent with --review command.
type reviewer struct {
	history history
	mode    ReviewMode
	cmd     string
	timeout time.Duration // the agent's run
	// fetchTimeout bounds each read of the upstream (the range, the
	// agent's checkout), as --timeout bounds its resolution: a hung
	// upload-pack costs that server its review, never the pass.
	fetchTimeout time.Duration
	failOn       review.FailOn // the check's threshold, named in the report
	agent        AgentOptions
	log          *slog.Logger
	reviewing    func() // told when the rules start on the range; nil: nobody
}

// fetchCtx bounds one upstream read by fetchTimeout (when set).
func (r reviewer) fetchCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.fetchTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.fetchTimeout)
}

// review fetches and inspects the range and reviews it. A range that
// cannot be inspected still yields a review: a finding that says so,
// never a silent pass. With mode off only the range is returned.
func (r reviewer) review(ctx context.Context, s reviewSubject) (*ranges.Range, *reviewed) {
	fctx, cancel := r.fetchCtx(ctx)
	q := upstream.RangeQuery{Project: s.project, Ref: s.ref, Directory: s.directory, Dockerfile: s.dockerfile, Base: s.base, Head: s.head}
	var rng *ranges.Range
	var err error
	if s.full {
		rng, err = r.history.FullRange(fctx, q)
	} else {
		rng, err = r.history.Range(fctx, q)
	}
	cancel()
	if err != nil {
		r.log.Warn("cannot inspect the upstream range", "server", s.server, "err", err)
		rng = nil
	}
	if r.mode == ReviewOff {
		return rng, nil
	}
	if rng == nil {
		meta := review.ReportMeta{Server: s.server, Repository: s.project, Directory: s.directory, Base: s.base, Head: s.head, FailOn: r.failOn, Full: s.full}
		res := review.Incomplete(review.RuleReviewIncomplete, fmt.Sprintf("the upstream range could not be inspected: %v", err))
		if s.opts.TagMoved != nil || s.opts.BuildBroken != "" {
			res = review.Combine(res, review.Review(&ranges.Range{BaseFound: true, Ancestor: true}, s.opts))
		}
		return nil, &reviewed{result: res, meta: meta}
	}
	if r.reviewing != nil {
		r.reviewing()
	}
	res := review.Review(rng, s.opts)
	if r.mode == ReviewCommand {
		res = review.Combine(res, r.agentReview(ctx, s))
	}
	meta := review.MetaFor(s.server, rng)
	meta.FailOn = r.failOn
	return rng, &reviewed{result: res, meta: meta}
}

// agentReview pays for the agent once per head: the same range as the
// recorded one keeps its verdict, a head that moved on from the recorded
// one is reviewed from there with the previous report as context, and
// anything else (no record, another base, history rewritten) in full.
func (r reviewer) agentReview(ctx context.Context, s reviewSubject) *review.Result {
	if prev := s.previous; prev != nil && !s.full && prev.Base == s.base {
		if prev.Head == s.head {
			r.log.Info("agent verdict carried over: the range is unchanged", "server", s.server)
			return review.CarriedAgent(*prev)
		}
		if ok, err := r.history.IsAncestor(ctx, s.project, s.ref, prev.Head, s.head); err == nil && ok {
			r.log.Info("agent reviews the new commits only", "server", s.server, "from", prev.Head)
			return review.WithPrevious(r.runAgent(ctx, s, prev), *prev)
		}
	}
	return r.runAgent(ctx, s, nil)
}

// runAgent gives the configured agent reviewer a read-only git checkout
// of the upstream at the new pin (the old one reachable) and takes back
// only its report and labels. With prev it reviews prev.Head..head only,
// prev's report given as context.
func (r reviewer) runAgent(ctx context.Context, s reviewSubject, prev *review.AgentRecord) *review.Result {
	base, previousReport := s.base, ""
	checkoutBase := base
	if s.full {
		// No base: the agent gets the tree at head and REVIEW_MODE=full.
		base, checkoutBase = "", s.head
	}
	if prev != nil {
		base, checkoutBase, previousReport = prev.Head, prev.Head, prev.Report
		if previousReport == "" {
			previousReport = "(The previous report was not kept.)\n"
		}
	}
	var skipped []ranges.Skip
	spec := review.AgentSpec{
		Command:        r.cmd,
		PreviousReport: previousReport,
		Checkout: func(ctx context.Context, dst string) error {
			fctx, cancel := r.fetchCtx(ctx)
			defer cancel()
			var err error
			skipped, err = r.history.Checkout(fctx, s.project, checkoutBase, s.head, dst)
			if len(skipped) > 0 {
				r.log.Info("left out of the agent's checkout", "server", s.server, "files", len(skipped))
			}
			return err
		},
		Base:      base,
		Head:      s.head,
		Project:   s.project,
		Directory: s.directory,
		Timeout:   r.timeout,
		Sandbox:   r.agent.Sandbox,
		Limits:    r.agent.Limits,
		Tools:     r.agent.Tools,
	}
	if r.agent.Inference != nil {
		// Only a configured proxy: a nil *Config in the interface would
		// read as one.
		spec.Inference = r.agent.Inference
	}
	res, err := review.RunAgent(ctx, spec)
	if err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: "+err.Error())
	}
	if res.AgentLog != "" && len(res.Findings) > 0 && res.Findings[0].Rule == review.RuleAgentReview {
		r.log.Warn("agent reviewer failed", "server", s.server, "log", res.AgentLog)
	}
	if out := review.ExportSkipped(skipped); out != nil {
		return review.Combine(out, res)
	}
	return res
}

// publishReview puts a review where maintainers decide: the risk labels
// (replacing the bot's previous ones, never anyone else's), a check on the
// PR's head commit, and one report comment updated in place. With
// --review dispatch it also asks the external reviewer.
func (p *pass) publishReview(ctx context.Context, w *work, pr *github.PullRequest, headSHA string) error {
	return p.publishReviewWith(ctx, w, pr, headSHA, nil)
}

// publishReviewWith publishes the review and, with next, rewrites the PR's
// title and body to next's along with the verdict line.
func (p *pass) publishReviewWith(ctx context.Context, w *work, pr *github.PullRequest, headSHA string, next *prPlan) error {
	d, number := w.d, pr.Number
	if p.opts.Review == ReviewDispatch {
		payload := review.DispatchPayload{
			Server: d.Server, PullRequest: number, Project: d.project, Directory: d.directory, Base: d.Current, Head: d.Target,
		}
		if err := p.deps.forge.Dispatch(ctx, p.opts.ReviewRepo, "security-review", payload); err != nil {
			return fmt.Errorf("dispatching the review: %w", err)
		}
	}
	if w.review == nil {
		return nil
	}
	res, meta := w.review.result, w.review.meta
	report := res.Markdown(meta)
	body := reviewMarker + "\n"
	if rec := res.AgentRecordLine(meta.Base, meta.Head); rec != "" {
		body += rec + "\n"
	}
	rp := reviewPublisher{
		w:       p.deps.forge,
		comment: p.deps.forge.PutComment,
		beforeLabels: func(ctx context.Context, urls []string) error {
			return p.writeVerdict(ctx, w, pr, next, urls[0])
		},
	}
	pub := publishedReview{check: checkOf(d.Server, headSHA, res, report, p.opts.FailOn), marker: reviewMarker, comment: body + report}
	if err := rp.publish(ctx, number, headSHA, pr.Labels, []publishedReview{pub}, res.Labels()); err != nil {
		return err
	}
	if p.opts.ReportDir != "" {
		if err := review.WriteOutput(filepath.Join(p.opts.ReportDir, d.Server), res, meta); err != nil {
			p.log.Error("cannot write the review report", "server", d.Server, "err", err)
		}
	}
	d.Review = reviewResultOf(w.review, p.opts.FailOn)
	p.log.Info("published review", "server", d.Server, "pr", number, "risk", d.Review.Risk, "blocked", res.Blocked)
	return nil
}

// reviewResultOf is a review's line in the report.
func reviewResultOf(r *reviewed, failOn review.FailOn) *ReviewResult {
	res := r.result
	counted, allowed := res.Counted()
	return &ReviewResult{
		Risk: res.Risk.String(), Blocked: res.Blocked, Findings: len(counted), Allowed: allowed, Check: string(res.CheckConclusion(failOn)),
	}
}

// markPending takes the verdict off a PR whose head is about to move to
// another range: the risk labels go and security-review-pending comes
// (with --review off, the stale labels only go). It runs before the push,
// so a failed publish or a kill between push and review leaves
// "pending", never the previous range's verdict on the new head. A PR
// already pending costs no write.
func (p *pass) markPending(ctx context.Context, pr *github.PullRequest) error {
	var want []string
	if p.opts.Review != ReviewOff {
		want = []string{review.LabelPending}
	}
	if err := p.replaceRiskLabels(ctx, pr.Number, pr.Labels, want); err != nil {
		return fmt.Errorf("marking the review pending: %w", err)
	}
	kept := pr.Labels[:0:0]
	for _, l := range pr.Labels {
		if !isReviewLabel(l) {
			kept = append(kept, l)
		}
	}
	pr.Labels = append(kept, want...)
	return nil
}

// replaceRiskLabels makes the review labels on a PR exactly want: the
// security-risk:*, security-blocked and security-review-pending labels
// belong to the review; every other label is left alone. The pending
// label, when present, goes last: the verdict is in place before it.
func (p *pass) replaceRiskLabels(ctx context.Context, number int, current, want []string) error {
	return reviewPublisher{w: p.deps.forge}.replaceRiskLabels(ctx, number, current, want)
}

// missingFrom returns the labels of want that have lacks.
func missingFrom(have, want []string) []string {
	var out []string
	for _, l := range want {
		if !slices.Contains(have, l) {
			out = append(out, l)
		}
	}
	return out
}

func isReviewLabel(l string) bool {
	return strings.HasPrefix(l, review.LabelRiskPrefix) || l == review.LabelBlocked || l == review.LabelPending
}

func hasRiskLabel(labels []string) bool {
	for _, l := range labels {
		if strings.HasPrefix(l, review.LabelRiskPrefix) {
			return true
		}
	}
	return false
}

// checkOf is the check run a review publishes, its conclusion as
// review.Result.CheckConclusion maps the risk under --fail-on.
func checkOf(server, sha string, res *review.Result, report string, failOn review.FailOn) github.Check {
	// Allowed findings raise nothing, so they are not counted with the
	// others (parseReviewTitle reads "N allowed" as one more field).
	counted, allowed := res.Counted()
	title := fmt.Sprintf("Risk: %s, %d finding%s", res.Risk, len(counted), plural(len(counted)))
	if res.Blocked {
		title += ", blocked"
	}
	if allowed > 0 {
		title += fmt.Sprintf(", %d allowed", allowed)
	}
	var summary strings.Builder
	for i, f := range counted {
		if i == 5 {
			fmt.Fprintf(&summary, "- … and %d more\n", len(counted)-5)
			break
		}
		fmt.Fprintf(&summary, "- **%s** %s\n", strings.ToUpper(f.Severity.String()), mdsafe.Prose(f.Title, maxProse))
	}
	if len(counted) == 0 {
		summary.WriteString("No findings.\n")
	}
	if allowed > 0 {
		fmt.Fprintf(&summary, "\n%d finding%s allowed by the registry, not counted.\n", allowed, plural(allowed))
	}
	return github.Check{
		Name:       checkName(server),
		HeadSHA:    sha,
		Conclusion: string(res.CheckConclusion(failOn)),
		Title:      title,
		Summary:    summary.String(),
		Text:       report,
	}
}

// checkName is the name of a server's review check.
func checkName(server string) string { return "security-review/" + server }

// parseReviewTitle reads back what checkOf wrote in a review check's title
// (or, without check permission, the commit status description, where
// neutral is spelled out): the risk and whether the review blocks.
func parseReviewTitle(title string) (risk string, blocked bool, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimPrefix(title, "neutral: "), "Risk: ")
	if !found {
		return "", false, false
	}
	fields := strings.Split(rest, ", ")
	sev, err := review.ParseSeverity(fields[0])
	if err != nil {
		return "", false, false
	}
	return sev.String(), slices.Contains(fields[1:], "blocked"), true
}
