package updater

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// marker is the hidden state the bot keeps in its PR body: enough to
// rebuild what a PR proposes without any local database.
type marker struct {
	Server, From, To string
}

var markerRE = regexp.MustCompile(`<!-- updater:server=([A-Za-z0-9._-]+) from=([0-9a-f]{40}) to=([0-9a-f]{40}) -->`)

func (m marker) String() string {
	return fmt.Sprintf("<!-- updater:server=%s from=%s to=%s -->", m.Server, m.From, m.To)
}

// parseMarker finds the bot's marker in a PR body. A body edited by
// people may have lost it: then the PR is treated as proposing nothing
// known, and the next bump updates it. The bot writes its marker last;
// earlier look-alikes come from upstream text (a commit subject, a file
// name) and must not decide what the PR proposes.
func parseMarker(body string) (marker, bool) {
	all := markerRE.FindAllStringSubmatch(body, -1)
	if len(all) == 0 {
		return marker{}, false
	}
	m := all[len(all)-1]
	return marker{Server: m[1], From: m[2], To: m[3]}, true
}

// prTitle is the PR title: `Update <server> pin to <short>`.
// Caps on one piece of untrusted text in a PR body or summary, in bytes
// of input: prose (names, a project URL) and code spans (subjects, paths).
const (
	maxProse = 200
	maxCode  = 120
)

func prTitle(d *Decision) string {
	if d.Branch != "" {
		return fmt.Sprintf("Update %s pin to %s (%s)", d.Server, d.Branch, short(d.Target))
	}
	return fmt.Sprintf("Update %s pin to %s", d.Server, short(d.Target))
}

// commitMessage is the bot's commit on its branch.
func commitMessage(d *Decision, rng *ranges.Range) string {
	n := "unknown number of commits"
	if rng != nil && rng.Comparable() {
		n = fmt.Sprintf("%d commit%s", rng.TotalCommits, plural(rng.TotalCommits))
	}
	what := short(d.Target)
	if d.Branch != "" {
		what = d.Branch + " " + what
	}
	msg := fmt.Sprintf("servers/%s: update pin to %s (%s)\n\nUpstream: %s\nFrom: %s\nTo:   %s\n",
		d.Server, what, n, d.project, d.Current, d.Target)
	if d.Directory != "" {
		msg += fmt.Sprintf("\nsource.directory moved upstream: %s -> %s\n", d.directory, d.Directory)
	}
	if d.Dockerfile != "" {
		msg += fmt.Sprintf("source.dockerfile moved upstream: %s -> %s\n", d.dockerfile, d.Dockerfile)
	}
	return msg
}

// Every list in a PR body is capped ("… and N more"), and the body as a
// whole is bounded: GitHub refuses a body over 65,536 characters, and a
// refused body means a pushed branch without its PR, every night. Bytes
// bound characters, so the cap holds for any text; the marker always fits.
const (
	maxListedCommits = 20
	maxListedAuthors = 50
	maxListedFiles   = 50
	maxBodyBytes     = 60_000
)

// prBody renders what reviewers need to judge the bump: the range with a
// compare link, its commits, authors and files, a loud warning when the
// upstream history was rewritten, and the hidden marker. Everything that
// comes from upstream is untrusted and rendered inert (code spans, no
// mentions, no HTML).
func prBody(d *Decision, rng *ranges.Range) string { return prBodyWith(d, rng, "", "") }

