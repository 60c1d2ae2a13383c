package updater

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// DefaultCommentAuthor is the login a workflow's GITHUB_TOKEN comments as.
const DefaultCommentAuthor = "github-actions[bot]"

// prReviewMarker identifies one server's report comment on a registry PR,
// so a re-run updates it in place. It differs from the bot's own
// reviewMarker: a PR may change several servers.
func prReviewMarker(server string) string { return "<!-- updater:review server=" + server + " -->" }

// prReader is what reviewing a registry PR reads from GitHub.
type prReader interface {
	GetPull(ctx context.Context, number int) (github.PullRequest, error)
	PullFiles(ctx context.Context, number int) ([]github.PullFile, error)
	FileAt(ctx context.Context, commit, path string) ([]byte, bool, error)
}

// prWriter is what publishing on someone else's PR writes.
type prWriter interface {
	reviewWriter
	UpsertCommentAs(ctx context.Context, number int, author, marker, body string) error
}

// ReviewPR reviews a pull request to the registry, read from GitHub: its
// changed servers/*/server.yaml at the PR's base and head commits are the
// two registry views reviewChangeSet compares, with the base's allow-list.
// Each report is printed; then, by mode:
//   - Artifact: the results artifact is written for `review publish`
//     (a fork's PR: this run's token is read-only);
//   - DryRun: nothing more, and the exit code follows --fail-on;
//   - otherwise the reviews are published on the PR like the bot's own.
//
// When the reviews are carried by an artifact or published, a failing
// verdict is the check's to show, not an error of the command.
func ReviewPR(ctx context.Context, opts ReviewOptions) error {
	if opts.GitHub.Repository == "" || (opts.GitHub.Token == "" && opts.GitHub.AppID == 0) {
		return Usagef("--pr reads the pull request from GitHub: set GITHUB_REPOSITORY and GITHUB_TOKEN (or --token-file, or a GitHub App)")
	}
	gh, err := newGitHub(ctx, opts.GitHub)
	if err != nil {
		return err
	}
	view, err := readPR(ctx, gh, opts.PR)
	if err != nil {
		return err
	}
	reviews, err := reviewChangeSet(ctx, opts, view.base, view.head, view.allow)
	if err != nil {
		return err
	}
	for _, c := range view.invalid {
		reviews = append(reviews, invalidReview(c))
	}
	var errs, failing []error
	verdicts := make([]ServerVerdict, 0, len(reviews))
	for _, cr := range reviews {
		if cr.err != nil {
			// Published as what it is, a review that did not complete
			// (high, failing), never left without a check.
			errs = append(errs, cr.err)
			meta := review.ReportMeta{Server: cr.change.Server, Repository: cr.change.New.Project, Head: cr.change.New.Commit, FailOn: opts.FailOn, Full: cr.change.Full()}
			if !meta.Full {
				meta.Base = cr.change.Old.Commit
			}
			cr.rev = &reviewed{result: review.Incomplete(review.RuleReviewIncomplete, cr.err.Error()), meta: meta}
		}
		if err := reportChange(opts, cr.change, cr.rev); err != nil {
			failing = append(failing, err)
		}
		verdicts = append(verdicts, verdictOf(cr.change, cr.rev, opts.FailOn))
	}
	switch {
	case opts.Artifact != "":
		a := ReviewArtifact{Schema: ArtifactSchema, PR: opts.PR, HeadSHA: view.pr.HeadSHA, BaseSHA: view.pr.BaseSHA, Servers: verdicts}
		if err := WriteReviewArtifact(opts.Artifact, a); err != nil {
			return err
		}
		opts.Logger.Info("wrote the review artifact", "pr", opts.PR, "head", view.pr.HeadSHA, "servers", len(verdicts))
		// What failed is in the artifact (an incomplete review) or is
		// validate's to report (a broken file): the run succeeds so the
		// publisher, which runs only after a successful run, publishes it.
		for _, err := range errs {
			opts.Logger.Warn("reviewed with errors", "err", err)
		}
		return nil
	case opts.DryRun:
		errs = append(errs, failing...)
	default:
		author := opts.CommentAuthor
		if author == "" {
			author = DefaultCommentAuthor
		}
		if err := publishVerdicts(ctx, gh, author, view.pr, verdicts); err != nil {
			return fmt.Errorf("pull request #%d: %w", opts.PR, err)
		}
		opts.Logger.Info("published the reviews", "pr", opts.PR, "servers", len(verdicts))
	}
	return errors.Join(errs...)
}

