package review

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

// Upstream code that hides what it does splits names into pieces, encodes
// them, or spells them backwards. reveal undoes the cheap tricks on one
// line so the behaviour rules see the names a reader would only see by
// running the code. It never executes anything: it joins adjacent string
// literals and decodes literals that are valid base64, hex, char codes or
// reversed text, and appends what it found to the line.

var (
	// literalJoin is a string literal ending next to another one, "ex" + "ec"
	// or Python's implicit 'ex' 'ec'.
	literalJoin = regexp.MustCompile(`(["'` + "`" + `])\s*\+?\s*(["'` + "`" + `])`)
	quotedText  = regexp.MustCompile(`"([^"\\\n]{2,})"|'([^'\\\n]{2,})'|` + "`([^`\\\\\\n]{2,})`")
	charCodes   = regexp.MustCompile(`(?i)(?:fromCharCode|bytes|bytearray|chr)\s*\(\s*\[?\s*((?:0x[0-9a-f]+|\d{1,3})(?:\s*,\s*(?:0x[0-9a-f]+|\d{1,3}))+)`)
	chrChain    = regexp.MustCompile(`\bchr\s*\(\s*(\d{1,3})\s*\)`)
	arrayJoin   = regexp.MustCompile(`\[((?:\s*["'][^"'\n]*["']\s*,?)+)\]\s*\.join\(\s*["']([^"'\n]*)["']\s*\)`)
	pyJoin      = regexp.MustCompile(`["']([^"'\n]*)["']\s*\.join\(\s*[\[(]((?:\s*["'][^"'\n]*["']\s*,?)+)[\])]\s*\)`)
	itemText    = regexp.MustCompile(`["']([^"'\n]*)["']`)
	base64Text  = regexp.MustCompile(`^[A-Za-z0-9+/_-]{6,}={0,2}$`)
	hexText     = regexp.MustCompile(`^(?:[0-9a-fA-F]{2}){4,}$`)
)

// reveal returns text followed by whatever its literals decode to, or
// text itself when nothing decodes.
func reveal(text string) string {
	if !strings.ContainsAny(text, "\"'`") && !strings.Contains(text, "chr") && !strings.Contains(text, "CharCode") {
		return text // every trick works on literals
	}
	var extra []string
	joined := text
	if adjacentLiterals(text) {
		joined = joinLiterals(text)
	}
	if joined != text {
		extra = append(extra, joined)
	}
	if strings.Contains(text, "join") {
		for _, m := range arrayJoin.FindAllStringSubmatch(text, 4) {
			extra = append(extra, joinItems(m[1], m[2]))
		}
		for _, m := range pyJoin.FindAllStringSubmatch(text, 4) {
			extra = append(extra, joinItems(m[2], m[1]))
		}
	}
	if strings.Contains(text, "CharCode") || strings.Contains(text, "bytes") || strings.Contains(text, "chr") {
		for _, m := range charCodes.FindAllStringSubmatch(text, 4) {
			extra = append(extra, codesText(strings.Split(m[1], ",")))
		}
		if ms := chrChain.FindAllStringSubmatch(text, 64); len(ms) >= 2 {
			codes := make([]string, len(ms))
			for i, m := range ms {
				codes[i] = m[1]
			}
			extra = append(extra, codesText(codes))
		}
	}
	reversed := strings.Contains(text, "reverse") || strings.Contains(text, "[::-1]")
	if !reversed && !encodedLiteral(joined) {
		if len(extra) == 0 {
			return text
		}
		return text + " \x00 " + strings.Join(extra, " \x00 ")
	}
	for _, m := range quotedText.FindAllStringSubmatch(joined, 16) {
		lit := m[1] + m[2] + m[3]
		if len(lit) >= 8 {
			if d, ok := decodeLiteral(lit); ok {
				extra = append(extra, d)
			}
		}
		if reversed {
			extra = append(extra, reverseString(lit))
		}
	}
	if len(extra) == 0 {
		return text
	}
	return text + " \x00 " + strings.Join(extra, " \x00 ")
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// adjacentLiterals reports a quote followed, after spaces and perhaps a
// plus, by another quote: two literals that join.
func adjacentLiterals(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isQuote(s[i]) {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == '+' {
			j++
			for j < len(s) && s[j] == ' ' {
				j++
			}
		}
		if j > i+1 && j < len(s) && isQuote(s[j]) {
			return true
		}
	}
	return false
}

// encodedLiteral reports a quote followed by six or more base64 or hex
// characters: a literal decodeLiteral might decode.
func encodedLiteral(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isQuote(s[i]) {
			continue
		}
		n := 0
		for j := i + 1; j < len(s); j++ {
			c := s[j]
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-' {
				n++
				continue
			}
			if n >= 6 && (c == '=' || isQuote(c)) {
				return true
			}
			break
		}
	}
	return false
}

// joinLiterals joins string literals next to each other: "ex" + "ec".
func joinLiterals(text string) string {
	return literalJoin.ReplaceAllStringFunc(text, func(m string) string {
		if m[0] != m[len(m)-1] {
			return m
		}
		return ""
	})
}

func joinItems(items, sep string) string {
	var parts []string
	for _, it := range itemText.FindAllStringSubmatch(items, -1) {
		parts = append(parts, it[1])
	}
	return `"` + strings.Join(parts, sep) + `"`
}

func codesText(codes []string) string {
	var b strings.Builder
	for _, c := range codes {
		n, err := strconv.ParseInt(strings.TrimSpace(c), 0, 32)
		if err != nil || n < 9 || n > 126 {
			return ""
		}
		b.WriteByte(byte(n))
	}
	return `"` + b.String() + `"`
}

// decodeLiteral decodes a literal that is hex or base64 of printable text.
func decodeLiteral(lit string) (string, bool) {
	if len(lit) > 4096 {
		return "", false
	}
	var out []byte
	switch {
	case hexText.MatchString(lit):
		out, _ = hex.DecodeString(lit)
	case base64Text.MatchString(lit):
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(lit); err == nil {
				out = b
				break
			}
		}
	}
	if len(out) < 3 || !printable(out) {
		return "", false
	}
	return `"` + string(out) + `"`, true
}

func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c > 0x7e {
			return false
		}
	}
	return true
}

func reverseString(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return `"` + string(r) + `"`
}
