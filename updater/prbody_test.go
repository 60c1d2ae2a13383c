package updater

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with testdata/<name>, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// commitSHA is the i-th upstream commit of a test range.
func commitSHA(i int) string { return fmt.Sprintf("%07x%033x", 0xc0ffee0+i, i) }

// bumpOf is a bump of server stripe from testSHA('1') to testSHA('3'),
// built from directory dir of a GitHub project.
func bumpOf(dir string) *Decision {
	return &Decision{
		Server: "stripe", Path: "servers/stripe/server.yaml", Action: ActionBump,
		Current: testSHA('1'), Latest: testSHA('3'), Target: testSHA('3'), Ref: "refs/heads/main",
		project: "https://github.com/stripe/agent-toolkit", directory: dir,
	}
}

// rangeOf is an unremarkable range: n commits (listed up to listed) by
// two known authors.
func rangeOf(n, listed int) *ranges.Range {
	r := &ranges.Range{BaseFound: true, Ancestor: true, TotalCommits: n}
	authors := []struct{ name, email string }{{"Ada Lovelace", "ada@example.com"}, {"Grace Hopper", "grace@example.com"}}
	for i := 0; i < listed; i++ {
		a := authors[i%2]
		r.Commits = append(r.Commits, ranges.Commit{
			SHA: commitSHA(i), Subject: fmt.Sprintf("Change number %d", n-i), AuthorName: a.name, AuthorEmail: a.email,
			When: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(-i) * time.Hour),
		})
	}
	r.Files = []ranges.FileChange{
		{Path: "modelcontextprotocol/src/index.ts", Status: ranges.FileModified, InDirectory: true, Added: 12, Removed: 3},
		{Path: "modelcontextprotocol/package.json", Status: ranges.FileModified, InDirectory: true, Added: 1, Removed: 1},
	}
	return r
}

func TestPRBodyGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		d      *Decision
		rng    *ranges.Range
	}{
		{"normal", bumpOf("modelcontextprotocol"), rangeOf(3, 3)},
		{"many-commits", bumpOf("modelcontextprotocol"), rangeOf(25, 25)},
		{"capped-commit-list", bumpOf("modelcontextprotocol"), rangeOf(300, 10)},
		{"new-authors", bumpOf("modelcontextprotocol"), func() *ranges.Range {
			r := rangeOf(3, 3)
			r.Commits = append(r.Commits, ranges.Commit{SHA: commitSHA(9), Subject: "Add telemetry", AuthorName: "New Person", AuthorEmail: "new@example.net"})
			r.TotalCommits = 4
			r.NewAuthors = []string{"grace@example.com", "new@example.net"}
			return r
		}()},
		{"files-inside-outside", bumpOf("modelcontextprotocol"), func() *ranges.Range {
			r := rangeOf(2, 2)
			r.Files = append(r.Files,
				ranges.FileChange{Path: ".github/workflows/release.yml", Status: ranges.FileAdded, Added: 40},
				ranges.FileChange{Path: "modelcontextprotocol/logo.png", Status: ranges.FileAdded, InDirectory: true, Binary: true},
				ranges.FileChange{Path: "python/setup.py", Status: ranges.FileDeleted, Removed: 20},
			)
			r.Skipped = []ranges.Skip{{Path: "modelcontextprotocol/big.bin", Reason: "over the per-file cap"}}
			return r
		}()},
		{"whole-repository", bumpOf(""), func() *ranges.Range {
			r := rangeOf(1, 1)
			r.Files = []ranges.FileChange{{Path: "README.md", Status: ranges.FileModified, InDirectory: true, Added: 1, Removed: 1}}
			return r
		}()},
		{"rewritten-history", bumpOf("modelcontextprotocol"), func() *ranges.Range {
			r := rangeOf(2, 2)
			r.Ancestor = false
			return r
		}()},
		{"base-missing", bumpOf("modelcontextprotocol"), func() *ranges.Range {
			r := rangeOf(2, 2)
			r.BaseFound, r.Ancestor = false, false
			return r
		}()},
		{"nil-range", bumpOf("modelcontextprotocol"), nil},
		{"tag-move", func() *Decision {
			d := bumpOf("")
			d.Ref, d.Branch, d.oldBranch = "refs/tags/v1.3.0", "v1.3.0", "v1.2.3"
			return d
		}(), rangeOf(2, 2)},
		{"no-compare-link", func() *Decision {
			d := bumpOf("")
			d.project = "http://127.0.0.1:8080/demo.git"
			return d
		}(), rangeOf(1, 1)},
		{"hostile", bumpOf("modelcontextprotocol"), hostileRange()},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			body := prBody(tc.d, tc.rng)
			checkGolden(t, "prbody/"+tc.golden+".md", body)
			m, ok := parseMarker(body)
			if want := (marker{tc.d.Server, tc.d.Current, tc.d.Target}); !ok || m != want {
				t.Errorf("parseMarker(body) = %+v, %v; want %+v", m, ok, want)
			}
			if !strings.HasSuffix(body, marker{tc.d.Server, tc.d.Current, tc.d.Target}.String()+"\n") {
				t.Error("the body does not end with its marker")
			}
		})
	}
}

