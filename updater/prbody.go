package updater

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
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
func prTitle(d *Decision) string {
	if d.Branch != "" {
		return fmt.Sprintf("Update %s pin to %s (%s)", d.Server, d.Branch, short(d.Target))
	}
	return fmt.Sprintf("Update %s pin to %s", d.Server, short(d.Target))
}

// commitMessage is the bot's commit on its branch.
func commitMessage(d *Decision, rng *ranges.Range) string {
	n := "unknown number of"
	if rng != nil && rng.Ancestor {
		n = fmt.Sprint(rng.TotalCommits)
	}
	what := short(d.Target)
	if d.Branch != "" {
		what = d.Branch + " " + what
	}
	return fmt.Sprintf("servers/%s: update pin to %s (%s commits)\n\nUpstream: %s\nFrom: %s\nTo:   %s\n",
		d.Server, what, n, d.project, d.Current, d.Target)
}

const maxListedCommits = 20
const maxListedFiles = 50

// prBody renders what reviewers need to judge the bump: the range with a
// compare link, its commits, authors and files, a loud warning when the
// upstream history was rewritten, and the hidden marker. Everything that
// comes from upstream is untrusted and rendered inert (code spans, no
// mentions, no HTML).
func prBody(d *Decision, rng *ranges.Range) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Updates the pin of **%s** (`%s`) from `%s` to `%s`", d.Server, d.Path, short(d.Current), short(d.Target))
	if d.Branch != "" {
		fmt.Fprintf(&b, ", following tag %s → %s", codeSpan(d.oldBranch), codeSpan(d.Branch))
	}
	b.WriteString(".\n\n")
	if d.Publisher != nil {
		b.WriteString(publisherLine(d.Publisher) + "\n\n")
	}

	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Upstream | %s |\n", inert(d.project))
	if d.Ref != "" {
		fmt.Fprintf(&b, "| Ref | %s |\n", cellCode(d.Ref))
	}
	if d.directory != "" {
		fmt.Fprintf(&b, "| Directory | %s |\n", cellCode(d.directory))
	}
	rangeCell := fmt.Sprintf("`%s...%s`", short(d.Current), short(d.Target))
	if link := compareURL(d.project, d.Current, d.Target); link != "" {
		rangeCell = fmt.Sprintf("[%s](%s)", rangeCell, link)
	}
	if rng != nil && rng.Ancestor {
		rangeCell += fmt.Sprintf(" · %d commit%s", rng.TotalCommits, plural(rng.TotalCommits))
	}
	fmt.Fprintf(&b, "| Range | %s |\n\n", rangeCell)

	if rng == nil {
		b.WriteString("_The upstream range could not be inspected; review the compare link before merging._\n\n")
		b.WriteString(marker{d.Server, d.Current, d.Target}.String())
		b.WriteString("\n")
		return b.String()
	}
	if !rng.BaseFound || !rng.Ancestor {
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
	writeFiles(&b, rng, d.directory)

	b.WriteString(marker{d.Server, d.Current, d.Target}.String())
	b.WriteString("\n")
	return b.String()
}

func writeCommits(b *strings.Builder, rng *ranges.Range) {
	if !rng.Ancestor {
		return
	}
	fmt.Fprintf(b, "### Commits (%d)\n\n", rng.TotalCommits)
	for i, c := range rng.Commits {
		if i == maxListedCommits {
			break
		}
		fmt.Fprintf(b, "- `%s` %s — %s\n", short(c.SHA), codeSpan(c.Subject), inert(c.AuthorName))
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
	for _, c := range rng.Commits {
		if seen[c.AuthorEmail] {
			continue
		}
		seen[c.AuthorEmail] = true
		line := "- " + inert(c.AuthorName)
		if isNew[c.AuthorEmail] {
			line += " **(first contribution)**"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "### Authors (%d)\n\n%s\n\n", len(lines), strings.Join(lines, "\n"))
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
		writeFileGroup(b, fmt.Sprintf("Inside `%s` (built)", inert(dir)), in)
		writeFileGroup(b, fmt.Sprintf("Outside `%s`", inert(dir)), out)
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
		fmt.Fprintf(b, "- %s %s (%s)\n", codeSpan(f.Path), f.Status, what)
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

// inert makes untrusted text safe to place in Markdown prose: no HTML,
// no mentions or issue references that would ping people or cross-link
// the registry's issues, no control characters, bounded length.
func inert(s string) string {
	s = clean(s, 200)
	r := strings.NewReplacer(
		// & and \ are escaped too: an entity (&commat; is @) or a
		// backslash before a character escaped below (\|) would undo it.
		"&", "&amp;", "\\", "\\\\",
		"<", "&lt;", ">", "&gt;",
		"@", "@\u2060", "#", "#\u2060",
		"[", "\\[", "]", "\\]", "|", "\\|", "`", "'", "*", "\\*", "_", "\\_",
	)
	return r.Replace(s)
}

// codeSpan renders untrusted text as inline code, where Markdown and
// mentions do not apply.
func codeSpan(s string) string {
	s = strings.ReplaceAll(clean(s, 120), "`", "'")
	if s == "" {
		return "` `"
	}
	return "`" + s + "`"
}

// cellCode is codeSpan inside a table cell, where GitHub needs a pipe
// escaped even in code (and shows it without the backslash).
func cellCode(s string) string {
	return strings.ReplaceAll(codeSpan(s), "|", "\\|")
}

// clean drops control and invisible formatting characters (bidi
// overrides, zero-width) and truncates to n runes.
func clean(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			if r == '\t' {
				b.WriteByte(' ')
				count++
			}
			continue
		}
		if count == n {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		count++
	}
	return strings.TrimSpace(b.String())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
