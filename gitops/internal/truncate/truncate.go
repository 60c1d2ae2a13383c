// Package truncate cuts text to a byte budget without splitting a UTF-8
// character, for the upstream and GitHub packages alike. It owns no policy
// about what the text is; it must not import anything outside the standard
// library.
package truncate

import "unicode/utf8"

// UTF8 cuts s to at most max bytes without splitting a character; a cut
// string ends in an ellipsis.
func UTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
