package updater

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/dashboard"
	"github.com/mcp-registry/updater/updater/review"
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
	since  *sincePush    // an open PR's previous target and the commits since it
	notes  *releaseNotes // the releases a tag bump crosses
	// inspected is closed once rng and review are set; nil when the work
	// needs no inspection.
	inspected chan struct{}
}

// ready reports whether the work may be written now.
func (w *work) ready() bool {
	if w.inspected == nil {
		return true
	}
	select {
	case <-w.inspected:
		return true
	default:
		return false
	}
}

// write is the write side of a pass, and its rehearsal in a dry run: PR
// policy, branch pushes, pull requests, closes and reviews. Reads run in
// parallel; writes run one server at a time, each once its range is inspected.
func (p *pass) write(ctx context.Context, planned []Decision, sel *selection) ([]Decision, error) {
	prs, err := p.deps.forge.ListPulls(ctx, p.opts.BranchPrefix)
	if err != nil {
		return nil, fmt.Errorf("listing the bot's pull requests: %w", err)
	}
	byServer := groupPRs(prs, p.opts.BranchPrefix)

	if p.deps.remote != nil {
		for i := range planned {
			p.rebaseOnBase(ctx, &planned[i])
		}
		p.setPublishers(planned)
	}
	p.each(ctx, planned, p.applyCooldown)
	p.each(ctx, planned, p.checkBuild)

	botClosed := p.botCloses(ctx, planned, byServer)
	p.dashUnhold(planned, byServer, botClosed)

	sort.Slice(planned, func(i, j int) bool { return planned[i].Server < planned[j].Server })
	works := make([]*work, 0, len(planned))
	opened := 0
	for i := range planned {
		d := &planned[i]
		_, branchExists := p.branch(d.Server)
		w := &work{d: d, step: decidePR(d, byServer[d.Server], branchExists, botClosed)}
		if w.step.action == prOpen {
			if p.opts.MaxNewPRs > 0 && opened >= p.opts.MaxNewPRs && !p.dashActed(d.Server, dashboard.ProposeNow) {
				d.Action = ActionDeferred
				d.Detail = fmt.Sprintf("--max-new-prs %d reached in this pass", p.opts.MaxNewPRs)
				d.PR = &PRResult{Outcome: PRDeferred}
				w.step = prStep{action: prNone}
			} else {
				opened++
			}
		}
		works = append(works, w)
	}

	// Inspect the upstream ranges and review them, in parallel (reads
	// only), and write each server once its own inspection is done: one
	// upstream that hangs until its --timeout delays no other server's
	// writes.
	var inspect []*work
	for _, w := range works {
		if p.inspects(w) {
			w.inspected = make(chan struct{})
			inspect = append(inspect, w)
		}
	}
	progress := make(chan struct{}, len(inspect))
	finished := make(chan any, 1) // the inspections' end, with a panic to carry
	go func() {
		defer func() { finished <- recover() }()
		p.parallel(ctx, len(inspect), func(ctx context.Context, i int) {
			defer func() {
				close(inspect[i].inspected)
				progress <- struct{}{}
			}()
			p.inspect(ctx, inspect[i])
		})
	}()
	p.writeAsReady(ctx, works, progress)
	if panicked := <-finished; panicked != nil {
		panic(panicked)
	}
	if ctx.Err() == nil {
		p.closeRemoved(ctx, byServer, sel)
	}
	return planned, nil
}

// botCloses finds which of the closed PRs that would hold a bump the bot
// closed itself (a removed server, a pin made by hand): GitHub records
// who closed a PR, and a close by the PR's own author, the bot, is no
// maintainer's decision. Only PRs proposing a bump's very target are
// asked about, one read each; a server whose answer cannot be had fails
// rather than guess either way.
func (p *pass) botCloses(ctx context.Context, planned []Decision, byServer map[string]serverPRs) map[int]bool {
	bot := map[int]bool{}
	for i := range planned {
		d := &planned[i]
		if d.Action != ActionBump {
			continue
		}
		for _, pr := range byServer[d.Server] {
			if pr.State != "closed" || pr.Merged {
				continue
			}
			if m, ok := parseMarker(pr.Body); !ok || m.To != d.Target {
				continue
			}
			who, err := p.deps.forge.ClosedBy(ctx, pr.Number)
			if err != nil {
				p.fail(d, fmt.Errorf("who closed pull request #%d: %w", pr.Number, err))
				break
			}
			bot[pr.Number] = who != "" && who == pr.User
		}
	}
	return bot
}

