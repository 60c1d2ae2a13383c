package updater

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/registry"
)

// writeTimeout bounds one server's writes once started: a shutdown signal
// does not interrupt them (a pushed branch must get its PR), but they
// cannot hang the process either.
const writeTimeout = 2 * time.Minute

// work is one server's planned write: the decision, the policy's step,
// and what inspection found.
type work struct {
	d      *Decision
	step   prStep
	rng    *ranges.Range
	review *reviewed
}

// write is the write side of a pass, and its rehearsal in a dry run: PR
// policy, branch pushes, pull requests, closes and reviews. Reads run in
// parallel; writes run one server at a time, in name order.
func (p *pass) write(ctx context.Context, planned []Decision, sel *selection) ([]Decision, error) {
	prs, err := p.deps.forge.ListPulls(ctx, p.opts.BranchPrefix)
	if err != nil {
		return nil, fmt.Errorf("listing the bot's pull requests: %w", err)
	}
	byServer := groupPRs(prs, p.opts.BranchPrefix)

	if p.deps.remote != nil {
		for i := range planned {
			p.rebaseOnBase(&planned[i])
		}
		p.setPublishers(planned)
	}
	if p.opts.MinAge > 0 {
		p.each(ctx, planned, func(ctx context.Context, d *Decision) { p.applyCooldown(ctx, d) })
	}

	sort.Slice(planned, func(i, j int) bool { return planned[i].Server < planned[j].Server })
	works := make([]*work, 0, len(planned))
	opened := 0
	for i := range planned {
		d := &planned[i]
		_, branchExists := p.branch(d.Server)
		w := &work{d: d, step: decidePR(d, byServer[d.Server], branchExists)}
		if w.step.action == prOpen {
			if p.opts.MaxNewPRs > 0 && opened >= p.opts.MaxNewPRs {
				d.Action = ActionDeferred
				d.Detail = fmt.Sprintf("--max-new-prs %d reached in this pass", p.opts.MaxNewPRs)
				d.PR = &PRResult{Outcome: "deferred"}
				w.step = prStep{action: prNone}
			} else {
				opened++
			}
		}
		works = append(works, w)
	}

	// Inspect the upstream ranges and review them, in parallel: reads only.
	var inspect []*work
	for _, w := range works {
		if !p.opts.DryRun && p.needsRange(w) {
			inspect = append(inspect, w)
		}
	}
	p.parallel(ctx, len(inspect), func(ctx context.Context, i int) { p.inspect(ctx, inspect[i]) })

	for _, w := range works {
		if ctx.Err() != nil {
			// Shutting down: servers not started stay as planned; the next
			// pass picks them up.
			break
		}
		p.apply(ctx, w)
	}
	if ctx.Err() == nil {
		p.closeRemoved(ctx, byServer, sel)
	}
	return planned, nil
}

// needsRange: the bot will (re)write the branch or PR body, or publish a
// review, and both show what changed upstream. A kept PR needs it when
// its review is missing or the branch must be rebuilt on a moved base.
func (p *pass) needsRange(w *work) bool {
	switch w.step.action {
	case prOpen, prUpdate:
		return true
	case prKeep:
		return (p.opts.Review != "off" && !hasRiskLabel(w.step.pr.Labels)) || p.branchStale(w.d)
	}
	return false
}

// branchStale reports whether the bot's branch for d does not hold what
// the bot would write now (read from the fetched registry: no network).
func (p *pass) branchStale(d *Decision) bool {
	want, err := p.wantContent(d)
	if err != nil {
		return true
	}
	info, ok := p.branch(d.Server)
	if !ok {
		return true
	}
	cur, found, err := p.deps.remote.ReadFile(info.Tip, d.Path)
	return err != nil || !found || !bytes.Equal(cur, want)
}

// rebaseOnBase re-plans a decision against the registry's base branch,
// which the PR targets and which may differ from the local checkout (a
// maintainer pinned the server by hand since, or the checkout is stale).
func (p *pass) rebaseOnBase(d *Decision) {
	if d.Action != ActionBump && d.Action != ActionUpToDate {
		return
	}
	raw, ok, err := p.deps.remote.ReadFile(p.deps.remote.BaseTip(), d.Path)
	if err != nil {
		p.fail(d, fmt.Errorf("reading %s on the base branch: %w", d.Path, err))
		return
	}
	if !ok {
		p.fail(d, fmt.Errorf("%s is not on the base branch", d.Path))
		return
	}
	f, err := registry.Parse(d.Path, raw)
	if err != nil {
		p.fail(d, fmt.Errorf("on the base branch: %w", err))
		return
	}
	if f.Server.Source == nil || f.Server.Source.Commit == d.Current && f.Server.Source.Branch == d.oldBranch {
		return
	}
	replanned := plan(f, d.res, nil)
	if replanned.Action == ActionUpToDate {
		replanned.Detail = "pinned on the base branch"
	}
	*d = replanned
}

