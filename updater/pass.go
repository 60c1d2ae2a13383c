package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
)

// Run runs one pass: load the registry, resolve every eligible upstream,
// plan, and (unless dry) open, update or close the bot's pull requests and
// publish their reviews. It prints the report to opts.Stdout (a table, or
// JSON with opts.JSON) and the Markdown summary where configured. It
// returns ErrServersFailed when any server failed, a *UsageError when the
// options or registry cannot be used.
func Run(ctx context.Context, opts Options) error {
	opts.Defaults()
	if err := opts.Check(); err != nil {
		return err
	}
	if err := checkAgentSandbox(ctx, opts.Review, opts.Agent); err != nil {
		return err
	}
	_, err := passOnce(ctx, opts)
	return err
}

// finish prints the report and the summary and turns failures into the
// error the command maps to its exit code.
func finish(opts *Options, rep *Report) error {
	var err error
	if opts.JSON {
		err = rep.WriteJSON(opts.Stdout)
	} else {
		err = rep.WriteTable(opts.Stdout)
	}
	if err == nil && !opts.JSON {
		err = rep.WritePreviews(opts.Stdout)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	for _, path := range []string{opts.Summary, opts.GitHub.StepSummary} {
		if path == "" {
			continue
		}
		if err := appendSummary(path, rep); err != nil {
			opts.Logger.Error("cannot write the summary", "file", path, "err", err)
		}
	}
	if rep.Failed() {
		return ErrServersFailed
	}
	return nil
}

func appendSummary(path string, rep *Report) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := rep.WriteMarkdown(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pass is the state of one run of runPass.
type pass struct {
	opts *Options
	deps *deps
	log  *slog.Logger
	cfg  *config.Config // .github/updater.yaml; nil when absent
	dash *dashState     // the dashboard issue as read; nil: none (dashboardstep.go)
	// progress hears what the pass is doing, for people (progress.go);
	// nil reports nothing.
	progress *progress
}

// runPass is the pass over injected dependencies.
func runPass(ctx context.Context, opts *Options, d *deps) (*Report, error) {
	p := &pass{opts: opts, deps: d, log: opts.Logger}
	p.defineLabels()
	var err error
	rep := &Report{Started: opts.Now(), DryRun: opts.DryRun, Shard: opts.Shard.String()}
	defer func() { rep.Duration = opts.Now().Sub(rep.Started) }()

	if p.cfg, err = p.loadConfig(); err != nil {
		return nil, Usagef("%v", err)
	}
	files, loadErrs := p.loadRegistry()
	var fileErrs []error
	for _, err := range loadErrs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			return nil, Usagef("%w", err)
		}
		fileErrs = append(fileErrs, err)
	}
	p.readDashboard(ctx)
	if opts.TickedOnly {
		if !p.tickedOnly(files) {
			p.writeDashboard(ctx, rep)
			return rep, nil
		}
		opts = p.opts
	}
	sel, err := selectServers(files, fileErrs, opts.Servers, opts.Shard)
	if err != nil {
		return nil, err
	}
	sel.eligible, sel.decided = applySettings(p.cfg, opts.Now(), sel.eligible, sel.decided)
	sel.eligible, sel.decided = p.dashUnschedule(files, sel.eligible, sel.decided)
	p.progress = newProgress(opts, len(sel.eligible))
	defer p.progress.end()
	planned := p.resolveAll(ctx, sel.eligible)
	p.setPublishers(planned)
	p.setPublishers(sel.decided)

	if d.forge != nil {
		// Skipped servers go through the PR policy too: one that stopped
		// being pinnable gets its bot PR closed.
		var rest []Decision
		for _, dec := range sel.decided {
			if dec.Action == ActionSkipped {
				planned = append(planned, dec)
			} else {
				rest = append(rest, dec)
			}
		}
		sel.decided = rest
		planned, err = p.write(ctx, planned, sel)
		if err != nil {
			return nil, err
		}
		if err := p.mergeStep(ctx, files, planned); err != nil {
			return nil, err
		}
	} else {
		p.each(ctx, planned, p.applyCooldown)
		p.each(ctx, planned, p.checkBuild)
		p.previewOffline(ctx, planned)
	}
	for i := range planned {
		if planned[i].PR == nil && planned[i].Action == ActionBump && opts.DryRun {
			planned[i].PR = &PRResult{Outcome: PRWouldOpen}
		}
	}
	rep.Decisions = append(rep.Decisions, sel.decided...)
	rep.Decisions = append(rep.Decisions, planned...)
	rep.sort()
	p.writeDashboard(ctx, rep)
	if d.stats != nil {
		rep.GitHub = d.stats()
	}
	for _, dec := range rep.Decisions {
		if dec.Action == ActionError && opts.LogServerErrors {
			p.log.Error("server failed", "server", dec.Server, "file", dec.Path, "err", dec.Detail)
		}
	}
	return rep, nil
}

