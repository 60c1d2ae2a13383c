package updater

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// A tag bump's PR carries the notes of every release it crosses: from the
// GitHub release of each tag for upstreams on the GitHub API's host, else
// (and for tags without a release) the annotated tag's message. Notes are
// untrusted text: fenced, capped per release and in number.
const (
	maxListedReleases = 10
	maxReleaseNote    = 2000 // bytes of one release's notes
)

// tagNoter reads annotated tag messages (upstream.Cache).
type tagNoter interface {
	TagNotes(ctx context.Context, project, fromTag, toTag string, max int) (upstream.ReleaseNotes, error)
}

// releaseReader reads GitHub releases (github.HeadAPI).
type releaseReader interface {
	ReleaseNote(ctx context.Context, owner, repo, tag string) (body string, found bool, err error)
	WebHost() string
}

// releaseNotes are the releases a bump crosses, newest first.
type releaseNotes struct {
	notes []releaseNote
	total int
	err   error // the releases could not be listed
}

type releaseNote struct {
	tag, text string
	release   bool // text is the GitHub release's body, not the tag message
}

// releaseNotesOf reads the notes of a bump from one release tag to a
// newer one; nil for any other bump.
func (p *pass) releaseNotesOf(ctx context.Context, d *Decision) *releaseNotes {
	tn, ok := p.deps.history.(tagNoter)
	if d.Branch == "" || d.oldBranch == "" || !ok {
		return nil
	}
	if p.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.opts.Timeout)
		defer cancel()
	}
	found, err := tn.TagNotes(ctx, d.project, d.oldBranch, d.Branch, maxListedReleases)
	if err != nil {
		p.log.Warn("cannot read the release notes", "server", d.Server, "err", err)
		return &releaseNotes{err: err}
	}
	out := &releaseNotes{total: found.Total}
	owner, repo, onGitHub := "", "", false
	if r := p.deps.releases; r != nil && r.WebHost() != "" {
		owner, repo, onGitHub = upstream.GitHubRepo(d.project, r.WebHost())
	}
	for _, n := range found.Notes {
		note := releaseNote{tag: n.Tag, text: n.Message}
		if onGitHub {
			body, ok, err := p.deps.releases.ReleaseNote(ctx, owner, repo, n.Tag)
			if err != nil {
				p.log.Warn("cannot read a GitHub release; using the tag message", "server", d.Server, "tag", n.Tag, "err", err)
			} else if ok {
				note.text, note.release = body, true
			}
		}
		out.notes = append(out.notes, note)
	}
	return out
}

// releaseNotesSection renders the notes for the PR body.
func releaseNotesSection(rn *releaseNotes) string {
	if rn == nil {
		return ""
	}
	var b strings.Builder
	if rn.err != nil {
		b.WriteString("### Release notes\n\n_The releases in this range could not be listed; read them upstream before merging._\n\n")
		return b.String()
	}
	if rn.total == 0 {
		return ""
	}
	fmt.Fprintf(&b, "### Release notes (%d release%s)\n\n", rn.total, plural(rn.total))
	for _, n := range rn.notes {
		switch {
		case strings.TrimSpace(n.text) == "":
			fmt.Fprintf(&b, "**%s**: no notes.\n\n", mdsafe.Code(n.tag, maxCode))
		case n.release:
			fmt.Fprintf(&b, "**%s** (GitHub release):\n\n%s\n", mdsafe.Code(n.tag, maxCode), mdsafe.Fenced(n.text, maxReleaseNote))
		default:
			fmt.Fprintf(&b, "**%s** (tag message):\n\n%s\n", mdsafe.Code(n.tag, maxCode), mdsafe.Fenced(n.text, maxReleaseNote))
		}
	}
	if more := rn.total - len(rn.notes); more > 0 {
		fmt.Fprintf(&b, "_… and %d more release%s._\n\n", more, plural(more))
	}
	return b.String()
}
