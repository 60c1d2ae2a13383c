package updater

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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
	r := reviewer{history: p.deps.history, mode: p.opts.Review, cmd: p.opts.ReviewerCmd, timeout: p.opts.ReviewTimeout, log: p.log}
	rng, rev := r.review(ctx, reviewSubject{
		server: d.Server, project: d.project, ref: d.Ref, directory: d.directory, base: d.Current, head: d.Target,
	})
	w.rng, w.review = rng, rev
	if rng != nil && rng.Ancestor {
		d.Commits = rng.TotalCommits
	}
}

// reviewSubject is the upstream change a review looks at.
type reviewSubject struct {
	server, project, ref, directory, base, head string
}

// reviewer runs the differential review of a range: the built-in rules,
// and the agent with --review command.
type reviewer struct {
	history history
	mode    string // builtin, command, dispatch or off
	cmd     string
	timeout time.Duration
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
		res = review.Combine(res, r.runAgent(ctx, s))
	}
	return rng, &reviewed{result: res, meta: review.MetaFor(s.server, rng)}
}

// runAgent gives the configured agent reviewer a read-only copy of the
// upstream at the new pin and takes back only its report and labels.
func (r reviewer) runAgent(ctx context.Context, s reviewSubject) *review.Result {
	dir, err := os.MkdirTemp("", "updater-review-")
	if err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: "+err.Error())
	}
	defer os.RemoveAll(dir)
	// The agent may run as another user (a root bot drops it to nobody):
	// it must be able to reach the read-only code.
	if err := os.Chmod(dir, 0o755); err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: "+err.Error())
	}
	code := filepath.Join(dir, "code")
	if err := os.Mkdir(code, 0o755); err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: "+err.Error())
	}
	defer upstream.RemoveExport(code)
	skipped, err := r.history.ExportTree(ctx, s.project, s.head, code)
	if err != nil {
		return review.Incomplete(review.RuleAgentReview, "agent: exporting the code: "+err.Error())
	}
	if len(skipped) > 0 {
		r.log.Info("left out of the agent's copy", "server", s.server, "files", len(skipped))
	}
	res, err := review.RunAgent(ctx, review.AgentSpec{
		Command:   r.cmd,
		CodeDir:   code,
		Base:      s.base,
		Head:      s.head,
		Project:   s.project,
		Directory: s.directory,
		Timeout:   r.timeout,
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
	if err := p.deps.forge.UpsertComment(ctx, number, reviewMarker, reviewMarker+"\n"+report); err != nil {
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
