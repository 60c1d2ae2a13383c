package updater

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// ReviewChanges reviews every locally built server whose source differs
// between the registry at opts.BaseRegistry (the PR's base) and at
// opts.Registry (its head), as RegistryChanges classifies them: new
// servers and changed build inputs in full, moved pins old..new, a moved
// project in full with a high finding of its own. Both registries are
// only read, never built or run, so the head may be a contributor's
// untrusted checkout. Each report goes to Stdout and, with Output, to
// Output/<server>/. One server's failure never stops the others; the
// error names every server that failed or whose verdict fails the check.
func ReviewChanges(ctx context.Context, opts ReviewOptions) error {
	baseFiles, baseErrs := registry.Load(opts.BaseRegistry)
	for _, err := range baseErrs {
		// The base is what was merged before; its broken files are not
		// this change's, and their servers are reviewed as new.
		opts.Logger.Warn("base registry: file not loaded", "err", err)
	}
	// The base's allow-list: a change cannot allow its own findings.
	allow, err := loadAllowList(opts.BaseRegistry)
	if err != nil {
		return err
	}
	headFiles, headErrs := registry.Load(opts.Registry)
	reviews, err := reviewChangeSet(ctx, opts, baseFiles, headFiles, allow)
	if err != nil {
		return err
	}
	for _, cr := range reviews {
		if cr.err == nil {
			cr.err = reportChange(opts, cr.change, cr.rev)
		}
		if cr.err != nil {
			headErrs = append(headErrs, cr.err)
		}
	}
	return errors.Join(headErrs...)
}

// changeReview is one server a registry change moves, reviewed, or err
// saying why its review could not run.
type changeReview struct {
	change ServerChange
	rev    *reviewed
	err    error
}

// reviewChangeSet is the one planner of registry-change reviews, whatever
// the two views come from (two checkouts, or a PR's files read from
// GitHub): every server RegistryChanges finds between base and head is
// reviewed with the base's allow-list, in name order. A server whose
// review cannot run carries its error; the others go on.
func reviewChangeSet(ctx context.Context, opts ReviewOptions, base, head []*registry.File, allow config.Allow) ([]changeReview, error) {
	changes := RegistryChanges(base, head)
	opts.Logger.Info("registry changes to review", "servers", len(changes))
	if len(changes) == 0 {
		return nil, nil
	}
	// Opened only when there is something to review.
	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	out := make([]changeReview, 0, len(changes))
	for _, c := range changes {
		if c.Kind == ChangeInvalid {
			out = append(out, invalidReview(c))
			continue
		}
		q := changeRequest(c)
		q.allowed = allowancesFor(allow, c.Server)
		prog := startProgress(opts.Progress, opts.Logger, opts.ProgressEvery, time.Now, 0)
		prog.working(phaseReviewing, c.Server)
		rev, err := reviewServer(ctx, opts, cache, q)
		prog.end()
		out = append(out, changeReview{change: c, rev: rev, err: err})
	}
	return out, nil
}

// invalidReview is the review of a change no review can stand for: its
// error, published as an incomplete, failing review.
func invalidReview(c ServerChange) changeReview {
	return changeReview{change: c, err: fmt.Errorf("%s: %s", c.Server, c.Problem)}
}

// changeRequest is the review a registry change asks for.
func changeRequest(c ServerChange) reviewRequest {
	q := reviewRequest{server: c.Server, src: *c.New, head: c.New.Commit, full: c.Full()}
	if !q.full {
		q.base = c.Old.Commit
	}
	if c.Kind == ChangeProject {
		q.project = &review.ProjectChange{From: upstreamOf(c.Old), To: upstreamOf(c.New)}
	}
	return q
}

// upstreamOf names the repository a source builds from, with the
// upstream it tracks when that differs.
func upstreamOf(s *registry.Source) string {
	if s.Upstream != "" && s.Upstream != s.Project {
		return s.Project + " (upstream " + s.Upstream + ")"
	}
	return s.Project
}

// reportChange prints and writes one change's report, and returns an
// error for a failing verdict.
func reportChange(opts ReviewOptions, c ServerChange, rev *reviewed) error {
	if opts.Output != "" {
		if err := review.WriteOutput(filepath.Join(opts.Output, c.Server), rev.result, rev.meta); err != nil {
			return fmt.Errorf("%s: writing the report: %w", c.Server, err)
		}
	}
	opts.Logger.Info("reviewed", "server", c.Server, "change", string(c.Kind), "risk", rev.result.Risk.String(), "blocked", rev.result.Blocked, "findings", len(rev.result.Findings))
	if _, err := io.WriteString(opts.Stdout, rev.result.Markdown(rev.meta)+"\n"); err != nil {
		return err
	}
	if rev.result.CheckConclusion(opts.FailOn) == review.ConclusionFailure {
		return fmt.Errorf("%s: %w: %s (--fail-on %s)", c.Server, ErrReviewFailed, rev.result.Summary(), failOnName(opts.FailOn))
	}
	return nil
}
