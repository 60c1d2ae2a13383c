package upstream

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/internal/redact"
	"github.com/mcp-registry/updater/gitops/internal/retry"
	"github.com/mcp-registry/updater/registry/valid"
)

// Resolve modes: how the upstream head is asked for.
const (
	ResolveGit  = "git"  // git ref listing, for every upstream
	ResolveAPI  = "api"  // GitHub commits API for github.com branches; git for the rest
	ResolveAuto = "auto" // api when a GitHub client is at hand, else git
)

// CheckResolveMode validates a --resolve value ("" means auto).
func CheckResolveMode(mode string) error {
	switch mode {
	case "", ResolveGit, ResolveAPI, ResolveAuto:
		return nil
	}
	return fmt.Errorf("resolve mode %q: want git, api or auto", mode)
}

// Upstream is one server's source as the registry states it.
type Upstream struct {
	Project string // source.project, e.g. https://github.com/owner/repo
	Branch  string // source.branch; "" = the upstream's default branch
	Pin     string // source.commit, the current pin (the API's ETag)
}

// HeadAPI is a forge's API asked for the commit a branch points at, in
// the api and auto modes. The github package implements it for GitHub.
type HeadAPI interface {
	// CommitSHA returns the commit ref ("HEAD" for the default branch) of
	// owner/repo points at. lastSHA, when set, is sent as the ETag:
	// notModified says the ref still points there.
	CommitSHA(ctx context.Context, owner, repo, ref, lastSHA string) (sha string, notModified bool, err error)
	// Transient says whether an error CommitSHA returned is worth another
	// try soon (rate limits are not: the transport waits for those).
	Transient(err error) bool
	// NotFound says the branch or repository is unknown to the API.
	NotFound(err error) bool
}

// ResolverOptions configures a Resolver. Zero values mean the defaults.
type ResolverOptions struct {
	Mode string // git, api or auto (""): see the Resolve* constants
	// Timeout bounds one upstream, all attempts and waits included
	// (default 60s).
	Timeout time.Duration
	// Attempts is the number of tries per upstream for transient failures
	// (default 3).
	Attempts int
	// Backoff is the base wait between tries (default 250ms, doubling,
	// jittered).
	Backoff time.Duration
	// GitHub is used by the api and auto modes; nil means git only.
	GitHub HeadAPI
	// GitHubHost is the web host whose projects GitHub can answer for
	// (default "github.com"; set it for GitHub Enterprise).
	GitHubHost string
	// List bounds each ref listing (its Timeout defaults to one attempt's
	// share of Timeout).
	List   ListOptions
	Logger *slog.Logger
}

// Resolver finds where each upstream's followed ref points now. It is safe
// for concurrent use; callers bound the parallelism.
type Resolver struct {
	opts   ResolverOptions
	policy retry.RetryPolicy
	log    *slog.Logger
}

// Defaults for ResolverOptions.
const (
	DefaultResolveTimeout  = 60 * time.Second
	DefaultResolveAttempts = 3
	DefaultResolveBackoff  = 250 * time.Millisecond
)

