package updater

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry"
)

// MergeResult is the merge step's verdict on one open bot PR.
type MergeResult struct {
	Server string       `json:"server"`
	PR     int          `json:"pr"`
	URL    string       `json:"url,omitempty"`
	Merge  MergeVerdict `json:"merge"`
}

// mergeStep runs after a pass's writes: the merge policy over the open bot
// PRs of the servers this pass handled. PRs the pass opened, pushed to or
// reviewed wait for a later run: their other checks have not started yet,
// and "no checks reported" is not "all green". Without an automerge
// section it does nothing at all.
func (p *pass) mergeStep(ctx context.Context, files []*registry.File, planned []Decision) error {
	if p.cfg == nil || p.cfg.AutoMerge == nil || p.deps.merger == nil || ctx.Err() != nil {
		return nil
	}
	byServer := map[string]*Decision{}
	touched := map[int]bool{}
	for i := range planned {
		d := &planned[i]
		byServer[d.Server] = d
		if d.PR != nil && d.PR.Number != 0 && (d.PR.Outcome == "opened" || d.PR.Outcome == "updated" || d.Review != nil) {
			touched[d.PR.Number] = true
		}
	}
	results, err := p.mergeOpen(ctx, files, 0, touched, func(server string) bool { return byServer[server] != nil })
	if err != nil {
		return err
	}
	for _, r := range results {
		v := r.Merge
		byServer[r.Server].Merge = &v
		if v.Outcome == MergeFailed {
			p.fail(byServer[r.Server], errors.New("merge: "+v.Reason))
		}
	}
	return nil
}

// mergeOpen applies the merge policy to every open bot PR (only number
// onlyPR when not 0) whose server inScope accepts, and merges those it
// allows. Reads come first and cost nothing when the policy already says
// no; the only writes are the merge comment and the merge.
func (p *pass) mergeOpen(ctx context.Context, files []*registry.File, onlyPR int, touched map[int]bool, inScope func(server string) bool) ([]MergeResult, error) {
	prs, err := p.deps.forge.ListPulls(ctx, p.opts.BranchPrefix)
	if err != nil {
		return nil, fmt.Errorf("listing the bot's pull requests: %w", err)
	}
	servers := map[string]*registry.File{}
	for _, f := range files {
		servers[f.Name] = f
	}
	slices.SortFunc(prs, func(a, b github.PullRequest) int { return a.Number - b.Number })
	required := map[string][]string{} // base branch -> required checks
	var out []MergeResult
	for _, pr := range prs {
		if pr.State != "open" || (onlyPR != 0 && pr.Number != onlyPR) {
			continue
		}
		server := strings.TrimPrefix(pr.Head, p.opts.BranchPrefix)
		if !inScope(server) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		res := MergeResult{Server: server, PR: pr.Number, URL: pr.URL}
		res.Merge = p.mergeOne(ctx, pr, servers[server], touched[pr.Number], required)
		p.log.Info("merge step", "server", server, "pr", pr.Number, "merge", res.Merge.String())
		out = append(out, res)
	}
	return out, nil
}

// mergeOne gathers one PR's facts, cheapest first, and acts on the verdict.
func (p *pass) mergeOne(ctx context.Context, listed github.PullRequest, file *registry.File, touched bool, required map[string][]string) MergeVerdict {
	m, hasMarker := parseMarker(listed.Body)
	server := strings.TrimPrefix(listed.Head, p.opts.BranchPrefix)
	f := mergeFacts{
		server:    server,
		ownBranch: listed.Head == p.opts.BranchPrefix+server && server != "",
		ownMarker: hasMarker && m.Server == server,
		pr:        listed,
		touched:   touched,
	}
	if p.cfg != nil {
		f.policy = p.cfg.AutoMerge
	}
	if file == nil || file.Server.Source == nil {
		return notAllowed("%s is not a pinned server of the registry", server)
	}
	if p.cfg != nil {
		f.publisher = p.cfg.PublisherOf(file.Server.Source.Project, file.Server.Source.Upstream)
		f.serverOff = p.cfg.Of(server).NoAutoMerge
	}
	f.pr.Mergeable = nil // a listing does not say; GetPull does
	if v, _ := decideMerge(f); v.Outcome == MergeNotAllowed || touched {
		return v // nothing GitHub says now can change it: no reads
	}

	fresh, err := p.deps.merger.GetPull(ctx, listed.Number)
	if err != nil {
		return MergeVerdict{MergeFailed, err.Error()}
	}
	f.pr = fresh
	if v, _ := decideMerge(f); v.Outcome == MergeNotAllowed {
		return v
	}
	if f.checks, err = p.deps.merger.HeadChecks(ctx, fresh.HeadSHA); err != nil {
		return MergeVerdict{MergeFailed, err.Error()}
	}
	req, ok := required[fresh.Base]
	if !ok {
		if req, err = p.deps.merger.RequiredChecks(ctx, fresh.Base); err != nil {
			return MergeVerdict{MergeFailed, err.Error()}
		}
		required[fresh.Base] = req
	}
	f.required = req
	v, why := decideMerge(f)
	if v.Outcome == MergeWaiting && v.Reason == ageUnknown {
		src := file.Server.Source
		t, err := p.deps.history.CommitTime(ctx, src.Project, "", m.To)
		if err != nil {
			f.ageErr = err.Error()
		} else {
			age := p.opts.Now().Sub(t)
			f.age = &age
		}
		v, why = decideMerge(f)
	}
	if v.Outcome != mergeReady {
		return v
	}
	if p.opts.DryRun {
		return MergeVerdict{Outcome: MergeWould}
	}
	return p.merge(ctx, fresh, why)
}

