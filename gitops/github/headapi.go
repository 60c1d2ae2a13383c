package github

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/internal/retry"
)

// HeadAPI answers the upstream resolver's question (where does this
// branch point now?) through GitHub's commits API. It implements
// upstream.HeadAPI without this package importing upstream.
type HeadAPI struct{ client *github.Client }

// NewHeadAPI asks through client, which carries the authentication,
// retries and rate-limit waits.
func NewHeadAPI(client *github.Client) *HeadAPI { return &HeadAPI{client: client} }

// HeadAPI returns the registry client's view of upstream heads.
func (g *GitHub) HeadAPI() *HeadAPI { return NewHeadAPI(g.client) }

// CommitSHA asks for the commit ref of owner/repo points at, with lastSHA
// as the ETag: GitHub answers 304 when nothing moved, free of rate limit.
func (a *HeadAPI) CommitSHA(ctx context.Context, owner, repo, ref, lastSHA string) (string, bool, error) {
	sha, resp, err := a.client.Repositories.GetCommitSHA1(ctx, owner, repo, ref, lastSHA)
	if resp != nil && resp.StatusCode == http.StatusNotModified {
		return "", true, err
	}
	return sha, false, said(err)
}

// WebHost is the web host whose repositories the API serves: github.com
// for api.github.com, the API's own host for GitHub Enterprise
// (https://ghe.example.com/api/v3/), "" when the client says nothing.
func (a *HeadAPI) WebHost() string {
	base := a.client.BaseURL
	if base == nil || base.Host == "" {
		return ""
	}
	host := strings.ToLower(base.Host)
	if host == "api.github.com" {
		return "github.com"
	}
	return host
}

// NotFound is a 404 or 422: an unknown branch or repository.
func (a *HeadAPI) NotFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil &&
		(er.Response.StatusCode == http.StatusNotFound || er.Response.StatusCode == http.StatusUnprocessableEntity)
}

// Transient retries GitHub 5xx on top of the network cases. Rate limits
// are not waited on here: the GitHub transport does that, and auto mode
// falls back to git.
func (a *HeadAPI) Transient(err error) bool {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode >= 500
	}
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &abuse) {
		return false
	}
	return retry.Transient(err)
}
