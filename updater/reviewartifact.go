package updater

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"github.com/mcp-registry/updater/updater/review"
)

// The results artifact of the fork-safe two-workflow pattern: `review
// --pr N --artifact DIR` (a pull_request workflow: read-only token, no
// secrets) writes it; `review publish` (a workflow_run workflow with a
// write token, which never checks out the PR) reads it back as untrusted
// input and validates all of it before any write.

// ArtifactSchema is the results artifact's schema version.
const ArtifactSchema = 1

// ArtifactFile is the one file of a results artifact directory.
const ArtifactFile = "review-results.json"

// Caps on an artifact: the whole file, and each field (GitHub's own
// limits on a check run's output and a comment, less room for the marker).
const (
	maxArtifactBytes   = 5 << 20
	maxArtifactServers = 200
	maxVerdictTitle    = 1000
	maxVerdictSummary  = 65535
	maxVerdictReport   = 65000
)

// ReviewArtifact is the results artifact: what one run reviewed, for
// which PR and head.
type ReviewArtifact struct {
	Schema  int             `json:"schema"`
	PR      int             `json:"pr"`
	HeadSHA string          `json:"head_sha"`
	BaseSHA string          `json:"base_sha"`
	Servers []ServerVerdict `json:"servers"`
}

// WriteReviewArtifact writes the artifact as dir/ArtifactFile, and
// nothing else.
func WriteReviewArtifact(dir string, a ReviewArtifact) error {
	if a.Servers == nil {
		a.Servers = []ServerVerdict{}
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if len(data) > maxArtifactBytes {
		return fmt.Errorf("review artifact: %d bytes, over the %d byte cap", len(data), maxArtifactBytes)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("review artifact: %w", err)
	}
	return registry.WriteFileAtomic(filepath.Join(dir, ArtifactFile), append(data, '\n'))
}

// ErrBadArtifact is a results artifact refused before any write.
var ErrBadArtifact = errors.New("review artifact refused")

func badArtifact(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArtifact, fmt.Sprintf(format, args...))
}

