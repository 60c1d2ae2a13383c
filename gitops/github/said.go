package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"
)

// saidError is GitHub's answer to a request, said once: "GitHub said 401
// Bad credentials". go-github's own text repeats the method and URL the
// caller already names, and ends in the detail list even when it is
// empty ("401 Bad credentials []"). It unwraps to the *ErrorResponse, so
// status checks work through it.
type saidError struct{ er *github.ErrorResponse }

func (e *saidError) Error() string {
	var b strings.Builder
	b.WriteString("GitHub said")
	if e.er.Response != nil {
		fmt.Fprintf(&b, " %d", e.er.Response.StatusCode)
	}
	if msg := strings.TrimSpace(e.er.Message); msg != "" {
		b.WriteString(" " + msg)
	} else if e.er.Response != nil {
		b.WriteString(" " + http.StatusText(e.er.Response.StatusCode))
	}
	var details []string
	for _, d := range e.er.Errors {
		switch {
		case d.Message != "":
			details = append(details, d.Message)
		case d.Field != "" || d.Code != "":
			details = append(details, strings.TrimSpace(d.Field+" "+d.Code))
		}
	}
	if len(details) > 0 {
		b.WriteString(": " + strings.Join(details, "; "))
	}
	return b.String()
}

func (e *saidError) Unwrap() error { return e.er }

// said replaces a go-github *ErrorResponse returned by a call with its
// saidError; any other error is returned as is.
func said(err error) error {
	if er, ok := err.(*github.ErrorResponse); ok {
		return &saidError{er}
	}
	return err
}

// ErrNoInstallation is a GitHub App that is not installed on the registry
// repository (GitHub answers 404 to finding its installation).
var ErrNoInstallation = errors.New("the GitHub App is not installed on the repository")

// CredentialsRejected reports whether GitHub refused the bot's
// credentials: 401 (a wrong, expired or revoked token), a 403 that says
// "Bad credentials", or an App whose installation on the repository does
// not exist. No retry or other server can fix that; the operator can.
func CredentialsRejected(err error) bool {
	if errors.Is(err, ErrNoInstallation) {
		return true
	}
	switch statusOf(err) {
	case http.StatusUnauthorized:
		return true
	case http.StatusForbidden:
		return errorMentions(err, "bad credentials")
	}
	return false
}
