package updater

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// ValidateOptions configure `updater validate`.
type ValidateOptions struct {
	Registry string // registry root: holds servers/<name>/server.yaml; "" = "."
	Stdout   io.Writer
	Logger   *slog.Logger
	// Servers restricts the check to these servers (empty: all); an
	// unknown name is a usage error.
	Servers []string
	// Online also proves each pin upstream through OnlineCheck (by
	// default the upstream cache under CacheDir).
	Online      bool
	OnlineCheck PinChecker
	CacheDir    string
}

// PinChecker proves a pin online: commit exists in project and is on
// branch (the default branch when empty), and the build inputs exist at
// it. gitops implements it.
type PinChecker interface {
	CheckPin(ctx context.Context, project, branch, commit string) error
	CheckBuild(ctx context.Context, project, ref, base, head string, in upstream.BuildInputs) (upstream.BuildCheck, error)
}

// onlineChecks bounds the upstreams asked at once by validate --online.
const onlineChecks = 8

// Validate loads every server.yaml of the registry and checks it, printing
// one line per problem ("servers/x/server.yaml:12: source.commit "abc" is
// not a 40-hex SHA") and a summary line. It returns ErrServersFailed when
// any file is invalid, and a *UsageError when the registry directory
// cannot be used at all or --online cannot run.
func Validate(ctx context.Context, opts ValidateOptions) error {
	commandDefaults(&opts.Registry, &opts.Stdout, &opts.Logger)
	if opts.Online && opts.OnlineCheck == nil {
		cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
		if err != nil {
			return err
		}
		opts.OnlineCheck = cache
	}

	files, loadErrs := registry.Load(opts.Registry)
	names := map[string]bool{} // every server of the registry, whatever --server says
	for _, f := range files {
		names[f.Name] = true
	}
	for _, err := range loadErrs {
		names[serverOfError(err)] = true
	}
	if len(opts.Servers) > 0 {
		var err error
		if files, loadErrs, err = onlyServers(files, loadErrs, opts.Servers); err != nil {
			return err
		}
	}
	var problems []*registry.FileError
	for _, err := range loadErrs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			return &UsageError{Msg: err.Error()}
		}
		problems = append(problems, fe)
	}
	var valid []*registry.File
	for _, f := range files {
		p := registry.Validate(f)
		if len(p) == 0 {
			valid = append(valid, f)
		}
		problems = append(problems, p...)
	}
	raw, configFound, err := readConfigFile(opts.Registry)
	if err != nil {
		configFound = true
		problems = append(problems, configProblems(err)...)
	} else if configFound {
		c, err := config.Parse(config.Path, raw)
		if err == nil {
			err = c.Allow.CheckRules(config.Path, review.AllowableRule) // the rule ids are the review's
		}
		if err != nil {
			problems = append(problems, configProblems(err)...)
		}
		problems = append(problems, c.UnknownServers(config.Path, func(n string) bool { return names[n] })...)
	}
	if opts.Online {
		online, err := checkPinsOnline(ctx, opts.OnlineCheck, valid, opts.Logger)
		if err != nil {
			return err
		}
		problems = append(problems, online...)
	}

	// Report in file order, and within a file in line order; problems
	// with no line (0) come first.
	slices.SortStableFunc(problems, func(a, b *registry.FileError) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
	invalid := map[string]bool{}
	for _, p := range problems {
		fmt.Fprintln(opts.Stdout, p)
		invalid[p.Path] = true
	}
	// Every load error is one file that did not load.
	total := len(files) + len(loadErrs)
	if configFound {
		total++
	}
	fmt.Fprintf(opts.Stdout, "%d file%s: %d valid, %d invalid\n", total, plural(total), total-len(invalid), len(invalid))
	opts.Logger.Debug("validated registry", "registry", opts.Registry, "files", total, "invalid", len(invalid), "online", opts.Online)
	if len(invalid) > 0 {
		return fmt.Errorf("%d of %d files invalid: %w", len(invalid), total, ErrServersFailed)
	}
	return nil
}

// onlyServers keeps the files and load errors of the named servers.
func onlyServers(files []*registry.File, loadErrs []error, names []string) ([]*registry.File, []error, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := map[string]bool{}
	var keptFiles []*registry.File
	for _, f := range files {
		if want[f.Name] {
			keptFiles = append(keptFiles, f)
			found[f.Name] = true
		}
	}
	var keptErrs []error
	for _, err := range loadErrs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			keptErrs = append(keptErrs, err) // the registry itself: reported as usage
			continue
		}
		if name := serverOfError(err); want[name] {
			keptErrs = append(keptErrs, err)
			found[name] = true
		}
	}
	var unknown []string
	for _, n := range names {
		if !found[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, nil, Usagef("unknown server(s): %s", strings.Join(unknown, ", "))
	}
	return keptFiles, keptErrs, nil
}

// checkPinsOnline proves the pin of every pinned file upstream, a few at a
// time, and returns one problem per pin that fails. Only the context's end
// stops it early.
func checkPinsOnline(ctx context.Context, checker PinChecker, files []*registry.File, log *slog.Logger) ([]*registry.FileError, error) {
	results := make([]*registry.FileError, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(onlineChecks)
	checked := 0
	for i, f := range files {
		if !f.Pinned() {
			continue
		}
		checked++
		src := f.Server.Source
		g.Go(func() error {
			if err := checker.CheckPin(gctx, src.Project, src.Branch, src.Commit); err != nil {
				if ctxErr := gctx.Err(); ctxErr != nil {
					return ctxErr
				}
				log.Debug("pin check failed", "server", f.Name, "err", err)
				results[i] = &registry.FileError{
					Path: f.Path,
					Line: f.Line("source.commit"),
					Err:  fmt.Errorf("source.commit %s: %w", src.Commit, err),
				}
				return nil
			}
			// The pin is fetched by now (by SHA where no ref reaches it).
			bc, err := checker.CheckBuild(gctx, src.Project, "", src.Commit, src.Commit,
				upstream.BuildInputs{Directory: src.Directory, Dockerfile: src.Dockerfile})
			if ctxErr := gctx.Err(); ctxErr != nil {
				return ctxErr
			}
			key := "source.directory"
			if src.Directory == "" {
				key = "source.dockerfile"
			}
			switch {
			case err != nil:
				results[i] = &registry.FileError{Path: f.Path, Line: f.Line(key), Err: fmt.Errorf("checking the build inputs at %s: %w", src.Commit, err)}
			case bc.Problem != "":
				if strings.HasPrefix(bc.Problem, "source.dockerfile") {
					key = "source.dockerfile"
				}
				results[i] = &registry.FileError{Path: f.Path, Line: f.Line(key), Err: errors.New(bc.Problem)}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("validate --online: %w", err)
	}
	log.Info("checked pins upstream", "servers", checked)
	var problems []*registry.FileError
	for _, r := range results {
		if r != nil {
			problems = append(problems, r)
		}
	}
	return problems, nil
}

// configProblems splits config.Parse's joined error into its problems.
func configProblems(err error) []*registry.FileError {
	var out []*registry.FileError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, configProblems(e)...)
		}
		return out
	}
	var fe *registry.FileError
	if errors.As(err, &fe) {
		return []*registry.FileError{fe}
	}
	return []*registry.FileError{{Path: config.Path, Err: err}}
}
