package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/internal/redact"
	"github.com/mcp-registry/updater/registry/valid"
)

// DefaultGitHubAPIURL is GitHub.com's API, GITHUB_API_URL's default.
const DefaultGitHubAPIURL = "https://api.github.com"

// Defaults of GitHubConfig that the command line shows too.
const (
	DefaultMaxWait    = 5 * time.Minute // MaxWait when zero
	DefaultWritePause = time.Second     // the command line's --write-pause
)

// GitHubConfig configures the client of the registry repository on GitHub.
// Exactly one of Token and (AppID, AppKeyPEM) authenticates it. Zero
// durations and sizes mean the defaults documented on each field.
type GitHubConfig struct {
	// APIURL is GITHUB_API_URL: "" means https://api.github.com; any other
	// base (GitHub Enterprise, a test emulator) is used with the path as
	// given, e.g. https://ghe.example.com/api/v3.
	APIURL string
	// Repository is the registry repository, "owner/name" (GITHUB_REPOSITORY).
	Repository string

	// Token is a personal, Actions or installation token. The caller reads
	// it from the environment or a file, never from a flag.
	Token string
	// AppID and AppKeyPEM authenticate as a GitHub App: the client signs a
	// JWT with the key, finds the App's installation on Repository and
	// uses (and refreshes) installation tokens.
	AppID     int64
	AppKeyPEM []byte

	UserAgent string // default "mcp-registry-updater"

	Timeout          time.Duration // per attempt, default 30s
	MaxResponseBytes int64         // response body cap, default 10 MiB
	Retries          int           // extra attempts, default 4; negative: none
	RetryBase        time.Duration // first backoff, default 500ms, doubling, jittered
	// MaxWait bounds the time spent waiting on rate limits for one
	// request; past it the request fails with *RateLimitError. Default
	// DefaultMaxWait.
	MaxWait time.Duration
	// WritePause separates content-creating requests (POST, PATCH, PUT,
	// DELETE), which also run one at a time. Zero or negative: none (the
	// command line's default is DefaultWritePause).
	WritePause time.Duration

	// Transport is the underlying HTTP transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// GitHub is a client of the registry repository on GitHub: pull requests,
// labels, comments, checks, dispatches and the Git Data API. Every method
// takes a context first and returns errors that name the repository and
// never contain a token. Safe for concurrent use.
type GitHub struct {
	client      *github.Client
	api         *apiTransport
	owner, name string

	// token returns the current token: the configured one, or a fresh
	// App installation token. Git pushes use it too.
	token func(context.Context) (string, error)

	mu            sync.Mutex
	defaultBranch string
}

// splitRepository validates "owner/name" the way GitHub names repositories.
func splitRepository(full string) (owner, name string, err error) {
	owner, name, ok := valid.Repository(full)
	if !ok {
		return "", "", fmt.Errorf("repository %q: want owner/name", full)
	}
	return owner, name, nil
}

// parseAPIURL validates GITHUB_API_URL and returns it with a trailing slash,
// as go-github's BaseURL requires.
func parseAPIURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultGitHubAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("GitHub API URL: %w", redact.RedactError(err))
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("GitHub API URL %q: want http(s)://host[/path] without credentials or query", redact.Redact(raw))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// ConfigError is a GitHubConfig that cannot work (a malformed repository,
// API URL or App key, conflicting credentials): the operator's to fix.
// NewGitHub's other errors come from reaching GitHub.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "github: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// NewGitHub builds the client. With App credentials it exchanges them for
// an installation token at once, so a bad key or a missing installation is
// reported before any work starts.
func NewGitHub(ctx context.Context, cfg GitHubConfig) (*GitHub, error) {
	owner, name, err := splitRepository(cfg.Repository)
	if err != nil {
		return nil, &ConfigError{err}
	}
	base, err := parseAPIURL(cfg.APIURL)
	if err != nil {
		return nil, &ConfigError{err}
	}
	useApp := cfg.AppID != 0 || len(cfg.AppKeyPEM) > 0
	switch {
	case useApp && cfg.Token != "":
		return nil, &ConfigError{errors.New("configure either a token or a GitHub App, not both")}
	case useApp && (cfg.AppID <= 0 || len(cfg.AppKeyPEM) == 0):
		return nil, &ConfigError{errors.New("a GitHub App needs both its id and its private key")}
	case !useApp && cfg.Token == "":
		return nil, &ConfigError{errors.New("no token and no GitHub App configured")}
	}
	redact.AddSecret(cfg.Token)

	api := newAPITransport(cfg)
	newClient := func(token func(context.Context) (string, error)) *github.Client {
		c := github.NewClient(&http.Client{Transport: &authTransport{next: api, token: token}})
		c.BaseURL = base
		c.UploadURL = base
		c.UserAgent = cfg.UserAgent
		if c.UserAgent == "" {
			c.UserAgent = "mcp-registry-updater"
		}
		return c
	}
	g := &GitHub{api: api, owner: owner, name: name}
	if !useApp {
		token := cfg.Token
		g.token = func(context.Context) (string, error) { return token, nil }
		g.client = newClient(g.token)
		return g, nil
	}
	signer, err := newAppSigner(cfg.AppID, cfg.AppKeyPEM)
	if err != nil {
		return nil, &ConfigError{err}
	}
	tokens := &installationTokens{apps: newClient(signer.token), owner: owner, name: name}
	g.token = tokens.token
	g.client = newClient(tokens.token)
	if _, err := tokens.token(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

func newAPITransport(cfg GitHubConfig) *apiTransport {
	t := &apiTransport{
		base:       cfg.Transport,
		timeout:    orDefault(cfg.Timeout, 30*time.Second),
		maxBody:    cfg.MaxResponseBytes,
		retries:    cfg.Retries,
		backoff:    orDefault(cfg.RetryBase, 500*time.Millisecond),
		maxWait:    orDefault(cfg.MaxWait, DefaultMaxWait),
		writePause: cfg.WritePause,
		writeSlot:  make(chan struct{}, 1),
	}
	if t.base == nil {
		t.base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if t.maxBody <= 0 {
		t.maxBody = 10 << 20
	}
	switch {
	case t.retries == 0:
		t.retries = 4
	case t.retries < 0:
		t.retries = 0
	}
	if t.writePause < 0 {
		t.writePause = 0
	}
	return t
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// authTransport sets the Authorization header from a token source on a
// copy of each request.
type authTransport struct {
	next  http.RoundTripper
	token func(context.Context) (string, error)
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.token(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r)
}

// Token is the token requests are made with now (an App's installation
// token is refreshed as it nears expiry), for git pushes to the registry.
func (g *GitHub) Token(ctx context.Context) (string, error) { return g.token(ctx) }

// Client is the configured go-github client (authentication, retries, rate
// limits and pacing included), for calls this type does not wrap, such as
// the resolver's Repositories.GetCommitSHA1.
func (g *GitHub) Client() *github.Client { return g.client }

// Repository returns the registry repository's owner and name.
func (g *GitHub) Repository() (owner, name string) { return g.owner, g.name }

// Requests returns the traffic counters so far.
func (g *GitHub) Requests() RequestStats { return g.api.stats() }

// fail wraps an error of an operation on the registry repository: it names
// the repository and the operation, and carries no secret.
func (g *GitHub) fail(op string, err error) error {
	return redact.RedactError(fmt.Errorf("github %s/%s: %s: %w", g.owner, g.name, op, said(err)))
}

// statusOf returns the HTTP status of a go-github error, 0 if it has none.
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// errorMentions reports whether a go-github error's message or one of its
// detailed errors contains text (GitHub's 422s say what failed there).
func errorMentions(err error, text string) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	text = strings.ToLower(text)
	if strings.Contains(strings.ToLower(er.Message), text) {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(strings.ToLower(e.Message), text) {
			return true
		}
	}
	return false
}
