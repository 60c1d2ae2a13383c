package updater

import (
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry/valid"
	"github.com/mcp-registry/updater/updater/review"
)

// Options configure one pass (`updater run`) and every pass of the daemon.
// The command line fills them; zero values get the documented defaults
// from Defaults.
type Options struct {
	Registry string // registry root: holds servers/<name>/server.yaml
	// RegistryFromBase reads the servers from the registry's base branch
	// as fetched for the pass, instead of Registry (the daemon's way).
	RegistryFromBase bool
	Servers          []string // restrict the pass to these servers (empty: all)
	Shard            Shard    // this job's share of the servers
	DryRun           bool     // resolve and plan, write nothing
	Preview          bool     // with DryRun: also inspect, review and show each PR the pass would send

	Concurrency int                  // upstreams resolved at once
	Timeout     time.Duration        // per upstream, all attempts together
	Resolve     upstream.ResolveMode // git, api or auto

	MaxNewPRs    int           // PRs created per pass; 0 = no cap
	MinAge       time.Duration // cooldown: propose only commits at least this old
	BaseBranch   string        // registry branch PRs target; "" = the repo's default branch
	BranchPrefix string        // bot branches are <prefix><server>
	Labels       []string      // added to every bot PR
	GitAuthor    string        // "Name <email>" of the bot's commits
	CommitVia    CommitVia     // git (push with go-git) or api (Git Data API, verified commits)
	CacheDir     string        // upstream and registry clones, reused between passes

	Review        ReviewMode    // builtin, command, dispatch or off
	ReviewerCmd   string        // the agent command for --review command
	ReviewTimeout time.Duration // for the agent
	Agent         AgentOptions  // the agent's sandbox and inference proxy
	ReviewRepo    string        // owner/name receiving repository_dispatch for --review dispatch
	ReportDir     string        // where review reports are written (an Actions artifact); "" = none
	FailOn        review.FailOn // lowest risk failing the security-review check; zero = review.DefaultFailOn

	JSON    bool   // print the report as one JSON document instead of a table
	Summary string // also write the Markdown summary to this file

	// NoDashboard turns the dashboard issue off; StaleAfter is how old a
	// pinned commit must be for the dashboard to call it stale while its
	// upstream moved (see dashboardstep.go).
	NoDashboard bool
	StaleAfter  time.Duration
	// TickedOnly restricts the pass to the servers ticked on the
	// dashboard by people with write access (the issues: edited workflow).
	TickedOnly bool

	GitHub GitHubOptions

	Stdout   io.Writer
	Progress io.Writer // a terminal: one live progress line; nil = progress records in the log instead
	Logger   *slog.Logger
	Now      func() time.Time

	// ProgressEvery is the least time between progress records in the
	// log; 0 = DefaultProgressEvery.
	ProgressEvery time.Duration
	// LogServerErrors also logs each failing server as one record with
	// the server as an attribute (JSON logs, for machines); people read
	// the error once, in the table.
	LogServerErrors bool
}

// GitHubOptions are where the registry lives and how to write to it. They
// come from the environment GitHub Actions already sets.
type GitHubOptions struct {
	Repository  string        // owner/name of the registry repository
	APIURL      string        // https://api.github.com, or GHES/emulator base
	ServerURL   string        // https://github.com: clone URLs are <ServerURL>/<Repository>.git
	Token       string        // never logged; from GITHUB_TOKEN or a file
	AppID       int64         // GitHub App alternative to Token
	AppKey      []byte        // PEM private key of the App
	MaxWait     time.Duration // longest rate-limit wait; past it the server is deferred
	WritePause  time.Duration // pause between content-creating requests; 0 = none
	StepSummary string        // $GITHUB_STEP_SUMMARY
}

// Shard is the I/N share of servers a job handles: every server falls in
// exactly one shard, by a stable hash of its name.
type Shard struct{ Index, Count int }

// ParseShard reads "I/N" (1-based index). Its errors say what is wanted,
// not where the value came from: the caller names the flag or variable.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.Index, &sh.Count); err != nil || fmt.Sprintf("%d/%d", sh.Index, sh.Count) != s {
		return Shard{}, Usagef("want I/N, e.g. 2/5")
	}
	if sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, Usagef("want I/N with 1 <= I <= N, e.g. 2/5")
	}
	return sh, nil
}

