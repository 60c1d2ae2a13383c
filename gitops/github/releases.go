package github

import (
	"context"
	"net/http"
)

// ReleaseNote is the body of the GitHub release of an upstream's tag (its
// release notes, untrusted Markdown), through the client's API host;
// found is false when the tag has no release there.
func (a *HeadAPI) ReleaseNote(ctx context.Context, owner, repo, tag string) (body string, found bool, err error) {
	rel, resp, err := a.client.Repositories.GetReleaseByTag(ctx, owner, repo, tag)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return rel.GetBody(), true, nil
}
