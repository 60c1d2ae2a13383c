package mdsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestProse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		banned   []string // substrings that must not survive
	}{
		{"mention", "thanks @octocat and @org/team", []string{"@o"}},
		{"issue reference", "fixes #123 and GH-1 and org/repo#4", []string{"#1", "#4"}},
		{"html", `<img src=x onerror=alert(1)><script>alert(1)</script>`, []string{"<img", "<script", "</script"}},
		{"entity", "&commat;octocat &num;12 &#64;ghost &lt;img&gt;", []string{"&commat;", "&num;", "&#", "&lt;img"}},
		{"bidi and zero-width", "admin\u202e\u2066\u200b\u200d\ufeffx", []string{"\u202e", "\u2066", "\u200b", "\u200d", "\ufeff"}},
		{"control", "a\x1b[31mred\x07\r\nb\x00", []string{"\x1b", "\x07", "\r", "\n", "\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Prose(tc.in, 200)
			for _, bad := range tc.banned {
				if strings.Contains(got, bad) {
					t.Errorf("Prose(%q) = %q keeps %q", tc.in, got, bad)
				}
			}
		})
	}
	// Markdown syntax is escaped, including a backslash meant to undo the
	// escape of what follows it.
	for _, in := range []string{"``` fence ``` and `code`", "a | b", `a \| b`, `\\| b`, "[x](https://evil.example)", `\[x\](https://evil.example)`, "*a* _b_", `\*a\*`} {
		got := Prose(in, 200)
		for _, c := range "|[]*_`" {
			if unescaped(got, c) {
				t.Errorf("Prose(%q) = %q leaves %q unescaped", in, got, c)
			}
		}
	}
	long := Prose(strings.Repeat("x", 10000), 200)
	if n := utf8.RuneCountInString(long); n != 201 || !strings.HasSuffix(long, "…") {
		t.Errorf("Prose of 10000 runes: %d runes, suffix %q; want 200 and an ellipsis", n, long[len(long)-5:])
	}
	if got := Prose("Ada Lovelace", 200); got != "Ada Lovelace" {
		t.Errorf("Prose changed plain text: %q", got)
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

func TestCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Fix the parser", "`Fix the parser`"},
		{"", "` `"},
		{"\u200b\u202e", "`[U+200B][U+202E]`"}, // shown, not hidden
		{"use `go vet`", "`` use `go vet` ``"},
		{"a | b", "`a | b`"},
		{"@octocat #12 <b>", "`@octocat #12 <b>`"}, // code spans neither mention nor render HTML
		{"  tabs\tand\nnewlines  ", "`  tabs\tand newlines  `"},
	} {
		if got := Code(tc.in, 120); got != tc.want {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := Code(strings.Repeat("y", 500), 120)
	if n := utf8.RuneCountInString(long); n != 123 {
		t.Errorf("Code of 500 runes is %d runes, want 120 + ellipsis + 2 backticks", n)
	}
	hostile := Code("``` ` `` \u202e x", 120)
	if !strings.HasPrefix(hostile, "```` ") || !strings.HasSuffix(hostile, " ````") || strings.Count(hostile, "````") != 2 {
		t.Errorf("Code with backticks = %q, want one code span fenced by four", hostile)
	}
}

func TestLineTruncated(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 10, "plain"},
		{"  padded  ", 10, "padded"},
		{"a\tb", 10, "a b"},
		{"zero\u200bwidth\u200c", 40, "zero[U+200B]width[U+200C]"},
		{"bidi \u202eV\u2066I", 40, "bidi [U+202E]V[U+2066]I"},
		{"esc\x1b[2Jbell\x07del\x7f", 40, "esc[2Jbelldel"},
		{"abcdef", 3, "abc…"},
		{"ééééé", 5, "éé…"}, // bytes, on a rune boundary
		{"abc", 3, "abc"},
		{"\xff\xfeinvalid", 20, "\ufffdinvalid"},
	} {
		if got := Truncate(Line(tc.in), tc.n); got != tc.want {
			t.Errorf("Truncate(Line(%q), %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestCodeFence(t *testing.T) {
	for in, want := range map[string]string{
		"a.go:1": "`a.go:1`", "a`b": "``a`b``", "`x`": "`` `x` ``", "": "` `", "a\nb": "`a b`",
	} {
		if got := Code(in, 100); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocumentNeutralisesWhatActsBeyondThePage(t *testing.T) {
	in := "# Report\n\n- **High** <img src=x onerror=alert(1)> cc @octocat, see #12 and GH-3\n" +
		"[click](https://evil.test/x) ![i](https://evil.test/i.png) www.evil.test &#64;admin &commat;x\u202e\x07\n| a | b |\n"
	got := Document(in, 1<<10)
	for _, bad := range []string{"<img", "@octocat", "#12", "GH-3", "](https", "https://", "www.evil", "&#64;", "&commat;", "\u202e", "\x07"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q survived:\n%s", bad, got)
		}
	}
	for _, kept := range []string{"# Report\n", "- **High**", "| a | b |", `\![i]`} {
		if !strings.Contains(got, kept) {
			t.Errorf("layout %q lost:\n%s", kept, got)
		}
	}
	if got := Document(strings.Repeat("a", 100), 10); !strings.HasSuffix(got, "[truncated]") || len(got) > 40 {
		t.Errorf("truncation: %q", got)
	}
}

// Reference links are links too; a report the bot rendered (its word
// joiners and entities) reads the same after Document, not as hidden
// characters and double-escaped text.
func TestDocumentReferenceLinksAndRenderedReports(t *testing.T) {
	got := Document("[the approval][1]\n\n[1]: //evil.example/login\n", 1<<10)
	if strings.Contains(got, "][") || strings.Contains(got, "]:") {
		t.Errorf("a reference link survived:\n%s", got)
	}
	rendered := Prose("mail @octocat at https://x.example & <b>", 200)
	got = Document(rendered, 1<<10)
	if strings.Contains(got, "[U+2060]") || strings.Contains(got, "&amp;amp;") || strings.Contains(got, "&amp;lt;") {
		t.Errorf("a rendered report was mangled:\n%q\nfrom %q", got, rendered)
	}
	if strings.Contains(got, "@octocat") || strings.Contains(got, "https://") {
		t.Errorf("the mention or link came back:\n%q", got)
	}
}
