package githubtest

import (
	"net/http"
	"slices"
	"strings"
)

// requestReviewers is POST /pulls/{n}/requested_reviewers: users and
// team slugs (stored as owner/slug). Like GitHub, the PR's author cannot
// be asked, and a closed PR takes no requests.
func (s *Server) requestReviewers(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var body struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if pr.State != "open" {
		unprocessableMessage(w, "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the "+s.Owner+"/"+s.Repo+" repository.")
		return
	}
	for _, u := range body.Reviewers {
		if strings.EqualFold(u, pr.User) {
			unprocessableMessage(w, "Review cannot be requested from pull request author.")
			return
		}
	}
	for _, u := range body.Reviewers {
		pr.Reviewers = appendNew(pr.Reviewers, u)
	}
	for _, t := range body.TeamReviewers {
		pr.Reviewers = appendNew(pr.Reviewers, s.Owner+"/"+t)
	}
	pr.UpdatedAt = s.opts.Now()
	writeJSON(w, http.StatusCreated, s.pullJSON(pr))
}

// addAssignees is POST /issues/{n}/assignees.
func (s *Server) addAssignees(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var body struct {
		Assignees []string `json:"assignees"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	for _, u := range body.Assignees {
		pr.Assignees = appendNew(pr.Assignees, u)
	}
	pr.UpdatedAt = s.opts.Now()
	writeJSON(w, http.StatusCreated, s.pullJSON(pr))
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
