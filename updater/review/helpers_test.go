package review

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Test inputs are ranges.Range literals built by hand: the rules are pure
// functions of a range, so no git is needed to test them.

const (
	baseSHA = "1111111111111111111111111111111111111111"
	headSHA = "2222222222222222222222222222222222222222"
)

// newRange is a clean, fast-forward range of two signed commits by a
// known author containing files.
func newRange(files ...ranges.FileChange) *ranges.Range {
	return &ranges.Range{
		Project:   "https://github.com/example-org/example-mcp",
		Base:      baseSHA,
		Head:      headSHA,
		BaseFound: true,
		Ancestor:  true,
		Commits: []ranges.Commit{
			{SHA: headSHA, Subject: "second", AuthorName: "Dev", AuthorEmail: "dev@upstream.test", When: time.Unix(1700000100, 0), Signed: true},
			{SHA: "3333333333333333333333333333333333333333", Subject: "first", AuthorName: "Dev", AuthorEmail: "dev@upstream.test", When: time.Unix(1700000000, 0), Signed: true},
		},
		TotalCommits: 2,
		BaseSigned:   true,
		Files:        files,
	}
}

// withDirectory sets source.directory and each file's InDirectory as the
// range facts would.
func withDirectory(r *ranges.Range, dir string) *ranges.Range {
	r.Directory = dir
	for i := range r.Files {
		r.Files[i].InDirectory = inDirectory(dir, r.Files[i].Path)
	}
	return r
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// addFile is a new text file.
func addFile(path, content string) ranges.FileChange {
	f := ranges.FileChange{Path: path, Status: ranges.FileAdded, InDirectory: true, New: []byte(content), NewSize: int64(len(content))}
	for i, l := range splitLines(content) {
		f.AddedLines = append(f.AddedLines, ranges.Line{No: i + 1, Text: l})
	}
	f.Added = len(f.AddedLines)
	return f
}

// modFile is a modified text file, with added and removed lines from an
// LCS line diff of before and after.
func modFile(path, before, after string) ranges.FileChange {
	f := ranges.FileChange{Path: path, Status: ranges.FileModified, InDirectory: true,
		Old: []byte(before), New: []byte(after), OldSize: int64(len(before)), NewSize: int64(len(after))}
	f.AddedLines, f.RemovedLines = lineDiff(splitLines(before), splitLines(after))
	f.Added, f.Removed = len(f.AddedLines), len(f.RemovedLines)
	return f
}

// delFile is a deleted text file.
func delFile(path, old string) ranges.FileChange {
	f := ranges.FileChange{Path: path, Status: ranges.FileDeleted, InDirectory: true, Old: []byte(old), OldSize: int64(len(old))}
	for i, l := range splitLines(old) {
		f.RemovedLines = append(f.RemovedLines, ranges.Line{No: i + 1, Text: l})
	}
	f.Removed = len(f.RemovedLines)
	return f
}

// binFile is a binary file as the range facts report it: no lines, no content.
func binFile(path string, status ranges.FileStatus) ranges.FileChange {
	return ranges.FileChange{Path: path, Status: status, InDirectory: true, Binary: true, NewSize: 4096}
}

func lineDiff(a, b []string) (added, removed []ranges.Line) {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, ranges.Line{No: j + 1, Text: b[j]})
			j++
		default:
			removed = append(removed, ranges.Line{No: i + 1, Text: a[i]})
			i++
		}
	}
	return added, removed
}

// expect describes one finding a rule must produce, in Result order.
type expect struct {
	sev      Severity
	title    string   // substring of the title
	evidence []string // exact, when not nil
	detail   string   // substring of the detail, when not ""
	blocks   bool
}

// runRule runs one rule through the table (so the id is stamped) and sorts
// its findings as a Result would.
func runRule(t *testing.T, id string, r *ranges.Range) []Finding {
	t.Helper()
	for _, rl := range builtinRules {
		if rl.ID == id {
			return newResult(rl.run(r), ModeBuiltin).Findings
		}
	}
	t.Fatalf("no rule %q", id)
	return nil
}

func checkFindings(t *testing.T, got []Finding, want []expect) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), dumpFindings(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Severity != w.sev || !strings.Contains(g.Title, w.title) || g.Blocks != w.blocks ||
			(w.evidence != nil && !slices.Equal(g.Evidence, w.evidence)) || !strings.Contains(g.Detail, w.detail) {
			t.Errorf("finding %d:\n got %s %q blocks=%v evidence=%q detail=%q\nwant %s %q blocks=%v evidence=%q detail~%q",
				i, g.Severity, g.Title, g.Blocks, g.Evidence, g.Detail, w.sev, w.title, w.blocks, w.evidence, w.detail)
		}
	}
}

func dumpFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Severity.String() + " " + f.Rule + ": " + f.Title + " " + strings.Join(f.Evidence, ",") + " | " + f.Detail + "\n")
	}
	return b.String()
}

type ruleCase struct {
	name string
	r    *ranges.Range
	want []expect
}

func runRuleCases(t *testing.T, id string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkFindings(t, runRule(t, id, tc.r), tc.want)
		})
	}
}
