package updater

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
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
	r := reviewer{history: p.deps.history, mode: p.opts.Review, cmd: p.opts.ReviewerCmd, timeout: p.opts.ReviewTimeout, agent: p.opts.Agent, log: p.log}
	subject := reviewSubject{
		server: d.Server, project: d.project, ref: d.Ref, directory: d.directory, base: d.Current, head: d.Target,
	}
	if p.opts.Review == "command" && !p.opts.Agent.FullReview && w.step.pr != nil {
		subject.previous = p.previousAgentReview(ctx, d.Server, w.step.pr.Number)
	}
	rng, rev := r.review(ctx, subject)
	w.rng, w.review = rng, rev
	if rng != nil && rng.Ancestor {
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
	// previous is the agent's recorded review of an earlier range of the
	// same PR, if any.
	previous *review.AgentRecord
}

// reviewer runs the differential review of a range: the built-in rules,
// and the agent with --review command.
type reviewer struct {
	history history
	mode    string // builtin, command, dispatch or off
	cmd     string
	timeout time.Duration
	agent   AgentOptions
	log     *slog.Logger
}

// review fetches and inspects the range and reviews it. A range that
// cannot be inspected still yields a review: a finding that says so,
// never a silent pass. With mode off only the range is returned.
func (r reviewer) review(ctx context.Context, s reviewSubject) (*ranges.Range, *reviewed) {
	rng, err := r.history.Range(ctx, s.project, s.ref, s.directory, s.base, s.head, upstream.RangeLimits{})
	if err != nil {
		r.log.Warn("cannot inspect the upstream range", "server", s.server, "err", err)
		rng = nil
	}
	if r.mode == "off" {
		return rng, nil
	}
	if rng == nil {
		meta := review.ReportMeta{Server: s.server, Repository: s.project, Directory: s.directory, Base: s.base, Head: s.head}
		res := review.Incomplete(review.RuleReviewIncomplete, fmt.Sprintf("the upstream range could not be inspected: %v", err))
		return nil, &reviewed{result: res, meta: meta}
	}
	res := review.Review(rng, review.Options{})
	if r.mode == "command" {
		res = review.Combine(res, r.agentReview(ctx, s))
	}
	return rng, &reviewed{result: res, meta: review.MetaFor(s.server, rng)}
}

// agentReview pays for the agent once per head: the same range as the
// recorded one keeps its verdict, a head that moved on from the recorded
// one is reviewed from there with the previous report as context, and
// anything else (no record, another base, history rewritten) in full.
func (r reviewer) agentReview(ctx context.Context, s reviewSubject) *review.Result {
	if prev := s.previous; prev != nil && prev.Base == s.base {
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
	if prev != nil {
		base, previousReport = prev.Head, prev.Report
		if previousReport == "" {
			previousReport = "(The previous report was not kept.)\n"
		}
	}
	res, err := review.RunAgent(ctx, review.AgentSpec{
		Command:        r.cmd,
		PreviousReport: previousReport,
		Checkout: func(ctx context.Context, dst string) error {
			skipped, err := r.history.Checkout(ctx, s.project, base, s.head, dst)
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
		Tools:     r.agent.Tools,
		Inference: r.agent.Inference,
	})
	if err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: "+err.Error())
	}
	if res.AgentLog != "" && len(res.Findings) > 0 && res.Findings[0].Rule == review.RuleAgentReview {
		r.log.Warn("agent reviewer failed", "server", s.server, "log", res.AgentLog)
	}
	return res
}

// publishReview puts a review where maintainers decide: the risk labels
// (replacing the bot's previous ones, never anyone else's), a check on the
// PR's head commit, and one report comment updated in place. With
// --review dispatch it also asks the external reviewer.
func (p *pass) publishReview(ctx context.Context, w *work, number int, headSHA string, current []string) error {
	d := w.d
	if p.opts.Review == "dispatch" {
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

	// The check and the comment go first and the risk labels last: a PR
	// with its risk label has its whole review (keepPR relies on it).
	if headSHA != "" {
		if err := p.deps.forge.PublishCheck(ctx, checkOf(d.Server, headSHA, res, report)); err != nil {
			return fmt.Errorf("publishing the review check: %w", err)
		}
	}
	body := reviewMarker + "\n"
	if rec := res.AgentRecordLine(meta.Base, meta.Head); rec != "" {
		body += rec + "\n"
	}
	if err := p.deps.forge.UpsertComment(ctx, number, reviewMarker, body+report); err != nil {
		return fmt.Errorf("publishing the review comment: %w", err)
	}
	if err := p.replaceRiskLabels(ctx, number, current, res.Labels()); err != nil {
		return err
	}
	if p.opts.ReportDir != "" {
		if err := review.WriteOutput(filepath.Join(p.opts.ReportDir, d.Server), res, meta); err != nil {
			p.log.Error("cannot write the review report", "server", d.Server, "err", err)
		}
	}
	d.Review = &ReviewResult{
		Risk: res.Risk.String(), Blocked: res.Blocked, Findings: len(res.Findings), Check: res.CheckConclusion(),
	}
	p.log.Info("published review", "server", d.Server, "pr", number, "risk", d.Review.Risk, "blocked", res.Blocked)
	return nil
}

// replaceRiskLabels makes the review labels on a PR exactly want: the
// security-risk:* and security-blocked labels belong to the review; every
// other label is left alone.
func (p *pass) replaceRiskLabels(ctx context.Context, number int, current, want []string) error {
	wanted := map[string]bool{}
	for _, l := range want {
		wanted[l] = true
	}
	have := map[string]bool{}
	for _, l := range current {
		have[l] = true
		if isReviewLabel(l) && !wanted[l] {
			if err := p.deps.forge.RemoveLabel(ctx, number, l); err != nil {
				return fmt.Errorf("removing label %s: %w", l, err)
			}
		}
	}
	var add []string
	for _, l := range want {
		if !have[l] {
			add = append(add, l)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := p.deps.forge.AddLabels(ctx, number, add); err != nil {
		return fmt.Errorf("adding labels %s: %w", strings.Join(add, ", "), err)
	}
	return nil
}

func isReviewLabel(l string) bool {
	return strings.HasPrefix(l, "security-risk:") || l == "security-blocked"
}

func hasRiskLabel(labels []string) bool {
	for _, l := range labels {
		if strings.HasPrefix(l, "security-risk:") {
			return true
		}
	}
	return false
}

// checkOf is the check run a review publishes: blocked or critical fail,
// high or medium are neutral, low or info succeed.
func checkOf(server, sha string, res *review.Result, report string) github.Check {
	title := fmt.Sprintf("Risk: %s, %d finding%s", res.Risk, len(res.Findings), plural(len(res.Findings)))
	if res.Blocked {
		title += ", blocked"
	}
	var summary strings.Builder
	for i, f := range res.Findings {
		if i == 5 {
			fmt.Fprintf(&summary, "- … and %d more\n", len(res.Findings)-5)
			break
		}
		fmt.Fprintf(&summary, "- **%s** %s\n", strings.ToUpper(f.Severity.String()), inert(f.Title))
	}
	if summary.Len() == 0 {
		summary.WriteString("No findings.\n")
	}
	return github.Check{
		Name:       "security-review/" + server,
		HeadSHA:    sha,
		Conclusion: res.CheckConclusion(),
		Title:      title,
		Summary:    summary.String(),
		Text:       report,
	}
}