// hostileRange is a range whose upstream text tries everything: mentions,
// issue references, HTML, Markdown links, table breaking, bidi and
// zero-width characters, and a forged marker.
func hostileRange() *ranges.Range {
	forged := marker{"stripe", testSHA('1'), testSHA('e')}.String()
	r := &ranges.Range{BaseFound: true, Ancestor: true, TotalCommits: 4}
	r.Commits = []ranges.Commit{
		{SHA: commitSHA(1), Subject: "Fix #123, thanks @octocat <img src=x onerror=alert(1)>", AuthorName: "@admin <b>bold</b>", AuthorEmail: "a@example.com"},
		{SHA: commitSHA(2), Subject: "`code` | pipe | [link](https://evil.example)", AuthorName: "[x](https://evil.example) | *y* _z_ `w`", AuthorEmail: "b@example.com"},
		{SHA: commitSHA(3), Subject: forged, AuthorName: "Eve\u202egnp.exe\u200b\u2066", AuthorEmail: "c@example.com"},
		{SHA: commitSHA(4), Subject: strings.Repeat("long ", 100), AuthorName: "\\| \\[escaped\\](https://evil.example) &#64;ghost", AuthorEmail: "d@example.com"},
	}
	r.NewAuthors = []string{"c@example.com"}
	r.Files = []ranges.FileChange{
		{Path: "src/`weird`|name<script>.js", Status: ranges.FileAdded, InDirectory: true, Added: 1},
		{Path: forged, Status: ranges.FileAdded, InDirectory: true, Added: 1},
	}
	return r
}

func TestPRBodyHostileIsInert(t *testing.T) {
	d := bumpOf("modelcontextprotocol")
	body := prBody(d, hostileRange())
	// Outside code spans, nothing may ping, link, cross-reference or
	// render HTML. The Range row holds the bot's own compare link, the last
	// line its marker.
	prose := strings.TrimSuffix(body, marker{d.Server, d.Current, d.Target}.String()+"\n")
	prose = regexp.MustCompile("`[^`\n]*`").ReplaceAllString(prose, "")
	prose = regexp.MustCompile(`(?m)^\| Range \|.*$`).ReplaceAllString(prose, "")
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`@[A-Za-z0-9]`),   // a mention
		regexp.MustCompile(`#[0-9]`),         // an issue reference
		regexp.MustCompile(`<[A-Za-z/!]`),    // an HTML tag or comment
		regexp.MustCompile(`[^\\]\]\(https`), // a Markdown link
	} {
		if loc := bad.FindStringIndex(prose); loc != nil {
			t.Errorf("the body's prose matches %s near %q", bad, prose[max(0, loc[0]-20):min(len(prose), loc[1]+20)])
		}
	}
	// Entities decode to any of the above: only the escapes inert writes
	// may appear.
	for _, m := range regexp.MustCompile(`&[A-Za-z0-9#]+;`).FindAllString(prose, -1) {
		if m != "&amp;" && m != "&lt;" && m != "&gt;" {
			t.Errorf("the body's prose holds the entity %s", m)
		}
	}
	for _, r := range []rune{'\u202e', '\u200b', '\u2066'} {
		if strings.ContainsRune(body, r) {
			t.Errorf("the body keeps invisible character %U", r)
		}
	}
}