// loadRegistry reads the servers: from the local registry directory, or
// from the fetched base branch with RegistryFromBase.
func (p *pass) loadRegistry() ([]*registry.File, []error) {
	if !p.opts.RegistryFromBase || p.deps.remote == nil {
		return registry.Load(p.opts.Registry)
	}
	fsys, err := p.deps.remote.FS(p.deps.remote.BaseTip())
	if err != nil {
		return nil, []error{err}
	}
	return registry.LoadFS(fsys)
}

// resolveAll resolves every eligible server's upstream with bounded
// parallelism and plans each; progress counts them for people.
// Servers that follow the same ref of the same upstream (a monorepo's
// many servers) share one resolution.
func (p *pass) resolveAll(ctx context.Context, files []*registry.File) []Decision {
	type key struct{ project, branch string }
	type result struct {
		once sync.Once
		res  upstream.Resolution
		err  error
	}
	shared := make(map[key]*result, len(files))
	for _, f := range files {
		k := key{f.Server.Source.Project, f.Server.Source.Branch}
		if shared[k] == nil {
			shared[k] = &result{}
		}
	}
	out := make([]Decision, len(files))
	p.parallel(ctx, len(files), func(ctx context.Context, i int) {
		f := files[i]
		src := f.Server.Source
		r := shared[key{src.Project, src.Branch}]
		r.once.Do(func() {
			r.res, r.err = p.deps.resolver.Resolve(ctx, upstream.Upstream{Project: src.Project, Branch: src.Branch, Pin: src.Commit})
			if r.err == nil && ctx.Err() != nil {
				r.err = ctx.Err()
			}
		})
		out[i] = plan(f, r.res, r.err)
		p.progress.resolvedOne()
	})
	return out
}

// parallel runs fn for 0..n-1 on at most opts.Concurrency goroutines.
// Every item runs, even after ctx is cancelled: fn sees the cancelled ctx
// and fails fast, so each server still gets its decision. A panic in an
// item is carried to the caller's goroutine (where the daemon recovers
// it) instead of killing the process.
func (p *pass) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int)) {
	workers := min(p.opts.Concurrency, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicOnce sync.Once
	var panicked any
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					panicOnce.Do(func() { panicked = fmt.Sprintf("%v\n%s", r, debug.Stack()) })
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(ctx, i)
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// each runs fn over the decisions in parallel.
func (p *pass) each(ctx context.Context, ds []Decision, fn func(ctx context.Context, d *Decision)) {
	p.parallel(ctx, len(ds), func(ctx context.Context, i int) { fn(ctx, &ds[i]) })
}

// applyCooldown holds back a bump to the newest commit at least
// --min-age old (or the server's own min_age). Tag moves are deliberate
// releases and are not held.
func (p *pass) applyCooldown(ctx context.Context, d *Decision) {
	minAge := p.minAge(d.Server)
	if d.Action != ActionBump || minAge <= 0 || d.Branch != "" || d.Target != d.Latest {
		return
	}
	// The history reads fetch from upstream: --timeout bounds them.
	if p.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.opts.Timeout)
		defer cancel()
	}
	h := p.deps.history
	cutoff := p.opts.Now().Add(-minAge)
	candidate, _, err := h.NewestBefore(ctx, d.project, d.Ref, d.Latest, cutoff)
	if err != nil && !errors.Is(err, upstream.ErrNoCommitOldEnough) {
		p.fail(d, fmt.Errorf("cooldown: %w", err))
		return
	}
	latestTime, err := h.CommitTime(ctx, d.project, d.Ref, d.Latest)
	if err != nil {
		p.fail(d, fmt.Errorf("cooldown: %w", err))
		return
	}
	behind := false
	if candidate != "" && candidate != d.Current && candidate != d.Target {
		// Is the candidate the pin's ancestor (moving there would go back)?
		behind, err = h.IsAncestor(ctx, d.project, d.Ref, candidate, d.Current)
		if err != nil {
			p.fail(d, fmt.Errorf("cooldown: %w", err))
			return
		}
	}
	*d = cooldown(*d, candidate, behind, latestTime, minAge)
}

// checkBuild checks a bump's build inputs at its target (after cooldown
// chose it): see applyBuildCheck.
func (p *pass) checkBuild(ctx context.Context, d *Decision) {
	if d.Action != ActionBump {
		return
	}
	p.progress.working(phaseInspecting, d.Server)
	bc, err := p.deps.history.CheckBuild(ctx, d.project, d.Ref, d.Current, d.Target,
		upstream.BuildInputs{Directory: d.directory, Dockerfile: d.dockerfile})
	if err != nil {
		p.fail(d, fmt.Errorf("checking the build inputs at %s: %w", short(d.Target), err))
		return
	}
	*d = applyBuildCheck(*d, bc)
}

// fail turns a decision into an error naming what went wrong.
func (p *pass) fail(d *Decision, err error) {
	d.Action = ActionError
	d.Detail = err.Error()
}