// prBodyWith is prBody with rendered sections before it (head: what
// changed since the last push) and after the range's lists (tail: the
// release notes), all within the body's size cap.
func prBodyWith(d *Decision, rng *ranges.Range, head, tail string) string {
	var b strings.Builder
	b.WriteString(head)
	fmt.Fprintf(&b, "Updates the pin of **%s** (`%s`) from `%s` to `%s`", d.Server, d.Path, short(d.Current), short(d.Target))
	if d.Branch != "" {
		fmt.Fprintf(&b, ", following tag %s → %s", mdsafe.Code(d.oldBranch, maxCode), mdsafe.Code(d.Branch, maxCode))
	}
	b.WriteString(".\n\n")
	if d.Publisher != nil {
		b.WriteString(publisherLine(d.Publisher) + "\n\n")
	}

	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Upstream | %s |\n", mdsafe.CellCode(d.project, maxProse))
	if d.Ref != "" {
		fmt.Fprintf(&b, "| Ref | %s |\n", mdsafe.CellCode(d.Ref, maxCode))
	}
	if d.reviewDirectory() != "" {
		fmt.Fprintf(&b, "| Directory | %s |\n", mdsafe.CellCode(d.reviewDirectory(), maxCode))
	}
	rangeCell := fmt.Sprintf("`%s...%s`", short(d.Current), short(d.Target))
	if link := compareURL(d.project, d.Current, d.Target); link != "" {
		rangeCell = fmt.Sprintf("[%s](%s)", rangeCell, link)
	}
	if rng != nil && rng.Comparable() {
		rangeCell += fmt.Sprintf(" · %d commit%s", rng.TotalCommits, plural(rng.TotalCommits))
	}
	fmt.Fprintf(&b, "| Range | %s |\n\n", rangeCell)
	writeBuildMove(&b, d)
	writeTagMoved(&b, d)

	m := marker{d.Server, d.Current, d.Target}
	if rng == nil {
		b.WriteString("_The upstream range could not be inspected; review the compare link before merging._\n\n")
		return withMarker(b.String()+tail, m)
	}
	if rng.OffLine() {
		fmt.Fprintf(&b, "> [!NOTE]\n> The release `%s` is off the old pin's line (releases cut on their own commits): "+
			"this is not a history rewrite. The commits and files below run from their merge base `%s`.\n\n", short(d.Target), short(rng.MergeBase))
	}
	if !rng.Comparable() {
		b.WriteString("> [!CAUTION]\n")
		if !rng.BaseFound {
			fmt.Fprintf(&b, "> **The current pin `%s` no longer exists upstream.** ", short(d.Current))
		} else {
			fmt.Fprintf(&b, "> **Upstream history was rewritten:** `%s` is not an ancestor of `%s`. ", short(d.Current), short(d.Target))
		}
		b.WriteString("The audited code may have been replaced (force-push). Do not merge without reviewing the new history in full.\n\n")
	}

	writeCommits(&b, rng)
	writeAuthors(&b, rng)
	writeFiles(&b, rng, d.reviewDirectory())
	return withMarker(b.String()+tail, m)
}

// bodyCut ends a body cut to fit GitHub's limit.
const bodyCut = "\n_… the rest of this description was cut to fit GitHub's size limit; see the compare link._\n\n"

// withMarker ends a body with the marker, first cutting the text at a
// line boundary when it would not fit under maxBodyBytes.
func withMarker(text string, m marker) string {
	tail := m.String() + "\n"
	if len(text)+len(tail) > maxBodyBytes {
		cut := text[:maxBodyBytes-len(tail)-len(bodyCut)]
		if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
			cut = cut[:i+1]
		}
		text = cut + bodyCut
	}
	return text + tail
}

// writeBuildMove says loudly that the bump moves the build inputs too.
func writeBuildMove(b *strings.Builder, d *Decision) {
	if d.Directory == "" && d.Dockerfile == "" {
		return
	}
	b.WriteString("> [!WARNING]\n> **The server's build inputs moved upstream; this PR moves them with the pin:**\n")
	if d.Directory != "" {
		fmt.Fprintf(b, "> - `source.directory`: %s → %s\n", mdsafe.Code(d.directory, maxCode), mdsafe.Code(d.Directory, maxCode))
	}
	if d.Dockerfile != "" {
		fmt.Fprintf(b, "> - `source.dockerfile`: %s → %s\n", mdsafe.Code(d.dockerfile, maxCode), mdsafe.Code(d.Dockerfile, maxCode))
	}
	b.WriteString(">\n> Check that the new place builds the same server before merging.\n\n")
}

// tagMovedWarning is the words of the moved-tag warning a PR body holds
// (keepPR looks for them).
const tagMovedWarning = "was moved upstream:**"

// writeTagMoved says loudly that the pinned tag was replaced upstream.
func writeTagMoved(b *strings.Builder, d *Decision) {
	m := d.TagMoved
	if m == nil {
		return
	}
	fmt.Fprintf(b, "> [!CAUTION]\n> **Tag %s "+tagMovedWarning+" it now points at `%s`, not at the pinned `%s`. "+
		"A published release was replaced under the same name. The review blocks this PR; do not merge before the upstream explains it.\n\n",
		mdsafe.Code(m.Tag, maxCode), short(m.Now), short(m.Pinned))
}

