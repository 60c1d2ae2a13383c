package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream"
)

// tagHistory is a history that also reads tag messages.
type tagHistory struct {
	history
	notes upstream.ReleaseNotes
}

func (h tagHistory) TagNotes(ctx context.Context, project, from, to string, max int) (upstream.ReleaseNotes, error) {
	return h.notes, nil
}

// fakeReleases are GitHub releases by tag.
type fakeReleases map[string]string

func (f fakeReleases) WebHost() string { return "github.com" }
func (f fakeReleases) ReleaseNote(ctx context.Context, owner, repo, tag string) (string, bool, error) {
	if owner != "stripe" || repo != "agent-toolkit" {
		return "", false, fmt.Errorf("asked about %s/%s", owner, repo)
	}
	if tag == "v1.3.0" {
		return "", false, errors.New("502")
	}
	body, ok := f[tag]
	return body, ok, nil
}

// TestReleaseNotesPreferGitHubReleases: an upstream on GitHub's host gets
// each tag's release body; a tag without a release, or whose release
// cannot be read, keeps its tag message.
func TestReleaseNotesPreferGitHubReleases(t *testing.T) {
	d := bumpOf("")
	d.oldBranch, d.Branch = "v1.0.0", "v1.3.0"
	p := &pass{opts: &Options{}, log: slog.New(slog.DiscardHandler), deps: &deps{
		history: tagHistory{notes: upstream.ReleaseNotes{Total: 12, Notes: []upstream.TagNote{
			{Tag: "v1.3.0", Message: "tag three"}, {Tag: "v1.2.0", Message: "tag two"}, {Tag: "v1.1.0", Message: "tag one"},
		}}},
		releases: fakeReleases{"v1.2.0": "## Release two\n- @someone fixed <b>it</b>"},
	}}
	got := releaseNotesSection(p.releaseNotesOf(context.Background(), d))
	for _, want := range []string{
		"### Release notes (12 releases)\n\n",
		"**`v1.3.0`** (tag message):\n\n```text\ntag three\n```\n",
		"**`v1.2.0`** (GitHub release):\n\n```text\n## Release two\n- @someone fixed <b>it</b>\n```\n",
		"**`v1.1.0`** (tag message):\n\n```text\ntag one\n```\n",
		"_… and 9 more releases._",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("section lacks %q:\n%s", want, got)
		}
	}

	// A branch bump has no release notes.
	d.Branch = ""
	if rn := p.releaseNotesOf(context.Background(), d); rn != nil {
		t.Errorf("a branch bump got notes %+v", rn)
	}
}

func TestReleaseNoteIsCapped(t *testing.T) {
	long := strings.Repeat("y", 3*maxReleaseNote)
	got := releaseNotesSection(&releaseNotes{total: 1, notes: []releaseNote{{tag: "v2", text: long}}})
	if n := strings.Count(got, "y"); n > maxReleaseNote || !strings.Contains(got, "[truncated]") {
		t.Errorf("%d bytes of one release's notes kept, want at most %d and a mark", n, maxReleaseNote)
	}
	if got := releaseNotesSection(&releaseNotes{err: errors.New("unreachable")}); !strings.Contains(got, "could not be listed") {
		t.Errorf("an unlisted range: %q", got)
	}
}