func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// DefaultOptions returns every option at its default: the one place the
// defaults are declared. The command line registers its flags with these
// values, and Defaults fills zero fields from them.
func DefaultOptions() Options {
	return Options{
		Registry:      ".",
		Concurrency:   16,
		Timeout:       upstream.DefaultResolveTimeout,
		Resolve:       upstream.ResolveAuto,
		BranchPrefix:  "updater/pin-",
		Labels:        []string{"pin-update"},
		GitAuthor:     "mcp-registry-updater <updater-bot@users.noreply.github.com>",
		CommitVia:     CommitViaGit,
		Review:        ReviewBuiltin,
		ReviewTimeout: 15 * time.Minute,
		StaleAfter:    90 * 24 * time.Hour,
		ProgressEvery: DefaultProgressEvery,
		GitHub: GitHubOptions{
			APIURL:     github.DefaultGitHubAPIURL,
			ServerURL:  "https://github.com",
			MaxWait:    github.DefaultMaxWait,
			WritePause: github.DefaultWritePause,
		},
	}
}

// Defaults fills zero fields from DefaultOptions, except WritePause, whose
// zero means no pause.
func (o *Options) Defaults() {
	d := DefaultOptions()
	if o.Concurrency <= 0 {
		o.Concurrency = d.Concurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.Resolve == "" {
		o.Resolve = d.Resolve
	}
	if o.BranchPrefix == "" {
		o.BranchPrefix = d.BranchPrefix
	}
	if o.Labels == nil {
		o.Labels = d.Labels
	}
	if o.GitAuthor == "" {
		o.GitAuthor = d.GitAuthor
	}
	if o.CommitVia == "" {
		o.CommitVia = d.CommitVia
	}
	if o.Review == "" {
		o.Review = d.Review
	}
	if o.ReviewTimeout <= 0 {
		o.ReviewTimeout = d.ReviewTimeout
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = d.StaleAfter
	}
	if o.GitHub.APIURL == "" {
		o.GitHub.APIURL = d.GitHub.APIURL
	}
	if o.GitHub.ServerURL == "" {
		o.GitHub.ServerURL = d.GitHub.ServerURL
	}
	if o.GitHub.MaxWait <= 0 {
		o.GitHub.MaxWait = d.GitHub.MaxWait
	}
	commandDefaults(&o.Registry, &o.Stdout, &o.Logger)
	if o.Now == nil {
		o.Now = time.Now
	}
}

// commandDefaults fills what every command shares: the registry root
// (".") and where output and logs go (nowhere).
func commandDefaults(registry *string, stdout *io.Writer, logger **slog.Logger) {
	if *registry == "" {
		*registry = "."
	}
	if *stdout == nil {
		*stdout = io.Discard
	}
	if *logger == nil {
		*logger = slog.New(slog.DiscardHandler)
	}
}

// Check reports options that cannot work together as a usage error.
func (o *Options) Check() error {
	if err := upstream.CheckResolveMode(o.Resolve); err != nil {
		return Usagef("--%v", err)
	}
	switch o.CommitVia {
	case CommitViaGit, CommitViaAPI:
	default:
		return Usagef("--commit-via %q: want git or api", o.CommitVia)
	}
	switch o.Review {
	case ReviewBuiltin, ReviewOff, ReviewDispatch:
	case ReviewCommand:
		if strings.TrimSpace(o.ReviewerCmd) == "" {
			return Usagef("--review command needs --reviewer-cmd")
		}
	default:
		return Usagef("--review %q: want builtin, command, dispatch or off", o.Review)
	}
	if o.Review == ReviewDispatch && !validRepo(o.ReviewRepo) {
		return Usagef("--review dispatch needs --review-repo owner/name")
	}
	if o.TickedOnly && (o.NoDashboard || len(o.Servers) > 0) {
		return Usagef("--ticked-only takes its servers from the dashboard: not with --server or --no-dashboard")
	}
	if o.MaxNewPRs < 0 {
		return Usagef("--max-new-prs must not be negative")
	}
	if o.MinAge < 0 {
		return Usagef("--min-age must not be negative")
	}
	if _, err := mail.ParseAddress(o.GitAuthor); err != nil {
		return Usagef("--git-author %q: want \"Name <email>\"", o.GitAuthor)
	}
	if !strings.HasSuffix(o.BranchPrefix, "-") && !strings.HasSuffix(o.BranchPrefix, "/") {
		return Usagef("--branch-prefix %q must end in - or /", o.BranchPrefix)
	}
	if o.GitHub.Repository != "" && !validRepo(o.GitHub.Repository) {
		return Usagef("GITHUB_REPOSITORY %q: want owner/name", o.GitHub.Repository)
	}
	if !o.DryRun {
		if o.GitHub.Repository == "" {
			return Usagef("a pass that writes needs GITHUB_REPOSITORY (owner/name of the registry); use --dry-run to only plan")
		}
		if o.GitHub.Token == "" && o.GitHub.AppID == 0 {
			return Usagef("a pass that writes needs GITHUB_TOKEN (or --token-file, or a GitHub App); use --dry-run to only plan")
		}
	}
	return nil
}

func validRepo(s string) bool {
	_, _, ok := valid.Repository(s)
	return ok
}