func writeCommits(b *strings.Builder, rng *ranges.Range) {
	if !rng.Comparable() {
		return
	}
	fmt.Fprintf(b, "### Commits (%d)\n\n", rng.TotalCommits)
	writeCommitList(b, rng)
}

// writeCommitList lists a range's commits, newest first, capped.
func writeCommitList(b *strings.Builder, rng *ranges.Range) {
	for i, c := range rng.Commits {
		if i == maxListedCommits {
			break
		}
		fmt.Fprintf(b, "- `%s` %s — %s\n", short(c.SHA), mdsafe.Code(c.Subject, maxCode), mdsafe.Prose(c.AuthorName, maxProse))
	}
	if more := rng.TotalCommits - min(len(rng.Commits), maxListedCommits); more > 0 {
		fmt.Fprintf(b, "- … and %d more\n", more)
	}
	b.WriteString("\n")
}

func writeAuthors(b *strings.Builder, rng *ranges.Range) {
	seen := map[string]bool{}
	isNew := map[string]bool{}
	for _, e := range rng.NewAuthors {
		isNew[e] = true
	}
	var lines []string
	authors := 0
	for _, c := range rng.Commits {
		if seen[c.AuthorEmail] {
			continue
		}
		seen[c.AuthorEmail] = true
		authors++
		if len(lines) == maxListedAuthors {
			continue
		}
		line := "- " + mdsafe.Prose(c.AuthorName, maxProse)
		if isNew[c.AuthorEmail] {
			line += " **(first contribution)**"
		}
		lines = append(lines, line)
	}
	if authors == 0 {
		return
	}
	if more := authors - len(lines); more > 0 {
		lines = append(lines, fmt.Sprintf("- … and %d more", more))
	}
	fmt.Fprintf(b, "### Authors (%d)\n\n%s\n\n", authors, strings.Join(lines, "\n"))
}

func writeFiles(b *strings.Builder, rng *ranges.Range, dir string) {
	var in, out []ranges.FileChange
	for _, f := range rng.Files {
		if f.InDirectory {
			in = append(in, f)
		} else {
			out = append(out, f)
		}
	}
	b.WriteString("### Files changed\n\n")
	if dir == "" {
		writeFileGroup(b, "In the repository", in)
	} else {
		writeFileGroup(b, fmt.Sprintf("Inside %s (built)", mdsafe.Code(dir, maxCode)), in)
		writeFileGroup(b, fmt.Sprintf("Outside %s", mdsafe.Code(dir, maxCode)), out)
	}
	if len(rng.Skipped) > 0 {
		fmt.Fprintf(b, "_%d item%s left out of the inspection by size caps._\n\n", len(rng.Skipped), plural(len(rng.Skipped)))
	}
}

func writeFileGroup(b *strings.Builder, title string, files []ranges.FileChange) {
	added, removed := 0, 0
	for _, f := range files {
		added += f.Added
		removed += f.Removed
	}
	fmt.Fprintf(b, "**%s:** %d file%s (+%d −%d)\n", title, len(files), plural(len(files)), added, removed)
	for i, f := range files {
		if i == maxListedFiles {
			fmt.Fprintf(b, "- … and %d more\n", len(files)-maxListedFiles)
			break
		}
		what := fmt.Sprintf("+%d −%d", f.Added, f.Removed)
		if f.Binary {
			what = "binary"
		}
		fmt.Fprintf(b, "- %s %s (%s)\n", mdsafe.Code(f.Path, maxCode), f.Status, what)
	}
	b.WriteString("\n")
}

// compareURL links the range on the upstream's web UI where the host is
// known to have one at <project>/compare/<old>...<new>.
func compareURL(project, from, to string) string {
	p := strings.TrimSuffix(strings.TrimSuffix(project, "/"), ".git")
	if !strings.HasPrefix(p, "https://") {
		return ""
	}
	return fmt.Sprintf("%s/compare/%s...%s", p, from, to)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