// prView is a registry PR as its review sees it.
type prView struct {
	pr         github.PullRequest
	base, head []*registry.File
	// invalid are the PR's server files that cannot be read or do not
	// load: each a ChangeInvalid, a failing review of its own, so one
	// broken file neither stops the other servers' reviews nor goes
	// without a verdict.
	invalid []ServerChange
	allow   config.Allow
	// touchesGitHubDir: the PR changes .github/ (workflows, the bot's
	// configuration): an artifact its own workflow made is not trusted.
	touchesGitHubDir bool
}

// readPR reads a PR's changed server files at its base and head commits,
// and the allow-list at its base: a PR cannot allow its own findings.
func readPR(ctx context.Context, src prReader, number int) (*prView, error) {
	pr, err := src.GetPull(ctx, number)
	if err != nil {
		return nil, err
	}
	if !registry.ValidCommit(pr.HeadSHA) || !registry.ValidCommit(pr.BaseSHA) {
		return nil, fmt.Errorf("pull request #%d: GitHub gave no head and base commits", number)
	}
	files, err := src.PullFiles(ctx, number)
	if err != nil {
		return nil, err
	}
	v := &prView{pr: pr}
	base, head := registryView(), registryView()
	read := func(view fstest.MapFS, commit, path string) error {
		data, found, err := src.FileAt(ctx, commit, path)
		if err == nil && found {
			view[path] = &fstest.MapFile{Data: data, Mode: 0o644}
		}
		return err
	}
	var unreadable []error
	for _, f := range files {
		if strings.HasPrefix(f.Path, ".github/") || strings.HasPrefix(f.PreviousPath, ".github/") {
			v.touchesGitHubDir = true
		}
		if _, ok := serverOfPath(f.Path); !ok || f.Status == "removed" {
			continue
		}
		if err := read(head, pr.HeadSHA, f.Path); err != nil {
			// Too big, a symlink, a directory: that server's problem.
			unreadable = append(unreadable, &registry.FileError{Path: f.Path, Err: err})
			continue
		}
		basePath := f.Path
		if f.PreviousPath != "" {
			basePath = f.PreviousPath
		}
		if _, ok := serverOfPath(basePath); ok {
			// A base file that cannot be read leaves the server new:
			// the full review is the wider one.
			_ = read(base, pr.BaseSHA, basePath)
		}
	}
	raw, found, err := src.FileAt(ctx, pr.BaseSHA, config.Path)
	if err != nil {
		return nil, err
	}
	if found {
		if v.allow, err = parseAllowList(raw); err != nil {
			return nil, err
		}
	}
	v.base, _ = registry.LoadFS(base) // the base's broken files are not this PR's: reviewed as new
	var headErrs []error
	v.head, headErrs = registry.LoadFS(head)
	v.invalid = invalidChanges(append(unreadable, headErrs...))
	// The files were listed for the PR's head at the time of the listing:
	// a head that moved meanwhile may hold other files than the ones read.
	again, err := src.GetPull(ctx, number)
	if err != nil {
		return nil, err
	}
	if again.HeadSHA != pr.HeadSHA {
		return nil, fmt.Errorf("pull request #%d: %w (%s → %s); the run for the new head reviews it", number, errHeadMoved, short(pr.HeadSHA), short(again.HeadSHA))
	}
	return v, nil
}

