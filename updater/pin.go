package updater

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
)

// PinOptions configure `updater pin`: set one server's pin by hand.
type PinOptions struct {
	Registry string // registry root; "" = "."
	Server   string // the server's name (its directory)
	Commit   string // the new pin: 40 lowercase hex digits
	// NoVerify skips asking the upstream whether Commit exists and is
	// reachable from the followed ref (for an upstream out of reach).
	NoVerify bool
	CacheDir string        // cache of upstream clones; "" = the user cache dir
	Timeout  time.Duration // for resolving the followed ref; 0 = the resolver's default
	Stdout   io.Writer
	Logger   *slog.Logger
}

// Pin sets source.commit of one server through registry.SetPin, the same
// rewrite the bot's bumps use, and writes the file atomically. A bad name
// or SHA, an unknown server, one that is not built from source, or (unless
// NoVerify) a commit that does not exist upstream or that the followed ref
// does not reach is a *UsageError; a file that cannot be rewritten is left byte-identical and
// reported as an error naming it.
func Pin(ctx context.Context, opts PinOptions) error {
	commandDefaults(&opts.Registry, &opts.Stdout, &opts.Logger)
	switch {
	case opts.Server == "":
		return Usagef("--server is required")
	case !registry.ValidName(opts.Server):
		return Usagef("--server %q is not a valid server name", opts.Server)
	case opts.Commit == "":
		return Usagef("--commit is required")
	case !registry.ValidCommit(opts.Commit):
		return Usagef("--commit %q is not a full commit SHA (40 lowercase hex digits)", opts.Commit)
	}

	f, err := registry.LoadFile(opts.Registry, opts.Server)
	if err != nil {
		var fe *registry.FileError
		switch {
		case errors.As(err, &fe):
			return err // the server exists but its file is broken
		case errors.Is(err, fs.ErrNotExist):
			return Usagef("unknown server %q: no %s in registry %s", opts.Server, registry.ServerPath(opts.Server), opts.Registry)
		default:
			return &UsageError{Msg: err.Error()}
		}
	}
	if !f.LocallyBuilt() {
		return Usagef("server %q is not built from source (type %s without source.project): it has no pin", f.Name, f.Server.Type)
	}

	out, err := registry.SetPin(f.Raw, registry.Pin{Commit: opts.Commit})
	if err != nil {
		return &registry.FileError{Path: f.Path, Err: fmt.Errorf("cannot rewrite the pin, file left unchanged: %w", err)}
	}
	// The file as it would be written must pass the checks a pass
	// applies (an unknown key anywhere is an error); a problem with the
	// old pin itself is what pin is there to fix.
	if pinned, err := registry.Parse(f.Path, out); err != nil {
		return &registry.FileError{Path: f.Path, Err: fmt.Errorf("cannot rewrite the pin, file left unchanged: %w", err)}
	} else if problems := fileProblems(pinned); problems != "" {
		return errors.New(problems)
	}
	old := f.Server.Source.Commit
	line := f.Line("source.commit")
	if bytes.Equal(out, f.Raw) {
		fmt.Fprintf(opts.Stdout, "%s:%d: source.commit already %s\n", f.Path, line, opts.Commit)
		return nil
	}
	if !opts.NoVerify {
		if err := verifyPin(ctx, opts, f.Server.Source); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := registry.WriteFileAtomic(filepath.Join(opts.Registry, filepath.FromSlash(f.Path)), out); err != nil {
		return err
	}
	fmt.Fprintf(opts.Stdout, "%s:%d: source.commit %s -> %s\n", f.Path, line, old, opts.Commit)
	opts.Logger.Info("pinned", "server", f.Name, "from", old, "to", opts.Commit)
	return nil
}

// verifyFailed wraps an upstream that could not be asked.
const verifyFailed = "%s: verifying --commit upstream (--no-verify skips it): %w"

// verifyPin checks that commit is a commit of the server's upstream and
// that the ref the server follows reaches it: the pin a pass would keep,
// not one it would flag as off the followed history. An upstream that
// cannot be asked is an error (exit 1), a commit it does not have a bad
// argument (exit 2).
func verifyPin(ctx context.Context, opts PinOptions, src *registry.Source) error {
	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return err
	}
	res, ref, err := resolveFollowed(ctx, src, opts.Timeout, opts.Logger)
	if err != nil {
		return fmt.Errorf(verifyFailed, opts.Server, err)
	}
	missing, err := cache.MissingCommits(ctx, src.Project, ref, opts.Commit)
	if err != nil {
		return fmt.Errorf(verifyFailed, opts.Server, err)
	}
	if len(missing) > 0 {
		return Usagef("%s: --commit %s: no such commit upstream (%s)", opts.Server, opts.Commit, upstream.RedactURL(src.Project))
	}
	if res.Commit == "" {
		return nil // a frozen ref (a pull request): nothing to be reachable from
	}
	ok, err := cache.IsAncestor(ctx, src.Project, ref, opts.Commit, res.Commit)
	if err != nil {
		return fmt.Errorf(verifyFailed, opts.Server, err)
	}
	if !ok {
		return Usagef("%s: --commit %s is not reachable from %s (at %s); --no-verify pins it anyway", opts.Server, opts.Commit, res.Ref, res.Commit)
	}
	return nil
}
