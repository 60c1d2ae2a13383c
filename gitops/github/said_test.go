package github

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-github/v66/github"
)

func errorResponse(status int, msg string, details ...github.Error) *github.ErrorResponse {
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "api.github.com", Path: "/repos/o/r"}}
	return &github.ErrorResponse{Response: &http.Response{StatusCode: status, Request: req}, Message: msg, Errors: details}
}

// TestSaidOnce: GitHub's answer reads as one short clause, without
// go-github's method, URL and empty detail list, and still unwraps to the
// *ErrorResponse the status checks look for.
func TestSaidOnce(t *testing.T) {
	for _, tc := range []struct {
		err  *github.ErrorResponse
		want string
	}{
		{errorResponse(401, "Bad credentials"), "GitHub said 401 Bad credentials"},
		{errorResponse(502, ""), "GitHub said 502 Bad Gateway"},
		{errorResponse(422, "Validation Failed", github.Error{Message: "A pull request already exists"}, github.Error{Field: "head", Code: "invalid"}),
			"GitHub said 422 Validation Failed: A pull request already exists; head invalid"},
	} {
		err := said(tc.err)
		if err.Error() != tc.want {
			t.Errorf("said %q, want %q", err, tc.want)
		}
		if statusOf(fmt.Errorf("wrapped: %w", err)) != tc.err.Response.StatusCode {
			t.Errorf("%q lost its status", err)
		}
	}
	plain := errors.New("dial tcp: refused")
	if said(plain) != plain || said(nil) != nil {
		t.Error("said changed an error that is no GitHub answer")
	}
}

func TestCredentialsRejected(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{said(errorResponse(401, "Bad credentials")), true},
		{fmt.Errorf("get repository: %w", said(errorResponse(403, "Bad credentials"))), true},
		{said(errorResponse(403, "Resource not accessible by integration")), false},
		{said(errorResponse(404, "Not Found")), false},
		{said(errorResponse(500, "")), false},
		{fmt.Errorf("github o/r: %w", ErrNoInstallation), true},
		{errors.New("dial tcp: refused"), false},
	} {
		if got := CredentialsRejected(tc.err); got != tc.want {
			t.Errorf("CredentialsRejected(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