func (p *pass) branch(server string) (github.BranchInfo, bool) {
	if p.deps.remote == nil {
		return github.BranchInfo{}, false
	}
	return p.deps.remote.Branch(p.opts.BranchPrefix + server)
}

// apply carries out one server's step. Writes use a context that a
// shutdown signal does not cancel, so a pushed branch gets its PR.
func (p *pass) apply(parent context.Context, w *work) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), writeTimeout)
	defer cancel()
	d, st := w.d, w.step
	log := p.log.With("server", d.Server)
	branch := p.opts.BranchPrefix + d.Server
	dry := p.opts.DryRun

	var err error
	switch st.action {
	case prOpen:
		if dry {
			d.PR = &PRResult{Outcome: "would-open"}
			break
		}
		err = p.openPR(ctx, w, branch)
	case prUpdate:
		if dry {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: "would-update"}
			break
		}
		err = p.updatePR(ctx, w, branch)
	case prKeep:
		d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: "unchanged"}
		if dry {
			break
		}
		err = p.keepPR(ctx, w, branch)
	case prHold:
		d.Action = ActionHeld
		d.Detail = st.reason
		d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: "held"}
	case prClose:
		if dry {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: "would-close"}
			break
		}
		err = p.closePR(ctx, st.pr, st.reason, branch, st.deleteBranch)
		if err == nil {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: "closed"}
			log.Info("closed PR", "pr", st.pr.Number, "reason", st.reason)
		}
	case prNone:
		if st.deleteBranch {
			if dry {
				d.PR = &PRResult{Outcome: "would-delete-branch"}
				break
			}
			if err = p.deps.forge.DeleteBranch(ctx, branch); err == nil {
				d.PR = &PRResult{Outcome: "deleted-branch"}
				log.Info("deleted stale branch", "branch", branch)
			}
		}
	}
	if err == nil && !dry {
		for _, dup := range st.extra {
			if e := p.closePR(ctx, &dup, fmt.Sprintf("Duplicate of #%d.", st.pr.Number), "", false); e != nil {
				err = e
			}
		}
	}
	if err != nil {
		p.writeFailed(d, err)
		log.Error("write failed", "err", err)
	}
}

// writeFailed records a failed write. Rate limits past the configured wait
// defer the server to the next pass instead of failing it.
func (p *pass) writeFailed(d *Decision, err error) {
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		d.Action = ActionDeferred
		d.Detail = "GitHub rate limit: " + err.Error()
		return
	}
	p.fail(d, err)
}

func (p *pass) openPR(ctx context.Context, w *work, branch string) error {
	d := w.d
	sha, pushed, err := p.pushBranch(ctx, w, branch)
	if err != nil {
		return err
	}
	pr, err := p.deps.forge.CreatePull(ctx, github.NewPull{
		Title: prTitle(d), Body: prBody(d, w.rng), Head: branch, Base: p.baseBranch(), Labels: p.prLabels(d),
	})
	if err != nil {
		return fmt.Errorf("opening the pull request: %w", err)
	}
	d.PR = &PRResult{Number: pr.Number, URL: pr.URL, Outcome: "opened", Pushed: pushed}
	p.log.Info("opened PR", "server", d.Server, "pr", pr.Number, "target", d.Target)
	return p.publishReview(ctx, w, pr.Number, sha, pr.Labels)
}

// updatePR moves an open PR to a new target. The review of the new range
// is published before the body's marker changes: a pass killed in between
// leaves the old marker, and the next pass redoes the update.
func (p *pass) updatePR(ctx context.Context, w *work, branch string) error {
	d, pr := w.d, w.step.pr
	sha, pushed, err := p.pushBranch(ctx, w, branch)
	if err != nil {
		return err
	}
	if err := p.restoreLabels(ctx, pr); err != nil {
		return err
	}
	if err := p.syncPublisherLabel(ctx, d, pr); err != nil {
		return err
	}
	if err := p.publishReview(ctx, w, pr.Number, sha, pr.Labels); err != nil {
		return err
	}
	title, body := prTitle(d), prBody(d, w.rng)
	if pr.Title != title || pr.Body != body {
		if err := p.deps.forge.EditPull(ctx, pr.Number, title, body); err != nil {
			return fmt.Errorf("updating pull request #%d: %w", pr.Number, err)
		}
	}
	d.PR = &PRResult{Number: pr.Number, URL: pr.URL, Outcome: "updated", Pushed: pushed}
	p.log.Info("updated PR", "server", d.Server, "pr", pr.Number, "target", d.Target, "pushed", pushed)
	return nil
}

// keepPR repairs an open PR that already proposes the target: the branch
// is rebuilt only when the server's file changed on the base branch (a
// one-line PR rarely conflicts; rebasing on every merge would re-run
// everyone's CI), and labels or a review missing after an interrupted
// pass are published. The risk label is the review's last write, so its
// presence means the review was published whole.
func (p *pass) keepPR(ctx context.Context, w *work, branch string) error {
	d, pr := w.d, w.step.pr
	sha, pushed, err := p.pushBranch(ctx, w, branch)
	if err != nil {
		return err
	}
	if pushed {
		d.PR.Outcome = "updated"
		d.PR.Pushed = true
	}
	if err := p.restoreLabels(ctx, pr); err != nil {
		return err
	}
	if err := p.syncPublisherLabel(ctx, d, pr); err != nil {
		return err
	}
	if err := p.syncPublisherLine(ctx, d, pr); err != nil {
		return err
	}
	if !pushed && (hasRiskLabel(pr.Labels) || p.opts.Review == "off") {
		return nil
	}
	return p.publishReview(ctx, w, pr.Number, sha, pr.Labels)
}