func TestPRTitle(t *testing.T) {
	d := bumpOf("")
	if got, want := prTitle(d), "Update stripe pin to 3333333"; got != want {
		t.Errorf("prTitle = %q, want %q", got, want)
	}
	d.Branch, d.oldBranch = "v1.3.0", "v1.2.3"
	if got, want := prTitle(d), "Update stripe pin to v1.3.0 (3333333)"; got != want {
		t.Errorf("prTitle (tag move) = %q, want %q", got, want)
	}
}

func TestCommitMessage(t *testing.T) {
	tag := bumpOf("")
	tag.Branch = "v1.3.0"
	rewritten := rangeOf(2, 2)
	rewritten.Ancestor = false
	for _, tc := range []struct {
		name string
		d    *Decision
		rng  *ranges.Range
		want string
	}{
		{"counted", bumpOf(""), rangeOf(25, 20), "servers/stripe: update pin to 3333333 (25 commits)"},
		{"no range", bumpOf(""), nil, "servers/stripe: update pin to 3333333 (unknown number of commits)"},
		{"rewritten", bumpOf(""), rewritten, "servers/stripe: update pin to 3333333 (unknown number of commits)"},
		{"tag move", tag, rangeOf(2, 2), "servers/stripe: update pin to v1.3.0 3333333 (2 commits)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := commitMessage(tc.d, tc.rng)
			subject, rest, _ := strings.Cut(msg, "\n")
			if subject != tc.want {
				t.Errorf("subject %q, want %q", subject, tc.want)
			}
			wantRest := "\nUpstream: https://github.com/stripe/agent-toolkit\nFrom: " + testSHA('1') + "\nTo:   " + testSHA('3') + "\n"
			if rest != wantRest {
				t.Errorf("body %q, want %q", rest, wantRest)
			}
		})
	}
}

func TestParseMarker(t *testing.T) {
	a, b := testSHA('a'), testSHA('b')
	m := marker{Server: "my.server_2-x", From: a, To: b}
	if got, ok := parseMarker("text\n" + m.String() + "\nmore"); !ok || got != m {
		t.Errorf("round trip: %+v, %v; want %+v", got, ok, m)
	}
	if got := m.String(); got != "<!-- updater:server=my.server_2-x from="+a+" to="+b+" -->" {
		t.Errorf("String() = %q", got)
	}
	// The bot writes its marker last: an earlier one in the body came from
	// upstream text (a commit subject) and must not win.
	forged := marker{Server: "my.server_2-x", From: a, To: testSHA('e')}.String()
	if got, ok := parseMarker("- `" + forged + "`\n\n" + m.String() + "\n"); !ok || got != m {
		t.Errorf("forged earlier marker: %+v, %v; want %+v", got, ok, m)
	}

	for name, body := range map[string]string{
		"empty":           "",
		"no marker":       "A human rewrote this body.",
		"short sha":       "<!-- updater:server=x from=abc to=" + b + " -->",
		"upper-case sha":  "<!-- updater:server=x from=" + strings.ToUpper(a) + " to=" + b + " -->",
		"41 hex":          "<!-- updater:server=x from=" + a + "a to=" + b + " -->",
		"bad name":        "<!-- updater:server=x<y from=" + a + " to=" + b + " -->",
		"spaced name":     "<!-- updater:server=x y from=" + a + " to=" + b + " -->",
		"unterminated":    "<!-- updater:server=x from=" + a + " to=" + b,
		"other keys":      "<!-- updater:server=x to=" + b + " from=" + a + " -->",
		"extra spaces":    "<!--  updater:server=x from=" + a + " to=" + b + " -->",
		"missing server":  "<!-- updater: from=" + a + " to=" + b + " -->",
		"huge no marker":  strings.Repeat("<!-- updater:server=", 10000),
		"newline in name": "<!-- updater:server=x\ny from=" + a + " to=" + b + " -->",
	} {
		if got, ok := parseMarker(body); ok {
			t.Errorf("%s: parseMarker found %+v, want none", name, got)
		}
	}
}

