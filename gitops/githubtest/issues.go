package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/go-github/v66/github"
)

// Comment is an issue comment on a pull request.
type Comment struct {
	ID        int64
	Issue     int
	User      string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (s *Server) commentJSON(c *Comment) *github.IssueComment {
	return &github.IssueComment{
		ID:        github.Int64(c.ID),
		HTMLURL:   github.String(fmt.Sprintf("%s/%s/%s/pull/%d#issuecomment-%d", s.URL, s.Owner, s.Repo, c.Issue, c.ID)),
		Body:      github.String(c.Body),
		User:      &github.User{Login: github.String(c.User)},
		CreatedAt: &github.Timestamp{Time: c.CreatedAt},
		UpdatedAt: &github.Timestamp{Time: c.UpdatedAt},
	}
}

func (s *Server) newIDLocked() int64 {
	s.nextID++
	return s.nextID
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var mine []*Comment
	for _, c := range s.comments {
		if c.Issue == pr.Number {
			mine = append(mine, c)
		}
	}
	start, end, ok := pageBounds(w, r, len(mine))
	if !ok {
		return
	}
	out := []*github.IssueComment{}
	for _, c := range mine[start:end] {
		out = append(out, s.commentJSON(c))
	}
	writePage(w, r, out, len(mine))
}

type commentBody struct {
	Body *string `json:"body"`
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var in commentBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Body == nil || *in.Body == "" {
		unprocessable(w, ValidationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	now := s.opts.Now()
	c := &Comment{ID: s.newIDLocked(), Issue: pr.Number, User: s.opts.BotLogin, Body: *in.Body, CreatedAt: now, UpdatedAt: now}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusCreated, s.commentJSON(c))
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var c *Comment
	for _, cand := range s.comments {
		if err == nil && cand.ID == id {
			c = cand
		}
	}
	if c == nil {
		notFound(w)
		return
	}
	var in commentBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Body == nil || *in.Body == "" {
		unprocessable(w, ValidationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	c.Body, c.UpdatedAt = *in.Body, s.opts.Now()
	writeJSON(w, http.StatusOK, s.commentJSON(c))
}

func labelsJSON(names []string) []*github.Label {
	out := []*github.Label{}
	for _, n := range names {
		out = append(out, &github.Label{Name: github.String(n)})
	}
	return out
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	if pr := s.pullByNumber(w, r); pr != nil {
		writeJSON(w, http.StatusOK, labelsJSON(pr.Labels))
	}
}

// addLabels accepts both bodies GitHub does: ["a","b"] and {"labels":[...]}.
func (s *Server) addLabels(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var raw json.RawMessage
	if !decodeBody(w, r, &raw) {
		return
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		var obj struct {
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			badRequest(w, "Problems parsing JSON")
			return
		}
		names = obj.Labels
	}
	for _, n := range names {
		if n == "" || len(n) > 50 {
			unprocessable(w, ValidationError{Resource: "Label", Field: "name", Code: "invalid"})
			return
		}
	}
	for _, n := range names {
		s.implicitLabelLocked(n)
		if !slices.Contains(pr.Labels, n) {
			pr.Labels = append(pr.Labels, n)
		}
	}
	pr.UpdatedAt = s.opts.Now()
	writeJSON(w, http.StatusOK, labelsJSON(pr.Labels))
}

func (s *Server) removeLabel(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	name := r.PathValue("name")
	i := slices.Index(pr.Labels, name)
	if i < 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Label does not exist", "documentation_url": docsURL})
		return
	}
	pr.Labels = slices.Delete(pr.Labels, i, i+1)
	pr.UpdatedAt = s.opts.Now()
	writeJSON(w, http.StatusOK, labelsJSON(pr.Labels))
}

// getIssue answers a pull request read as an issue, as GitHub does: the
// issue view is where GitHub records who closed it (closed_by), which the
// pull request view lacks.
func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	if n, err := strconv.Atoi(r.PathValue("number")); err == nil {
		if is := s.plainIssueLocked(n); is != nil {
			writeJSON(w, http.StatusOK, s.issueJSON(is))
			return
		}
	}
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