// writeAsReady applies the works one at a time: the first in name order
// whose inspection is done (with fast upstreams, name order), waiting for
// the next inspection only when none is. Shutting down, servers not
// started stay as planned; the next pass picks them up.
func (p *pass) writeAsReady(ctx context.Context, works []*work, progress <-chan struct{}) {
	left := slices.Clone(works)
	for len(left) > 0 && ctx.Err() == nil {
		i := slices.IndexFunc(left, (*work).ready)
		if i < 0 {
			select {
			case <-progress:
			case <-ctx.Done():
			}
			continue
		}
		w := left[i]
		left = slices.Delete(left, i, i+1)
		p.apply(ctx, w)
	}
}

// needsRange: the bot will (re)write the branch or PR body, or publish a
// review, and both show what changed upstream. A kept PR needs it when
// its review is missing or the branch must be rebuilt on a moved base.
func (p *pass) needsRange(w *work) bool {
	switch w.step.action {
	case prOpen, prUpdate:
		return true
	case prKeep:
		return (p.opts.Review != ReviewOff && (!hasRiskLabel(w.step.pr.Labels) || p.dashActed(w.d.Server, dashboard.ReReview))) || p.branchStale(w.d) || p.tagMoveUnpublished(w)
	}
	return false
}

// tagMoveUnpublished: the pinned tag was found moved, and the open PR
// (opened before it moved) does not say so yet in its body or, with a
// review, in its security-blocked label.
func (p *pass) tagMoveUnpublished(w *work) bool {
	pr := w.step.pr
	if w.d.TagMoved == nil || pr == nil {
		return false
	}
	return !strings.Contains(pr.Body, tagMovedWarning) || (p.opts.Review != ReviewOff && !slices.Contains(pr.Labels, review.LabelBlocked))
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
// maintainer pinned the server by hand since, moved it to a fork, or the
// checkout is stale). Every field the decision was made from (project,
// branch, directory, commit) is compared; when any differs, the decision
// is made again from the base branch's file, and a changed project or
// branch is resolved again: a resolution of another repository or ref
// says nothing about this one.
func (p *pass) rebaseOnBase(ctx context.Context, d *Decision) {
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
	if reason := ineligible(f); reason != "" {
		*d = Decision{Server: d.Server, Path: d.Path, Action: ActionSkipped, Detail: reason + " (on the base branch)"}
		return
	}
	src := f.Server.Source
	if src.Project == d.project && src.Branch == d.oldBranch && src.Directory == d.directory && src.Commit == d.Current {
		return
	}
	if problems := registry.Validate(f); len(problems) > 0 {
		p.fail(d, fmt.Errorf("on the base branch: %w", problems[0]))
		return
	}
	res, resolveErr := d.res, error(nil)
	if src.Project != d.project || src.Branch != d.oldBranch {
		res, resolveErr = p.deps.resolver.Resolve(ctx, upstream.Upstream{Project: src.Project, Branch: src.Branch, Pin: src.Commit})
	}
	replanned := plan(f, res, resolveErr)
	if replanned.Action == ActionUpToDate && src.Commit != d.Current {
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
	p.progress.working(phaseWriting, d.Server)
	log := p.log.With("server", d.Server)
	branch := p.opts.BranchPrefix + d.Server
	dry := p.opts.DryRun

	var err error
	switch st.action {
	case prOpen:
		if dry {
			d.PR = &PRResult{Outcome: PRWouldOpen}
			p.setPreview(w)
			break
		}
		err = p.openPR(ctx, w, branch)
	case prUpdate:
		if dry {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: PRWouldUpdate}
			p.setPreview(w)
			break
		}
		err = p.updatePR(ctx, w, branch)
	case prKeep:
		d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: PRUnchanged}
		if dry {
			break
		}
		err = p.keepPR(ctx, w, branch)
	case prHold:
		d.Action = ActionHeld
		d.Detail = st.reason
		d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: PRHeld}
	case prClose:
		if dry {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: PRWouldClose}
			break
		}
		err = p.closePR(ctx, st.pr, st.reason, branch, st.deleteBranch)
		if err == nil {
			d.PR = &PRResult{Number: st.pr.Number, URL: st.pr.URL, Outcome: PRClosed}
			log.Info("closed PR", "pr", st.pr.Number, "reason", st.reason)
		}
	case prNone:
		if st.deleteBranch {
			if dry {
				d.PR = &PRResult{Outcome: PRWouldDeleteBranch}
				break
			}
			if err = p.deps.forge.DeleteBranch(ctx, branch); err == nil {
				d.PR = &PRResult{Outcome: PRDeletedBranch}
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
	plan := p.prPlanOf(w)
	pr, err := p.deps.forge.CreatePull(ctx, github.NewPull{
		Title: plan.title, Body: plan.body, Head: branch, Base: p.baseBranch(), Labels: plan.labels,
	})
	if err != nil {
		return fmt.Errorf("opening the pull request: %w", err)
	}
	d.PR = &PRResult{Number: pr.Number, URL: pr.URL, Outcome: PROpened, Pushed: pushed}
	p.log.Info("opened PR", "server", d.Server, "pr", pr.Number, "target", d.Target)
	if err := p.publishReview(ctx, w, &pr, sha); err != nil {
		return err
	}
	p.requestPeople(ctx, d, pr.Number)
	return nil
}

// updatePR moves an open PR to a new target. The writes are ordered so
// the new head is never shown with a verdict that is not its own: the
// review is marked pending (labels, the body's verdict line) before the
// push, the body follows the push,
// and the review of the new range comes last, the risk label its final
// write. A pass killed or failing anywhere in between leaves "pending";
// the next pass finishes the update (old marker) or the review (no risk
// label, see keepPR).
func (p *pass) updatePR(ctx context.Context, w *work, branch string) error {
	d, pr := w.d, w.step.pr
	if err := p.markPending(ctx, pr); err != nil {
		return err
	}
	if err := p.pendVerdict(ctx, d, pr); err != nil {
		return err
	}
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
	plan := p.prPlanOf(w)
	if pr.Title != plan.title || pr.Body != plan.body {
		if err := p.deps.forge.EditPull(ctx, pr.Number, plan.title, plan.body); err != nil {
			return fmt.Errorf("updating pull request #%d: %w", pr.Number, err)
		}
		pr.Title, pr.Body = plan.title, plan.body
	}
	d.PR = &PRResult{Number: pr.Number, URL: pr.URL, Outcome: PRUpdated, Pushed: pushed}
	p.log.Info("updated PR", "server", d.Server, "pr", pr.Number, "target", d.Target, "pushed", pushed)
	return p.publishReview(ctx, w, pr, sha)
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
		d.PR.Outcome = PRUpdated
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
	if p.tagMoveUnpublished(w) {
		// The body with the warning goes with the review's verdict line,
		// before the review's labels: a pass killed before the body
		// finds it without the warning, one killed after it finds no
		// security-blocked label, and does both again.
		plan := p.prPlanOf(w)
		if p.opts.Review != ReviewOff {
			if err := p.publishReviewWith(ctx, w, pr, sha, &plan); err != nil {
				return err
			}
		} else if pr.Body != plan.body {
			if err := p.deps.forge.EditPull(ctx, pr.Number, plan.title, plan.body); err != nil {
				return fmt.Errorf("updating pull request #%d: %w", pr.Number, err)
			}
		}
		d.PR.Outcome = PRUpdated
		return nil
	}
	if !pushed && (hasRiskLabel(pr.Labels) || p.opts.Review == ReviewOff) && !p.dashActed(d.Server, dashboard.ReReview) {
		return nil
	}
	return p.publishReview(ctx, w, pr, sha)
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
	if p.opts.CommitVia == CommitViaAPI {
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
	want, err := registry.SetPin(raw, registry.Pin{Commit: d.Target, Branch: d.Branch, Directory: d.Directory, Dockerfile: d.Dockerfile})
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

// closeRemoved closes open bot PRs whose server left the registry. The
// registry read may be a stale or partial checkout: a server whose file
// the fetched base branch still holds has not left, whatever the listing.
func (p *pass) closeRemoved(ctx context.Context, byServer map[string]serverPRs, sel *selection) {
	names := make([]string, 0, len(byServer))
	for name := range byServer {
		if sel.names[name] || !p.opts.Shard.Has(name) || len(p.opts.Servers) > 0 {
			continue
		}
		if p.onBase(name) {
			p.log.Warn("not closing the PR of a server the registry read lacks but the base branch holds", "server", name)
			continue
		}
		names = append(names, name)
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

// onBase reports whether the fetched base branch holds the server's file
// (or cannot say: then it is not removed either).
func (p *pass) onBase(server string) bool {
	if p.deps.remote == nil {
		return false
	}
	_, found, err := p.deps.remote.ReadFile(p.deps.remote.BaseTip(), registry.ServerPath(server))
	return found || err != nil
}

func (p *pass) baseBranch() string { return p.opts.BaseBranch }

func errOr(err error, msg string) any {
	if err != nil {
		return err
	}
	return msg
}
