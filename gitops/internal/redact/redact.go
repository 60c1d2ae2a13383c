// Package redact keeps secrets out of errors and log lines: the values the
// process registers (tokens, JWTs), URL credentials, GitHub-shaped tokens
// and Authorization values. It imports only the standard library.
package redact

import (
	"regexp"
	"strings"
	"sync"
)

// Secrets the process holds (the configured token, GitHub App installation
// tokens as they are minted, the App's JWTs) are registered here so that
// every error and log line leaving gitops can be scrubbed of them, the way
// GitHub Actions masks registered values. The registry only grows: a token
// that expired is still a secret.
var secretRegistry struct {
	mu     sync.RWMutex
	values []string
}

// minSecretLen keeps a short, accidental value (an empty password, "x")
// from turning every occurrence of a common substring into "***".
const minSecretLen = 6

const redactedMark = "***"

// AddSecret registers a value that must never appear in an error or log
// line. Values shorter than a few characters are ignored.
func AddSecret(value string) {
	value = strings.TrimSpace(value)
	if len(value) < minSecretLen {
		return
	}
	secretRegistry.mu.Lock()
	defer secretRegistry.mu.Unlock()
	for _, v := range secretRegistry.values {
		if v == value {
			return
		}
	}
	secretRegistry.values = append(secretRegistry.values, value)
}

var (
	// userinfoRE matches the credentials part of a URL: scheme://user:pass@.
	userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)
	// tokenRE matches GitHub's token formats even when nobody registered
	// them (a token that came from somewhere we did not expect).
	tokenRE = regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`)
	// authHeaderRE matches an Authorization header value echoed in a dump.
	authHeaderRE = regexp.MustCompile(`(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}`)
)

// Redact removes every registered secret, URL credentials, GitHub-shaped
// tokens and Authorization values from s.
func Redact(s string) string {
	secretRegistry.mu.RLock()
	for _, v := range secretRegistry.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redactedMark)
		}
	}
	secretRegistry.mu.RUnlock()
	s = userinfoRE.ReplaceAllString(s, "${1}"+redactedMark+"@")
	s = tokenRE.ReplaceAllString(s, redactedMark)
	s = authHeaderRE.ReplaceAllString(s, "${1} "+redactedMark)
	return s
}

// RedactError returns err unchanged when its message holds nothing to
// redact, and otherwise an error with the redacted message that still
// unwraps to err, so errors.Is and errors.As keep working. Callers must
// print the returned error, not something they dig out of its chain.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Redact(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
