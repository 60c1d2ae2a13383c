package updater

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/review"
)

// ReviewOptions configure `updater review`: the differential review of one
// server's upstream range, run by hand.
type ReviewOptions struct {
	Registry   string
	Server     string
	Base, Head string // the range: old pin .. new pin
	Full       bool   // review all the code at Head (default: the pin); no Base
	// BaseRegistry, when set, is the registry before a change (a PR's
	// base): every server Registry changes is reviewed (ReviewChanges).
	BaseRegistry string
	// PR, when set, is a pull request to the registry read from GitHub:
	// every server it adds or changes is reviewed (ReviewPR).
	PR       int
	Artifact string // with PR: write the results artifact here, publish nothing
	DryRun   bool   // with PR: print the reports, publish nothing
	// CommentAuthor is the login the write token comments as, to find the
	// report comments of an earlier run (DefaultCommentAuthor).
	CommentAuthor string
	GitHub        GitHubOptions
	Output        string        // write report.md and labels.txt here; "" = only print
	FailOn        review.FailOn // lowest risk that fails the review (ErrReviewFailed); zero = review.DefaultFailOn
	Review        ReviewMode    // builtin or command
	ReviewerCmd   string
	ReviewTimeout time.Duration
	Agent         AgentOptions // the agent's sandbox and inference proxy
	CacheDir      string
	Timeout       time.Duration // for resolving the followed ref
	Stdout        io.Writer
	Logger        *slog.Logger
	Progress      io.Writer     // a terminal: a live "reviewing <server>" line; nil = progress records in the log
	ProgressEvery time.Duration // least time between progress records; 0 = DefaultProgressEvery
}

// ReviewRange reviews Base..Head of a server's upstream (with Full, all
// the code at Head), prints the report
// to Stdout and writes it to Output. It returns ErrReviewFailed when the
// verdict is a failing check (blocked, or a risk at or above FailOn), so
// a CI job can gate on the exit code as the bot's check gates a PR.
func ReviewRange(ctx context.Context, opts ReviewOptions) error {
	commandDefaults(&opts.Registry, &opts.Stdout, &opts.Logger)
	if opts.Review == "" {
		opts.Review = ReviewBuiltin
	}
	switch {
	case opts.PR != 0 && (opts.BaseRegistry != "" || opts.Server != "" || opts.Base != "" || opts.Head != "" || opts.Full):
		return Usagef("--pr reviews what the pull request holds: no --base-registry, --server, --base, --head or --full")
	case opts.PR == 0 && (opts.Artifact != "" || opts.DryRun):
		return Usagef("--artifact and --dry-run go with --pr")
	case opts.BaseRegistry != "" && (opts.Server != "" || opts.Base != "" || opts.Head != "" || opts.Full):
		return Usagef("--base-registry reviews what the registry change holds: no --server, --base, --head or --full")
	case opts.Review != ReviewBuiltin && opts.Review != ReviewCommand:
		return Usagef("--review %q: want builtin or command", opts.Review)
	case opts.Review == ReviewCommand && opts.ReviewerCmd == "":
		return Usagef("--review command needs --reviewer-cmd")
	}
	if err := checkAgentSandbox(ctx, opts.Review, opts.Agent); err != nil {
		return err
	}
	switch {
	case opts.PR != 0:
		return ReviewPR(ctx, opts)
	case opts.BaseRegistry != "":
		return ReviewChanges(ctx, opts)
	case opts.Server == "":
		return Usagef("missing --server")
	case opts.Full && opts.Base != "":
		return Usagef("--full takes no --base: it reviews all the code at --head (default: the pin)")
	case opts.Full && opts.Head != "" && !registry.ValidCommit(opts.Head):
		return Usagef("--head must be a 40-hex lowercase SHA")
	case !opts.Full && (!registry.ValidCommit(opts.Base) || !registry.ValidCommit(opts.Head)):
		return Usagef("missing --base and --head, 40-hex lowercase SHAs (or --full)")
	}
	f, err := registry.LoadFile(opts.Registry, opts.Server)
	if errors.Is(err, fs.ErrNotExist) {
		return Usagef("unknown server %q", opts.Server)
	}
	if err != nil {
		return err
	}
	if !f.LocallyBuilt() {
		return Usagef("server %s is not built from source: nothing to review", opts.Server)
	}
	if problems := fileProblems(f); problems != "" {
		return errors.New(problems)
	}
	src := f.Server.Source
	if opts.Full && opts.Head == "" {
		opts.Head = src.Commit
	}
	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return err
	}
	allow, err := loadAllowList(opts.Registry)
	if err != nil {
		return err
	}
	prog := startProgress(opts.Progress, opts.Logger, opts.ProgressEvery, time.Now, 0)
	prog.working(phaseReviewing, opts.Server)
	rev, err := reviewServer(ctx, opts, cache, reviewRequest{server: opts.Server, src: *src, base: opts.Base, head: opts.Head, full: opts.Full,
		allowed: allowancesFor(allow, opts.Server)})
	prog.end()
	if err != nil {
		return err
	}
	report := rev.result.Markdown(rev.meta)
	if opts.Output != "" {
		if err := review.WriteOutput(opts.Output, rev.result, rev.meta); err != nil {
			return fmt.Errorf("%s: writing the report: %w", opts.Server, err)
		}
	}
	opts.Logger.Info("reviewed", "server", opts.Server, "risk", rev.result.Risk.String(), "blocked", rev.result.Blocked, "findings", len(rev.result.Findings))
	if _, err := io.WriteString(opts.Stdout, report); err != nil {
		return err
	}
	if c := rev.result.CheckConclusion(opts.FailOn); c == review.ConclusionFailure {
		return fmt.Errorf("%s: %w: %s (--fail-on %s)", opts.Server, ErrReviewFailed, rev.result.Summary(), failOnName(opts.FailOn))
	}
	return nil
}

