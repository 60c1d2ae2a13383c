package review

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Helpers the file-based rules share: how much a file counts, which added
// lines are really new, and cheap text tests that run before any regexp.

// weigh adjusts a rule's severity for where the file sits: a file outside
// the server's scope (source.directory and its build inputs), such as
// another package of a monorepo, counts at most low. The report sums such
// findings up as counts.
func weigh(r *ranges.Range, f *ranges.FileChange, s Severity) Severity {
	if !inScope(r, f) {
		return min(s, Low)
	}
	return s
}

// inScope reports whether f is part of what the server builds and runs
// (see buildscope.go).
func inScope(r *ranges.Range, f *ranges.FileChange) bool {
	if isBuildInput(r.Directory, f.Path) {
		return true
	}
	bs := scopeOf(r)
	if f.Path == bs.dockerfile {
		return true
	}
	return f.InDirectory && bs.contains(f.Path)
}

// weighDocs is weigh, plus one step less for documentation and tests
// the build does not copy into the image.
func weighDocs(r *ranges.Range, f *ranges.FileChange, s Severity) Severity {
	s = weigh(r, f, s)
	if isDocOrTest(f.Path) && readByBuild(r, f.Path) == "" {
		return s.lower(1)
	}
	return s
}

// movedLines indexes the trimmed text of a file's removed lines, so a line
// that was only moved or re-indented does not count as new.
type movedLines map[string]struct{}

func removedSet(f *ranges.FileChange) movedLines {
	if len(f.RemovedLines) == 0 {
		return nil
	}
	m := make(movedLines, len(f.RemovedLines))
	for _, l := range f.RemovedLines {
		m[strings.TrimSpace(l.Text)] = struct{}{}
	}
	return m
}

// novel reports whether an added line is new rather than moved.
func (m movedLines) novel(text string) bool {
	_, moved := m[strings.TrimSpace(text)]
	return !moved
}

// seenBefore reports whether s occurs in the old side of a file: its old
// content when the range carries it, else its removed lines.
func seenBefore(f *ranges.FileChange, s string) bool {
	if f.Old != nil {
		return bytes.Contains(f.Old, []byte(s))
	}
	for _, l := range f.RemovedLines {
		if strings.Contains(l.Text, s) {
			return true
		}
	}
	return false
}

// hints are lower-case substrings guarding a regexp: a line containing
// none of them cannot match it, so the regexp does not run. Checking them
// on a lower-cased copy is a few vectorised scans per line.
type hints [][]byte

func newHints(needles ...string) hints {
	h := make(hints, len(needles))
	for i, n := range needles {
		h[i] = []byte(n)
	}
	return h
}

// in reports whether the lower-cased line contains any hint.
func (h hints) in(lower []byte) bool {
	for _, n := range h {
		if bytes.Contains(lower, n) {
			return true
		}
	}
	return false
}

// appendLower appends s with ASCII letters lower-cased to dst; rules reuse
// dst across lines so that this does not allocate per line.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// lineOf returns the 1-based line in content where needle first occurs,
// or 0. Rules use it to point at a place in the new file when the change
// itself (a parsed manifest) has no line of its own.
func lineOf(content []byte, needle string) int {
	i := bytes.Index(content, []byte(needle))
	if i < 0 {
		return 0
	}
	return bytes.Count(content[:i], []byte("\n")) + 1
}

// addedLineWith returns the first added line containing needle, or 0.
func addedLineWith(f *ranges.FileChange, needle string) int {
	for _, l := range f.AddedLines {
		if strings.Contains(l.Text, needle) {
			return l.No
		}
	}
	return 0
}

// listed joins up to max items for a Detail sentence, saying how many more.
func listed(items []string, limit int) string {
	if len(items) <= limit {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:limit], ", ") + ", and " + strconv.Itoa(len(items)-limit) + " more"
}

// lineFindings reports the new added lines of f matching re as one finding
// built from tmpl. h, when set, guards the regexp.
func lineFindings(r *ranges.Range, f *ranges.FileChange, re *regexp.Regexp, h hints, tmpl Finding) []Finding {
	var moved movedLines
	var ev evidence
	var lower []byte
	for _, l := range f.AddedLines {
		if h != nil {
			lower = appendLower(lower[:0], l.Text)
			if !h.in(lower) {
				continue
			}
		}
		if moved == nil {
			moved = removedSet(f)
		}
		if re.MatchString(l.Text) && moved.novel(l.Text) {
			ev.addLine(f.Path, l.No)
		}
	}
	if ev.empty() {
		return nil
	}
	tmpl.Severity = weigh(r, f, tmpl.Severity)
	tmpl.Evidence = ev.items
	tmpl.Detail += ev.note()
	return []Finding{tmpl}
}