// errHeadMoved is a PR whose head moved while it was being read.
var errHeadMoved = errors.New("its head moved while it was read")

// invalidChanges are the changes of server files that cannot be read or
// loaded, by server, each with its problem.
func invalidChanges(errs []error) []ServerChange {
	var out []ServerChange
	for _, err := range errs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			continue
		}
		if name, ok := serverOfPath(fe.Path); ok {
			out = append(out, ServerChange{Server: name, Kind: ChangeInvalid, New: &registry.Source{}, Problem: fe.Error()})
		}
	}
	return out
}

// registryView is an in-memory registry tree (fstest.MapFS is the
// standard library's read-only fs.FS over a map, fit for data read from
// the API) holding only a servers/ directory so far.
func registryView() fstest.MapFS {
	return fstest.MapFS{"servers": &fstest.MapFile{Mode: fs.ModeDir | 0o755}}
}

// serverOfPath is the server a registry path is the server.yaml of.
func serverOfPath(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "servers/")
	if !ok {
		return "", false
	}
	name, ok := strings.CutSuffix(rest, "/server.yaml")
	if !ok || !registry.ValidName(name) {
		return "", false
	}
	return name, true
}

// ServerVerdict is one server's review of a registry PR as it is
// published: the check, the report comment, the labels. It is also the
// results artifact's entry, so every field is bounded and checked on
// the way back in (ReadReviewArtifact).
type ServerVerdict struct {
	Server     string   `json:"server"`
	Change     string   `json:"change"` // a ChangeKind
	Risk       string   `json:"risk"`
	Blocked    bool     `json:"blocked"`
	Conclusion string   `json:"conclusion"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Report     string   `json:"report"`
	Labels     []string `json:"labels"`
}

// verdictOf is one reviewed change as published.
func verdictOf(c ServerChange, rev *reviewed, failOn review.FailOn) ServerVerdict {
	report := rev.result.Markdown(rev.meta)
	check := checkOf(c.Server, "", rev.result, report, failOn)
	return ServerVerdict{
		Server: c.Server, Change: string(c.Kind), Risk: rev.result.Risk.String(), Blocked: rev.result.Blocked,
		Conclusion: check.Conclusion, Title: check.Title, Summary: check.Summary, Report: report, Labels: rev.result.Labels(),
	}
}

// publishVerdicts publishes a registry PR's reviews with the bot's one
// publisher: a check per server on the head, a report comment per server
// (found again by the token's login and the server's marker), and one
// risk label for the PR, the highest.
func publishVerdicts(ctx context.Context, w prWriter, author string, pr github.PullRequest, verdicts []ServerVerdict) error {
	rp := reviewPublisher{w: w, comment: func(ctx context.Context, number int, marker, body string) (string, error) {
		return "", w.UpsertCommentAs(ctx, number, author, marker, body)
	}}
	var pubs []publishedReview
	var labels [][]string
	for _, v := range verdicts {
		marker := prReviewMarker(v.Server)
		pubs = append(pubs, publishedReview{
			check:   github.Check{Name: checkName(v.Server), Conclusion: v.Conclusion, Title: v.Title, Summary: v.Summary, Text: v.Report},
			marker:  marker,
			comment: marker + "\n" + v.Report,
		})
		labels = append(labels, v.Labels)
	}
	want := combinedLabels(labels)
	// The review's labels get their colour and description when the
	// registry lacks them, as on the bot's own PRs.
	if m, ok := w.(labelMaker); ok {
		for _, name := range want {
			if def, ok := reviewLabelDef(name); ok {
				// Best effort, as in the pass: GitHub creates a label
				// it lacks plain, and the review is not lost for it.
				_, _ = m.EnsureLabel(ctx, def)
			}
		}
	}
	return rp.publish(ctx, pr.Number, pr.HeadSHA, pr.Labels, pubs, want)
}