// failOnName names the threshold in effect (the default for zero).
func failOnName(f review.FailOn) string {
	if f == 0 {
		f = review.DefaultFailOn
	}
	return f.String()
}

// reviewRequest is one server's review by hand: base..head of src, or
// with full all the code at head; project, when set, the registry change
// that moved the server to another repository.
type reviewRequest struct {
	server     string
	src        registry.Source
	base, head string
	full       bool
	project    *review.ProjectChange
	allowed    []review.Allowance // the server's accepted findings
}

// reviewServer resolves the server's followed ref, checks its build inputs
// at head and reviews, as a pass would for a bump.
func reviewServer(ctx context.Context, opts ReviewOptions, cache *upstream.Cache, q reviewRequest) (*reviewed, error) {
	src := q.src
	// The followed ref is fetched; Base and Head are fetched by SHA when it
	// does not reach them (a rewritten history).
	res, ref, err := resolveFollowed(ctx, &src, opts.Timeout, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.server, err)
	}
	// A range whose end does not exist upstream is a bad argument, not a
	// range to report as "could not be inspected".
	ends := []string{q.head}
	if !q.full {
		ends = []string{q.base, q.head}
	}
	missing, err := cache.MissingCommits(ctx, src.Project, ref, ends...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.server, err)
	}
	for _, sha := range missing {
		flag := "--head"
		if sha == q.base && !q.full {
			flag = "--base"
		}
		return nil, Usagef("%s: %s %s: no such commit upstream (%s)", q.server, flag, sha, upstream.RedactURL(src.Project))
	}
	// What a pass would know about this bump beyond its range: the build
	// inputs at the head, and whether the pinned tag moved.
	ropts := review.Options{ProjectChanged: q.project, Allowed: q.allowed}
	if res.PinnedTagCommit != "" && res.PinnedTagCommit != src.Commit {
		ropts.TagMoved = &review.TagMove{Tag: src.Branch, Pinned: src.Commit, Now: res.PinnedTagCommit}
	}
	checkFrom := q.base
	if q.full {
		checkFrom = q.head // no range: the build inputs at the head only
	}
	directory, dockerfile := src.Directory, src.Dockerfile
	bc, err := cache.CheckBuild(ctx, src.Project, ref, checkFrom, q.head, upstream.BuildInputs{Directory: src.Directory, Dockerfile: src.Dockerfile})
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: checking the build inputs: %w", q.server, err)
	case bc.Problem != "":
		ropts.BuildBroken = bc.Problem
	case bc.Directory != "":
		directory = bc.Directory
		opts.Logger.Warn("source.directory moved upstream", "server", q.server, "from", src.Directory, "to", bc.Directory)
	}
	if bc.Problem == "" && bc.Dockerfile != "" {
		dockerfile = bc.Dockerfile
	}
	r := reviewer{history: cache, mode: opts.Review, cmd: opts.ReviewerCmd, timeout: opts.ReviewTimeout, fetchTimeout: opts.Timeout, failOn: opts.FailOn, agent: opts.Agent, log: opts.Logger}
	_, rev := r.review(ctx, reviewSubject{
		server: q.server, project: src.Project, ref: ref, directory: directory, dockerfile: dockerfile, base: q.base, head: q.head, opts: ropts, full: q.full,
	})
	return rev, nil
}
