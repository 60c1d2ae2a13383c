package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
)

// connect builds the real dependencies of a pass from the options: the
// upstream resolver and cache always; GitHub when a token or App is
// configured; the registry remote when the pass writes.
func connect(ctx context.Context, opts *Options) (*deps, error) {
	d := &deps{}
	var gh *github.GitHub
	if opts.GitHub.Repository != "" && (opts.GitHub.Token != "" || opts.GitHub.AppID != 0) {
		var err error
		if gh, err = newGitHub(ctx, opts.GitHub); err != nil {
			return nil, err
		}
		base, err := checkCredentials(ctx, gh, opts)
		var usage *UsageError
		switch {
		case errors.As(err, &usage):
			return nil, err
		case err != nil && opts.BaseBranch == "" && !opts.DryRun:
			return nil, fmt.Errorf("finding the registry's default branch: %w", err)
		case opts.BaseBranch == "":
			opts.BaseBranch = base
		}
		d.forge = gh
		d.merger = gh
		d.issues = gh
		d.stats = func() *APIStats {
			s := gh.Requests()
			return &APIStats{Reads: int(s.Reads), Writes: int(s.Writes), Retries: int(s.Retries), Waits: int(s.RateLimitWaits), LongestWait: s.LongestWait.String()}
		}
	}

	ropts := upstream.ResolverOptions{Mode: opts.Resolve, Timeout: opts.Timeout, Logger: opts.Logger}
	if gh != nil {
		ropts.GitHub = gh.HeadAPI()
		d.releases = gh.HeadAPI()
	}
	d.resolver = upstream.NewResolver(ropts)

	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	d.history = cache

	if gh == nil || opts.DryRun {
		return d, nil
	}
	cacheDir, err := cacheRoot(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	author, _ := mail.ParseAddress(opts.GitAuthor) // checked by Options.Check
	token, err := gh.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("GitHub token: %w", err)
	}
	remote, err := github.OpenRegistryRemote(ctx, github.RemoteConfig{
		URL:          strings.TrimSuffix(opts.GitHub.ServerURL, "/") + "/" + opts.GitHub.Repository + ".git",
		Token:        token,
		CacheDir:     filepath.Join(cacheDir, "registry"),
		BaseBranch:   opts.BaseBranch,
		BranchPrefix: opts.BranchPrefix,
		Author:       github.CommitAuthor{Name: author.Name, Email: author.Address},
	})
	if err != nil {
		return nil, fmt.Errorf("fetching the registry repository: %w", err)
	}
	d.remote = remote
	return d, nil
}

// newGitHub is the registry repository's client: a bad configuration is a
// usage error.
func newGitHub(ctx context.Context, o GitHubOptions) (*github.GitHub, error) {
	if o.APIURL == "" {
		o.APIURL = github.DefaultGitHubAPIURL
	}
	gh, err := github.NewGitHub(ctx, github.GitHubConfig{
		APIURL:     o.APIURL,
		Repository: o.Repository,
		Token:      o.Token,
		AppID:      o.AppID,
		AppKeyPEM:  o.AppKey,
		MaxWait:    o.MaxWait,
		WritePause: o.WritePause,
	})
	var ce *github.ConfigError
	if errors.As(err, &ce) {
		return nil, Usagef("%w", err)
	}
	if rejected := credentialsRejected(o, err); rejected != nil {
		return nil, rejected
	}
	if err != nil {
		// Reaching GitHub (an App's token exchange) failed: not
		// something the command line can fix.
		return nil, err
	}
	return gh, nil
}

// openUpstreamCache opens the upstream clones under --cache-dir (or the
// user cache dir), shared by passes, validate --online and review.
func openUpstreamCache(dir string, log *slog.Logger) (*upstream.Cache, error) {
	root, err := cacheRoot(dir)
	if err != nil {
		return nil, err
	}
	cache, err := upstream.NewCache(filepath.Join(root, "upstreams"), upstream.CacheOptions{Logger: log})
	if err != nil {
		return nil, Usagef("--cache-dir: %v", err)
	}
	return cache, nil
}

// cacheRoot is --cache-dir, or updater's folder in the user cache dir.
func cacheRoot(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", Usagef("no --cache-dir given and no user cache directory: %v", err)
	}
	return filepath.Join(base, "mcp-registry-updater"), nil
}

// resolveFollowed resolves the ref a server follows over git, for the
// commands that work on one server by hand (pin, review). fetchRef is the
// ref to fetch its history through: "HEAD" when the ref is frozen.
func resolveFollowed(ctx context.Context, src *registry.Source, timeout time.Duration, log *slog.Logger) (res upstream.Resolution, fetchRef string, err error) {
	res, err = upstream.NewResolver(upstream.ResolverOptions{Mode: upstream.ResolveGit, Timeout: timeout, Logger: log}).
		Resolve(ctx, upstream.Upstream{Project: src.Project, Branch: src.Branch, Pin: src.Commit})
	if err != nil {
		return res, "", err
	}
	fetchRef = res.Ref
	if res.Frozen != "" || fetchRef == "" {
		fetchRef = "HEAD"
	}
	return res, fetchRef, nil
}
