package github

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
)

// RequestPeople requests reviewers (logins; org/team names a team of the
// registry's owner) and adds assignees on an open pull request. Each is
// one write, retried like the others.
func (g *GitHub) RequestPeople(ctx context.Context, number int, reviewers, assignees []string) error {
	if len(reviewers) > 0 {
		var req github.ReviewersRequest
		for _, r := range reviewers {
			if _, team, ok := strings.Cut(r, "/"); ok {
				req.TeamReviewers = append(req.TeamReviewers, team)
			} else {
				req.Reviewers = append(req.Reviewers, r)
			}
		}
		if _, _, err := g.client.PullRequests.RequestReviewers(withRetrySafe(ctx), g.owner, g.name, number, req); err != nil {
			return g.fail(fmt.Sprintf("request reviewers %s on pull request #%d", strings.Join(reviewers, ", "), number), err)
		}
	}
	if len(assignees) > 0 {
		if _, _, err := g.client.Issues.AddAssignees(withRetrySafe(ctx), g.owner, g.name, number, assignees); err != nil {
			return g.fail(fmt.Sprintf("assign %s to pull request #%d", strings.Join(assignees, ", "), number), err)
		}
	}
	return nil
}
