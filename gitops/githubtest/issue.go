package githubtest

import (
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"
)

// getIssue answers a pull request read as an issue, as GitHub does: the
// issue view is where GitHub records who closed it (closed_by), which the
// pull request view lacks.
func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	out := &github.Issue{
		Number: github.Int(pr.Number),
		State:  github.String(pr.State),
		Title:  github.String(pr.Title),
		Body:   github.String(pr.Body),
		User:   &github.User{Login: github.String(pr.User)},
		PullRequestLinks: &github.PullRequestLinks{
			URL: github.String(fmt.Sprintf("%s%s/repos/%s/%s/pulls/%d", s.URL, APIPrefix, s.Owner, s.Repo, pr.Number)),
		},
	}
	if pr.ClosedBy != "" {
		out.ClosedBy = &github.User{Login: github.String(pr.ClosedBy)}
	}
	if !pr.ClosedAt.IsZero() {
		out.ClosedAt = &github.Timestamp{Time: pr.ClosedAt}
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, &github.Label{Name: github.String(l)})
	}
	writeJSON(w, http.StatusOK, out)
}