// NewResolver returns a Resolver; an invalid Mode makes every Resolve fail
// (check it first with CheckResolveMode).
func NewResolver(opts ResolverOptions) *Resolver {
	if opts.Mode == "" {
		opts.Mode = ResolveAuto
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultResolveTimeout
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultResolveAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultResolveBackoff
	}
	if opts.GitHubHost == "" {
		opts.GitHubHost = "github.com"
	}
	attemptTimeout := opts.Timeout / time.Duration(opts.Attempts)
	if opts.List.Timeout <= 0 || opts.List.Timeout > attemptTimeout {
		opts.List.Timeout = attemptTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Resolver{opts: opts, log: log}
	r.policy = retry.RetryPolicy{
		Attempts:       opts.Attempts,
		Initial:        opts.Backoff,
		Max:            8 * opts.Backoff,
		AttemptTimeout: attemptTimeout,
		MaxRetryAfter:  opts.Timeout / 2,
	}
	return r
}

// Resolve finds where u's followed ref points now. Everything that merely
// prevents a bump (a pull-request ref, a deleted branch) is a Resolution
// with Frozen set; errors are for upstreams that could not be asked or
// answered nonsense, and name the project without credentials.
func (r *Resolver) Resolve(ctx context.Context, u Upstream) (Resolution, error) {
	if err := CheckResolveMode(r.opts.Mode); err != nil {
		return Resolution{}, err
	}
	if _, err := parseUpstream(u.Project); err != nil {
		return Resolution{}, err
	}
	if u.Branch != "" {
		if err := validateBranch(u.Branch); err != nil {
			return Resolution{}, upstreamError(u.Project, "resolve", err)
		}
		if isPullRequestRef(u.Branch) {
			// Frozen whatever the upstream says: no question needed.
			return Resolution{Kind: KindBranch, Ref: u.Branch, Frozen: fmt.Sprintf(frozenPullRequest, u.Branch)}, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()

	if owner, repo, ok := r.apiEligible(u); ok {
		res, err := r.resolveAPI(ctx, u, owner, repo)
		if err == nil {
			return res, nil
		}
		if !apiFallbackOK(r.opts.GitHub, r.opts.Mode, err) {
			return Resolution{}, upstreamError(u.Project, "resolve via GitHub API", err)
		}
		r.log.Debug("GitHub API could not resolve; asking git", "project", RedactURL(u.Project), "err", redact.RedactError(err))
	}
	return r.resolveGit(ctx, u)
}

// apiEligible says whether u is resolved through the commits API: a
// branch or default-branch server on the GitHub host, in api or auto mode,
// with a client. Tags always go through git: the API cannot list them in
// version order in one cheap call.
func (r *Resolver) apiEligible(u Upstream) (owner, repo string, ok bool) {
	if r.opts.Mode == ResolveGit || r.opts.GitHub == nil || looksLikeTag(u.Branch) {
		return "", "", false
	}
	return githubRepo(u.Project, r.opts.GitHubHost)
}

// apiFallbackOK decides whether a failed API resolution is asked again
// over git. An unknown branch or repository always is: git tells a
// deleted branch (frozen) from a deleted repository (error). In auto mode
// anything else is too (rate limits, outages); in api mode the operator
// asked for the API, so its failure is the answer.
func apiFallbackOK(api HeadAPI, mode string, err error) bool {
	if api.NotFound(err) {
		return true
	}
	return mode == ResolveAuto
}

func (r *Resolver) resolveAPI(ctx context.Context, u Upstream, owner, repo string) (Resolution, error) {
	res := Resolution{Kind: KindBranch, Via: "api"}
	ref := strings.TrimPrefix(u.Branch, "refs/heads/")
	if u.Branch == "" {
		res.Kind, ref = KindDefaultBranch, "HEAD"
		res.Ref = "HEAD"
	} else {
		res.Ref = "refs/heads/" + ref
	}
	lastSHA := ""
	if valid.FullSHA(u.Pin) {
		lastSHA = strings.ToLower(u.Pin)
	}
	p := r.policy
	p.Retryable = r.opts.GitHub.Transient
	p.OnRetry = r.logRetry(u.Project)
	err := retry.Retry(ctx, p, func(ctx context.Context) error {
		sha, notModified, err := r.opts.GitHub.CommitSHA(ctx, owner, repo, ref, lastSHA)
		if notModified && lastSHA != "" {
			// GitHub answers 304 to the ETag when nothing moved, free of
			// rate limit.
			res.Commit = lastSHA
			return nil
		}
		if err != nil {
			return err
		}
		sha = strings.TrimSpace(sha)
		if !valid.FullSHA(sha) {
			return retry.Permanent(fmt.Errorf("GitHub answered %q, not a commit SHA", printableText(sha, 80)))
		}
		res.Commit = strings.ToLower(sha)
		return nil
	})
	return res, err
}

func (r *Resolver) resolveGit(ctx context.Context, u Upstream) (Resolution, error) {
	var refs *Refs
	p := r.policy
	p.OnRetry = r.logRetry(u.Project)
	err := retry.Retry(ctx, p, func(ctx context.Context) error {
		var err error
		refs, err = ListRefs(ctx, u.Project, r.opts.List)
		return err
	})
	if err != nil {
		return Resolution{}, upstreamError(u.Project, "list refs", err)
	}
	res, err := SelectRef(refs, u.Branch)
	if err != nil {
		return Resolution{}, upstreamError(u.Project, "select ref", err)
	}
	res.Via = "git"
	return res, nil
}

func (r *Resolver) logRetry(project string) func(int, error, time.Duration) {
	return func(attempt int, err error, wait time.Duration) {
		r.log.Info("upstream failed, retrying", "project", RedactURL(project),
			"attempt", attempt, "wait", wait.Round(time.Millisecond), "err", redact.RedactError(err))
	}
}

var (
	ghNameRE   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	ghOwnerRE  = regexp.MustCompile(`^[A-Za-z0-9-]{1,39}$`)
	dotGitTail = ".git"
)

// githubRepo splits https://<host>/owner/repo[.git][/] into owner and
// repo; anything else (other hosts or ports, deeper paths, credentials)
// is not ok. host may carry a port (a loopback GitHub in tests).
func githubRepo(project, host string) (owner, repo string, ok bool) {
	u, err := url.Parse(project)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return "", "", false
	}
	h, host := strings.ToLower(u.Host), strings.ToLower(host)
	if h != host && h != "www."+host {
		return "", "", false
	}
	path := strings.TrimSuffix(strings.Trim(u.Path, "/"), dotGitTail)
	owner, repo, found := strings.Cut(path, "/")
	if !found || !ghOwnerRE.MatchString(owner) || !ghNameRE.MatchString(repo) || repo == "." || repo == ".." {
		return "", "", false
	}
	return owner, repo, true
}
