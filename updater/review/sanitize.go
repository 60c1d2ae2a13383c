package review

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Upstream text (paths, package names, hosts, the agent's report) goes into
// a PR that people read and bots parse. Before it does, it is made valid
// UTF-8, stripped of control characters, and either escaped or fenced, so
// it can neither break the report's layout, nor inject HTML, nor mention
// (notify) anyone, nor hide text with invisible characters.

// cleanText makes s valid UTF-8, drops control characters (keeping tab
// and, when keepNewlines, newline), and shows invisible characters as
// [U+XXXX] so a reviewer sees they are there.
func cleanText(s string, keepNewlines bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines, r == '\t':
			b.WriteRune(r)
		case r == '\n', r == '\r':
			b.WriteByte(' ')
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
			// C0 and C1 controls, including ESC (terminal escapes).
		case invisible(r), r == 0x2028, r == 0x2029:
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncate cuts s to at most max bytes on a rune boundary, marking the cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// markdownEscaper backslash-escapes what could start emphasis, links,
// images, HTML, tables or headings, and entity references.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `~`, `\~`, `&`, `\&`, `#`, `\#`, `!`, `\!`,
	// A zero-width space after @ stops a mention (the technique Dependabot
	// uses in release notes); inside :// and www. it stops autolinking.
	`@`, "@\u200B", `://`, ":\u200B//", `www.`, "www\u200B.",
)

// inline renders plain text on one line of Markdown, at most limit bytes
// of input.
func inline(s string, limit int) string {
	s = strings.Join(strings.Fields(cleanText(s, false)), " ")
	return markdownEscaper.Replace(truncate(s, limit))
}

// codeSpan renders s as inline code: nothing inside is interpreted, mentions
// included. The fence is one backtick longer than any run inside.
func codeSpan(s string, limit int) string {
	s = truncate(cleanText(s, false), limit)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	switch {
	case s == "":
		s = " "
	case strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`"):
		s = " " + s + " "
	}
	return fence + s + fence
}

// fenced renders s as a fenced code block, at most limit bytes of input.
func fenced(s string, limit int) string {
	s = cleanText(s, true)
	if len(s) > limit {
		s = truncate(s, limit) + "\n[truncated]"
	}
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "text\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
