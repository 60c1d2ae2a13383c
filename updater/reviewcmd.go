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
	Registry      string
	Server        string
	Base, Head    string // the range: old pin .. new pin
	Output        string // write report.md and labels.txt here; "" = only print
	Review        string // builtin or command
	ReviewerCmd   string
	ReviewTimeout time.Duration
	Agent         AgentOptions // the agent's sandbox and inference proxy
	CacheDir      string
	Timeout       time.Duration // for resolving the followed ref
	Stdout        io.Writer
	Logger        *slog.Logger
}

// ReviewRange reviews Base..Head of a server's upstream, prints the report
// to Stdout and writes it to Output. The risk does not change the exit
// code: the report and labels.txt carry it.
func ReviewRange(ctx context.Context, opts ReviewOptions) error {
	commandDefaults(&opts.Registry, &opts.Stdout, &opts.Logger)
	if opts.Review == "" {
		opts.Review = "builtin"
	}
	switch {
	case opts.Server == "":
		return Usagef("review needs --server")
	case !registry.ValidCommit(opts.Base) || !registry.ValidCommit(opts.Head):
		return Usagef("review needs --base and --head as 40-hex lowercase SHAs")
	case opts.Review != "builtin" && opts.Review != "command":
		return Usagef("--review %q: want builtin or command", opts.Review)
	case opts.Review == "command" && opts.ReviewerCmd == "":
		return Usagef("--review command needs --reviewer-cmd")
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
	src := f.Server.Source

	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return err
	}
	// The followed ref is fetched; Base and Head are fetched by SHA when it
	// does not reach them (a rewritten history).
	res, err := upstream.NewResolver(upstream.ResolverOptions{Mode: upstream.ResolveGit, Timeout: opts.Timeout, Logger: opts.Logger}).
		Resolve(ctx, upstream.Upstream{Project: src.Project, Branch: src.Branch, Pin: src.Commit})
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Server, err)
	}
	ref := res.Ref
	if res.Frozen != "" || ref == "" {
		ref = "HEAD"
	}
	r := reviewer{history: cache, mode: opts.Review, cmd: opts.ReviewerCmd, timeout: opts.ReviewTimeout, agent: opts.Agent, log: opts.Logger}
	_, rev := r.review(ctx, reviewSubject{
		server: opts.Server, project: src.Project, ref: ref, directory: src.Directory, base: opts.Base, head: opts.Head,
	})
	report := rev.result.Markdown(rev.meta)
	if opts.Output != "" {
		if err := review.WriteOutput(opts.Output, rev.result, rev.meta); err != nil {
			return fmt.Errorf("%s: writing the report: %w", opts.Server, err)
		}
	}
	opts.Logger.Info("reviewed", "server", opts.Server, "risk", rev.result.Risk.String(), "blocked", rev.result.Blocked, "findings", len(rev.result.Findings))
	_, err = io.WriteString(opts.Stdout, report)
	return err
}
