package upstream

import (
	"github.com/mcp-registry/updater/gitops/internal/redact"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxUpstreamErrorText bounds how much of an error (which may quote an
// upstream's error page) ends up in a log line or report.
const maxUpstreamErrorText = 512

// UpstreamError is a failure talking to or reading from one upstream
// repository. Its message names the project with credentials removed and
// carries no secret and no control characters (an upstream's error text
// could try to rewrite the operator's terminal). It unwraps to the cause,
// so errors.Is(err, transport.ErrRepositoryNotFound) and friends work;
// print the UpstreamError itself, not what is dug out of its chain.
type UpstreamError struct {
	Project string // redacted URL
	Op      string // "list refs", "fetch", ...
	Err     error
	msg     string
}

func (e *UpstreamError) Error() string { return e.msg }
func (e *UpstreamError) Unwrap() error { return e.Err }

// upstreamError wraps err for project. It returns nil for nil and does not
// wrap an UpstreamError twice.
func upstreamError(project, op string, err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*UpstreamError); ok {
		return ue
	}
	p := RedactURL(project)
	return &UpstreamError{
		Project: p,
		Op:      op,
		Err:     err,
		// go-git's "repository not found: " ends in an empty server message.
		msg: op + " " + p + ": " + strings.TrimRight(printableText(redact.Redact(err.Error()), maxUpstreamErrorText), ": "),
	}
}

// printableText replaces control characters and invalid UTF-8 with a
// space-like placeholder and truncates to max bytes on a rune boundary.
func printableText(s string, max int) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteByte('?')
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isFormatRune(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// isFormatRune reports bidi overrides and zero-width characters, which can
// make a message read differently from what it says.
func isFormatRune(r rune) bool {
	return unicode.Is(unicode.Cf, r)
}