// restoreLabels labels a bot PR that carries none of the bot's labels (a
// pass killed between opening the PR and labelling it). A PR with some of
// them was labelled: a label a maintainer removed since stays removed.
func (p *pass) restoreLabels(ctx context.Context, pr *github.PullRequest) error {
	for _, l := range pr.Labels {
		if slices.Contains(p.opts.Labels, l) || isReviewLabel(l) {
			return nil
		}
	}
	if len(p.opts.Labels) == 0 {
		return nil
	}
	if err := p.deps.forge.AddLabels(ctx, pr.Number, p.opts.Labels); err != nil {
		return fmt.Errorf("labelling pull request #%d: %w", pr.Number, err)
	}
	pr.Labels = append(pr.Labels, p.opts.Labels...)
	return nil
}

// pushBranch makes the bot branch hold exactly one commit on the base
// branch's tip that rewrites the server's file, unless it already holds
// that content: then nothing is pushed (idempotent, no CI churn).
func (p *pass) pushBranch(ctx context.Context, w *work, branch string) (sha string, pushed bool, err error) {
	d := w.d
	remote := p.deps.remote
	base := remote.BaseTip()
	want, err := p.wantContent(d)
	if err != nil {
		return "", false, err
	}
	info, exists := remote.Branch(branch)
	if exists {
		cur, ok, err := remote.ReadFile(info.Tip, d.Path)
		if err == nil && ok && bytes.Equal(cur, want) {
			return info.Tip, false, nil
		}
	}
	bw := github.BranchWrite{
		Branch:    branch,
		Parent:    base,
		Path:      d.Path,
		Content:   want,
		Message:   commitMessage(d, w.rng),
		ForceFrom: info.Tip,
	}
	if p.opts.CommitVia == "api" {
		sha, err = p.deps.forge.WriteBranchViaAPI(ctx, bw)
	} else {
		sha, err = remote.WriteBranch(ctx, bw)
	}
	if err != nil {
		return "", false, fmt.Errorf("pushing branch %s: %w", branch, err)
	}
	p.log.Info("pushed branch", "server", d.Server, "branch", branch, "commit", sha)
	return sha, true, nil
}

// wantContent is the server's file as the bot's branch must hold it: the
// base branch's file with the pin rewritten.
func (p *pass) wantContent(d *Decision) ([]byte, error) {
	remote := p.deps.remote
	raw, ok, err := remote.ReadFile(remote.BaseTip(), d.Path)
	if err != nil || !ok {
		return nil, fmt.Errorf("reading %s on the base branch: %v", d.Path, errOr(err, "not found"))
	}
	want, err := registry.SetPin(raw, registry.Pin{Commit: d.Target, Branch: d.Branch})
	if err != nil {
		return nil, fmt.Errorf("rewriting %s: %w", d.Path, err)
	}
	return want, nil
}

func (p *pass) closePR(ctx context.Context, pr *github.PullRequest, reason, branch string, deleteBranch bool) error {
	if err := p.deps.forge.ClosePull(ctx, pr.Number, reason); err != nil {
		return fmt.Errorf("closing pull request #%d: %w", pr.Number, err)
	}
	if deleteBranch && branch != "" {
		if err := p.deps.forge.DeleteBranch(ctx, branch); err != nil {
			return fmt.Errorf("deleting branch %s: %w", branch, err)
		}
	}
	return nil
}

// closeRemoved closes open bot PRs whose server left the registry.
func (p *pass) closeRemoved(ctx context.Context, byServer map[string]serverPRs, sel *selection) {
	names := make([]string, 0, len(byServer))
	for name := range byServer {
		if !sel.names[name] && p.opts.Shard.Has(name) && len(p.opts.Servers) == 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		for _, pr := range byServer[name] {
			if pr.State != "open" {
				continue
			}
			if p.opts.DryRun {
				p.log.Info("would close PR of removed server", "server", name, "pr", pr.Number)
				continue
			}
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
			err := p.closePR(wctx, &pr, "This server was removed from the registry; closing.", p.opts.BranchPrefix+name, true)
			cancel()
			if err != nil {
				p.log.Error("closing PR of removed server", "server", name, "pr", pr.Number, "err", err)
			} else {
				p.log.Info("closed PR of removed server", "server", name, "pr", pr.Number)
			}
		}
	}
}

func (p *pass) baseBranch() string { return p.opts.BaseBranch }

func errOr(err error, msg string) any {
	if err != nil {
		return err
	}
	return msg
}
