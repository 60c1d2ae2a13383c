// Package mdsafe is the one sanitizer for untrusted text (upstream paths,
// commit subjects, author names, package names, hosts, an agent's report)
// placed in Markdown that people read and bots parse: PR bodies, review
// reports and comments, check output, step summaries. One rule set: the
// text is made valid UTF-8, stripped of control characters, invisible
// characters are shown as [U+XXXX], and it is either escaped (prose) or
// fenced (code), so it can neither break the layout, nor inject HTML, nor
// mention or cross-reference anyone, nor hide text.
//
// It imports only the standard library.
package mdsafe

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes s valid UTF-8, drops control characters (keeping tab and,
// when keepNewlines, newline; other line breaks become spaces), and shows
// invisible formatting characters (zero-width, bidi controls, tag
// characters: Unicode's Cf) as [U+XXXX] so a reader sees they are there.
func Text(s string, keepNewlines bool) string {
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
		case unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029:
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Line is Text on one line: runs of white space become one space, and
// the ends are trimmed.
func Line(s string) string { return strings.Join(strings.Fields(Text(s, false)), " ") }

// Truncate cuts s to at most limit bytes on a rune boundary, marking the
// cut with an ellipsis.
func Truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// proseEscaper escapes what could start emphasis, links, images, tables
// or headings; HTML and entity references become entities (& included, so
// an entity in the input cannot decode to what is escaped here).
var proseEscaper = strings.NewReplacer(
	`&`, `&amp;`, `<`, `&lt;`, `>`, `&gt;`,
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`|`, `\|`, `~`, `\~`, `!`, `\!`,
	// A word joiner after @ stops a mention, after # an issue reference
	// or a heading; inside :// and www. it stops autolinking.
	`@`, "@\u2060", `#`, "#\u2060", `://`, ":\u2060//", `www.`, "www\u2060.",
)

// Prose renders untrusted text as plain Markdown prose on one line, at
// most limit bytes of input.
func Prose(s string, limit int) string {
	return proseEscaper.Replace(Truncate(Line(s), limit))
}

// Code renders s as inline code, where nothing is interpreted, mentions
// included; at most limit bytes of input. The fence is one backtick
// longer than any run inside.
func Code(s string, limit int) string {
	s = Truncate(Text(s, false), limit)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	switch {
	case s == "":
		s = " "
	case strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`"):
		s = " " + s + " "
	}
	return fence + s + fence
}

// CellCode is Code inside a table cell, where GitHub needs a pipe escaped
// even in code (and shows it without the backslash).
func CellCode(s string, limit int) string {
	return strings.ReplaceAll(Code(s, limit), "|", `\|`)
}

// Fenced renders s as a fenced code block, at most limit bytes of input.
func Fenced(s string, limit int) string {
	s = Text(s, true)
	if len(s) > limit {
		s = Truncate(s, limit) + "\n[truncated]"
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

// documentEscaper neutralises, in a whole Markdown document, what can act
// beyond the page: HTML (every <, >; & is escapeAmpersands'), mentions,
// links and images (an inline link's "](", a reference link's "][" and
// "]:" definition, an image's "!["), and autolinks. Headings, lists,
// tables, emphasis and code spans keep working.
var documentEscaper = strings.NewReplacer(
	`<`, `&lt;`, `>`, `&gt;`,
	`](`, `]\(`, `][`, `]\[`, `]:`, `]\:`, `![`, `\![`,
	`@`, "@\u2060", `://`, ":\u2060//", `www.`, "www\u2060.",
)

// issueRefRE is a cross-reference (#123, GH-123): a word joiner stops it.
var issueRefRE = regexp.MustCompile(`(#|GH-)([0-9])`)

// Document makes a whole Markdown document from an untrusted source (a
// review report read from a results artifact, which a pull request's own
// workflow produced) safe to post, at most limit bytes of input: Text's
// cleaning, then no HTML, no mention, no cross-reference, no link, no
// image and no autolink, while the report's layout stays readable.
//
// A report the bot rendered already holds word joiners (Prose puts them
// after @, :// and the like) and entities (&lt;): the joiners are taken
// out first, the escaper puts them back where they matter, so they do not
// show as hidden characters; the five entities Markdown text uses are
// kept, so they are not shown escaped twice.
func Document(s string, limit int) string {
	s = Text(strings.ReplaceAll(s, "\u2060", ""), true)
	if len(s) > limit {
		s = Truncate(s, limit) + "\n\n[truncated]"
	}
	return issueRefRE.ReplaceAllString(documentEscaper.Replace(escapeAmpersands(s)), "$1\u2060$2")
}

// textEntities are the entities a sanitized report holds; they only ever
// render as their character.
var textEntities = []string{"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"}

// escapeAmpersands escapes every & that does not start a text entity.
func escapeAmpersands(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		kept := false
		for _, e := range textEntities {
			if strings.HasPrefix(s, e) {
				b.WriteString(e)
				s = s[len(e):]
				kept = true
				break
			}
		}
		if !kept {
			b.WriteString("&amp;")
			s = s[1:]
		}
	}
}