// ReadReviewArtifact reads dir/ArtifactFile: a regular file (not a
// symlink) within the size cap, strict JSON of the known schema (unknown
// fields and trailing data refused). Other entries of dir are ignored:
// only the one file is ever opened.
func ReadReviewArtifact(dir string) (ReviewArtifact, error) {
	var a ReviewArtifact
	root, err := os.OpenRoot(dir)
	if err != nil {
		return a, badArtifact("%v", err)
	}
	defer root.Close()
	fi, err := root.Lstat(ArtifactFile)
	switch {
	case err != nil:
		return a, badArtifact("%v", err)
	case !fi.Mode().IsRegular():
		return a, badArtifact("%s is not a regular file (%s)", ArtifactFile, fi.Mode().Type())
	case fi.Size() > maxArtifactBytes:
		return a, badArtifact("%s: %d bytes, over the %d byte cap", ArtifactFile, fi.Size(), maxArtifactBytes)
	}
	f, err := root.Open(ArtifactFile)
	if err != nil {
		return a, badArtifact("%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxArtifactBytes+1))
	if err != nil {
		return a, badArtifact("%v", err)
	}
	return decodeReviewArtifact(data)
}

// decodeReviewArtifact is the strict decoding of an artifact's bytes.
func decodeReviewArtifact(data []byte) (ReviewArtifact, error) {
	var a ReviewArtifact
	if len(data) > maxArtifactBytes {
		return a, badArtifact("%s: over the %d byte cap", ArtifactFile, maxArtifactBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, badArtifact("%s: %v", ArtifactFile, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return a, badArtifact("%s: data after the document", ArtifactFile)
	}
	return a, nil
}

// riskLabels are the only labels an artifact may ask for.
func riskLabel(l string) bool {
	if l == review.LabelBlocked {
		return true
	}
	sev, ok := strings.CutPrefix(l, review.LabelRiskPrefix)
	if !ok {
		return false
	}
	s, err := review.ParseSeverity(sev)
	return err == nil && s.String() == sev
}

// checkArtifact validates an artifact against what the publishing run
// knows from elsewhere: the PR number and head SHA of the triggering
// event (never the artifact's word), and the servers the PR's files
// change as RegistryChanges classifies them (every one must have its
// verdict, no other may). Report Markdown is not checked but re-sanitized
// (sanitizeVerdict).
func checkArtifact(a ReviewArtifact, pr int, head string, want map[string]ChangeKind) error {
	switch {
	case a.Schema != ArtifactSchema:
		return badArtifact("schema %d, want %d", a.Schema, ArtifactSchema)
	case a.PR != pr:
		return badArtifact("it is for pull request #%d, the triggering run for #%d", a.PR, pr)
	case a.HeadSHA != head:
		return badArtifact("it is for head %.40q, the triggering run for %s", a.HeadSHA, head)
	case !registry.ValidCommit(a.BaseSHA):
		return badArtifact("base %.40q is not a commit SHA", a.BaseSHA)
	case len(a.Servers) > maxArtifactServers:
		return badArtifact("%d servers, over the cap of %d", len(a.Servers), maxArtifactServers)
	}
	seen := map[string]bool{}
	for i, v := range a.Servers {
		if !registry.ValidName(v.Server) {
			return badArtifact("server %d: %.100q is not a server name", i, v.Server)
		}
		if err := checkVerdict(v, want, seen); err != nil {
			return badArtifact("server %s: %v", v.Server, err)
		}
		seen[v.Server] = true
	}
	for name := range want {
		if !seen[name] {
			return badArtifact("server %s: the pull request changes it, the artifact has no verdict for it", name)
		}
	}
	return nil
}

func checkVerdict(v ServerVerdict, want map[string]ChangeKind, seen map[string]bool) error {
	kind, ok := want[v.Server]
	switch {
	case seen[v.Server]:
		return errors.New("listed twice")
	case !ok:
		return errors.New("not a server this pull request adds or changes")
	case v.Change != string(kind):
		return fmt.Errorf("change %.40q, the pull request's is %s", v.Change, kind)
	case !slices.Contains([]review.Conclusion{review.ConclusionFailure, review.ConclusionNeutral, review.ConclusionSuccess}, review.Conclusion(v.Conclusion)):
		return fmt.Errorf("conclusion %.40q is not failure, neutral or success", v.Conclusion)
	case len(v.Title) > maxVerdictTitle || len(v.Summary) > maxVerdictSummary || len(v.Report) > maxVerdictReport:
		return errors.New("a title, summary or report over its cap")
	case len(v.Labels) == 0 || len(v.Labels) > 2:
		return fmt.Errorf("%d labels, want a risk label and at most security-blocked", len(v.Labels))
	}
	risk, err := review.ParseSeverity(v.Risk)
	if err != nil || risk.String() != v.Risk {
		return fmt.Errorf("risk %.40q is not a severity", v.Risk)
	}
	for _, l := range v.Labels {
		if !riskLabel(l) {
			return fmt.Errorf("label %.100q is not one of the review's labels", l)
		}
	}
	// The labels say what risk and blocked say, and a blocked or
	// critical verdict cannot be passed off as anything but a failure.
	if !slices.Equal(v.Labels, (&review.Result{Risk: risk, Blocked: v.Blocked}).Labels()) {
		return fmt.Errorf("labels %q do not match risk %s (blocked %v)", v.Labels, v.Risk, v.Blocked)
	}
	if (v.Blocked || risk == review.Critical) && v.Conclusion != string(review.ConclusionFailure) {
		return fmt.Errorf("a %s verdict (blocked %v) with conclusion %s", v.Risk, v.Blocked, v.Conclusion)
	}
	// The check's title, the line a maintainer reads first, says the same
	// risk and blocked as the labels (checkOf's "Risk: high, 2 findings,
	// blocked").
	if !strings.HasPrefix(v.Title, "Risk: "+v.Risk+", ") || strings.Contains(v.Title, ", blocked") != v.Blocked {
		return fmt.Errorf("title %.100q does not say risk %s (blocked %v)", v.Title, v.Risk, v.Blocked)
	}
	return nil
}

// sanitizeVerdict re-sanitizes an artifact's text with the one sanitizer:
// the report and the check's summary as whole documents, the title as
// prose.
func sanitizeVerdict(v ServerVerdict) ServerVerdict {
	v.Title = mdsafe.Prose(v.Title, maxVerdictTitle) // the bot's own titles pass unchanged
	v.Summary = mdsafe.Document(v.Summary, maxVerdictSummary-100)
	v.Report = mdsafe.Document(v.Report, maxVerdictReport-100)
	return v
}

// PublishOptions configure `updater review publish`.
type PublishOptions struct {
	Artifact      string // the downloaded artifact directory
	PR            int    // from the triggering event, never from the artifact
	HeadSHA       string // likewise
	CommentAuthor string
	GitHub        GitHubOptions
	Logger        *slog.Logger
}

// PublishReviewArtifact validates a results artifact against the PR as
// GitHub shows it and the flags taken from the triggering event, and only
// then publishes it with the bot's one publisher. Refused: a PR that
// changes .github/ (its own review workflow may have made the artifact),
// a PR whose head moved on (its newer run publishes), and any artifact
// checkArtifact refuses. Nothing of the PR is checked out or run: its
// files are read through the API as data.
func PublishReviewArtifact(ctx context.Context, opts PublishOptions) error {
	switch {
	case opts.PR <= 0:
		return Usagef("missing --pr N (from the triggering workflow_run event)")
	case !registry.ValidCommit(opts.HeadSHA):
		return Usagef("missing --head, a 40-hex SHA (from the triggering workflow_run event)")
	case opts.Artifact == "":
		return Usagef("missing --artifact DIR")
	case opts.GitHub.Repository == "" || (opts.GitHub.Token == "" && opts.GitHub.AppID == 0):
		return Usagef("publishing writes to GitHub: set GITHUB_REPOSITORY and GITHUB_TOKEN (or --token-file, or a GitHub App)")
	}
	if opts.CommentAuthor == "" {
		opts.CommentAuthor = DefaultCommentAuthor
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := ReadReviewArtifact(opts.Artifact)
	if err != nil {
		return err
	}
	gh, err := newGitHub(ctx, opts.GitHub)
	if err != nil {
		return err
	}
	return publishArtifact(ctx, gh, opts, a)
}

// artifactForge is what publishing an artifact reads and writes.
type artifactForge interface {
	prReader
	prWriter
}

func publishArtifact(ctx context.Context, gh artifactForge, opts PublishOptions, a ReviewArtifact) error {
	view, err := readPR(ctx, gh, opts.PR)
	if errors.Is(err, errHeadMoved) {
		opts.Logger.Warn("the pull request moved on while it was read: its newer run publishes", "pr", opts.PR, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	if view.pr.HeadSHA != opts.HeadSHA {
		opts.Logger.Warn("the pull request moved on since this review: its newer run publishes", "pr", opts.PR, "reviewed", opts.HeadSHA, "head", view.pr.HeadSHA)
		return nil
	}
	if view.touchesGitHubDir {
		// Nothing of the artifact is published, but an earlier head's
		// verdict must not stand for this one: the review labels become
		// pending, a write made from GitHub's own data only.
		if err := (reviewPublisher{w: gh}).replaceRiskLabels(ctx, opts.PR, view.pr.Labels, []string{review.LabelPending}); err != nil {
			return fmt.Errorf("pull request #%d: marking the review pending: %w", opts.PR, err)
		}
		return badArtifact("pull request #%d changes .github/: its own workflows may have made this artifact; review it by hand (updater review --pr %d)", opts.PR, opts.PR)
	}
	want := map[string]ChangeKind{}
	for _, c := range append(RegistryChanges(view.base, view.head), view.invalid...) {
		want[c.Server] = c.Kind
	}
	if err := checkArtifact(a, opts.PR, opts.HeadSHA, want); err != nil {
		return err
	}
	verdicts := make([]ServerVerdict, len(a.Servers))
	for i, v := range a.Servers {
		verdicts[i] = sanitizeVerdict(v)
	}
	if err := publishVerdicts(ctx, gh, opts.CommentAuthor, view.pr, verdicts); err != nil {
		return fmt.Errorf("pull request #%d: %w", opts.PR, err)
	}
	opts.Logger.Info("published the review artifact", "pr", opts.PR, "head", opts.HeadSHA, "servers", len(verdicts))
	return nil
}