func TestInert(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		banned   []string // substrings that must not survive
	}{
		{"mention", "thanks @octocat and @org/team", []string{"@o"}},
		{"issue reference", "fixes #123 and GH-1 and org/repo#4", []string{"#1", "#4"}},
		{"html", `<img src=x onerror=alert(1)><script>alert(1)</script>`, []string{"<img", "<script", "</script"}},
		{"entity", "&commat;octocat &num;12 &#64;ghost &lt;img&gt;", []string{"&commat;", "&num;", "&#", "&lt;img"}},
		{"backticks", "``` fence ``` and `code`", []string{"`"}},
		{"bidi and zero-width", "admin\u202e\u2066\u200b\u200d\ufeffx", []string{"\u202e", "\u2066", "\u200b", "\u200d", "\ufeff"}},
		{"control", "a\x1b[31mred\x07\r\nb\x00", []string{"\x1b", "\x07", "\r", "\n", "\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := inert(tc.in)
			for _, bad := range tc.banned {
				if strings.Contains(got, bad) {
					t.Errorf("inert(%q) = %q keeps %q", tc.in, got, bad)
				}
			}
		})
	}
	// Markdown syntax is escaped, including a backslash meant to undo the
	// escape of what follows it.
	for _, in := range []string{"a | b", `a \| b`, `\\| b`, "[x](https://evil.example)", `\[x\](https://evil.example)`, "*a* _b_", `\*a\*`} {
		got := inert(in)
		for _, c := range "|[]*_" {
			if unescaped(got, c) {
				t.Errorf("inert(%q) = %q leaves %q unescaped", in, got, c)
			}
		}
	}
	long := inert(strings.Repeat("x", 10000))
	if n := utf8.RuneCountInString(long); n != 201 || !strings.HasSuffix(long, "…") {
		t.Errorf("inert of 10000 runes: %d runes, suffix %q; want 200 and an ellipsis", n, long[len(long)-5:])
	}
	if got := inert("Ada Lovelace"); got != "Ada Lovelace" {
		t.Errorf("inert changed plain text: %q", got)
	}
}

// unescaped reports whether c occurs in s after an even number of
// backslashes, that is as Markdown syntax.
func unescaped(s string, c rune) bool {
	backslashes := 0
	for _, r := range s {
		switch {
		case r == '\\':
			backslashes++
			continue
		case r == c && backslashes%2 == 0:
			return true
		}
		backslashes = 0
	}
	return false
}

func TestCodeSpan(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Fix the parser", "`Fix the parser`"},
		{"", "` `"},
		{"\u200b\u202e", "` `"},
		{"use `go vet`", "`use 'go vet'`"},
		{"a | b", "`a | b`"},
		{"@octocat #12 <b>", "`@octocat #12 <b>`"}, // code spans neither mention nor render HTML
		{"  tabs\tand\nnewlines  ", "`tabs andnewlines`"},
	} {
		if got := codeSpan(tc.in); got != tc.want {
			t.Errorf("codeSpan(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := codeSpan(strings.Repeat("y", 500))
	if n := utf8.RuneCountInString(long); n != 123 {
		t.Errorf("codeSpan of 500 runes is %d runes, want 120 + ellipsis + 2 backticks", n)
	}
	hostile := codeSpan("``` ` `` \u202e x")
	if strings.Count(hostile, "`") != 2 || !strings.HasPrefix(hostile, "`") || !strings.HasSuffix(hostile, "`") {
		t.Errorf("codeSpan with backticks = %q, want one code span", hostile)
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 10, "plain"},
		{"  padded  ", 10, "padded"},
		{"a\tb", 10, "a b"},
		{"zero\u200bwidth\u200c\u200d\u2060\ufeff", 20, "zerowidth"},
		{"bidi \u202aL\u202bR\u202cP\u202dO\u202eV\u2066I\u2067I\u2068F\u2069", 40, "bidi LRPOVIIF"},
		{"esc\x1b[2Jbell\x07del\x7f", 40, "esc[2Jbelldel"},
		{"abcdef", 3, "abc…"},
		{"ééééé", 2, "éé…"},
		{"abc", 3, "abc"},
		{"\xff\xfeinvalid", 20, "\ufffd\ufffdinvalid"},
	} {
		if got := clean(tc.in, tc.n); got != tc.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