// merge leaves the comment saying why, then merges with the head SHA the
// verdict was reached on: a head that moved since is not merged.
func (p *pass) merge(parent context.Context, pr github.PullRequest, why mergeWhy) MergeVerdict {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), writeTimeout)
	defer cancel()
	if err := p.deps.forge.UpsertComment(ctx, pr.Number, mergeMarker, mergeComment(why, pr.HeadSHA)); err != nil {
		return MergeVerdict{MergeFailed, err.Error()}
	}
	title := fmt.Sprintf("%s (#%d)", pr.Title, pr.Number)
	err := p.deps.merger.MergePull(ctx, pr.Number, pr.HeadSHA, string(p.cfg.AutoMerge.Method), title)
	switch {
	case errors.Is(err, github.ErrHeadMoved):
		return waiting("head moved since %s was reviewed", short(pr.HeadSHA))
	case errors.Is(err, github.ErrNotMergeable):
		return waiting("GitHub refused the merge")
	case err != nil:
		return MergeVerdict{MergeFailed, err.Error()}
	}
	p.log.Info("merged PR", "pr", pr.Number, "head", pr.HeadSHA)
	return MergeVerdict{Outcome: MergeMerged}
}

// MergeOptions configure `updater merge`: the pass's options (GitHub,
// registry, branch prefix, dry run, JSON) and the one PR to look at.
type MergeOptions struct {
	Pass Options
	PR   int // 0: every open bot PR
}

// Merge is `updater merge`: the merge step alone, for event-driven runs
// (a check suite completed). It reads the configuration and the servers
// from the base branch (the checkout with --dry-run), prints one line per
// open bot PR, and returns ErrServersFailed only when a merge or a read
// failed: PRs that are waiting are not a failure.
func Merge(ctx context.Context, mo MergeOptions) error {
	opts := mo.Pass
	opts.Defaults()
	if err := opts.Check(); err != nil {
		return err
	}
	if opts.GitHub.Repository == "" || (opts.GitHub.Token == "" && opts.GitHub.AppID == 0) {
		return Usagef("missing GITHUB_REPOSITORY or a token (GITHUB_TOKEN, --token-file or a GitHub App)")
	}
	if mo.PR < 0 {
		return Usagef("--pr %d: want a pull request number", mo.PR)
	}
	opts.RegistryFromBase = !opts.DryRun
	d, err := connect(ctx, &opts)
	if err != nil {
		return err
	}
	p := &pass{opts: &opts, deps: d, log: opts.Logger}
	if p.cfg, err = p.loadConfig(); err != nil {
		return Usagef("%v", err)
	}
	files, loadErrs := p.loadRegistry()
	for _, err := range loadErrs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			return fmt.Errorf("reading the registry: %w", err)
		}
		p.log.Warn("cannot load server; its PR is not merged", "file", fe.Path, "err", err)
	}
	results, err := p.mergeOpen(ctx, files, mo.PR, nil, func(string) bool { return true })
	if err != nil {
		return err
	}
	if err := writeMerges(opts.Stdout, results, opts.JSON); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	for _, r := range results {
		if r.Merge.Outcome == MergeFailed {
			return ErrServersFailed
		}
	}
	return nil
}

// writeMerges prints the merge step's verdicts: a table, or JSON.
func writeMerges(w io.Writer, results []MergeResult, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if results == nil {
			results = []MergeResult{}
		}
		return enc.Encode(struct {
			Merges []MergeResult `json:"merges"`
		}{results})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PR\tSERVER\tMERGE")
	for _, r := range results {
		fmt.Fprintf(tw, "#%d\t%s\t%s\n", r.PR, mdsafe.Truncate(mdsafe.Line(r.Server), 200), mdsafe.Truncate(mdsafe.Line(r.Merge.String()), 1000))
	}
	fmt.Fprintf(tw, "%d open bot pull request%s\n", len(results), plural(len(results)))
	return tw.Flush()
}
