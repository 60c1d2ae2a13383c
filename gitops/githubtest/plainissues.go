package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Issue is the emulator's record of a plain issue (not a pull request);
// issues and pull requests share one numbering, as on GitHub.
type Issue struct {
	Number    int
	State     string // open or closed
	Title     string
	Body      string
	Labels    []string
	User      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Edits are the body's versions' editors, oldest first: the creation
	// and every change of the body (GraphQL userContentEdits).
	Edits []IssueEdit
}

// IssueEdit is one change of an issue's body.
type IssueEdit struct {
	Editor   string // "" for a deleted account
	EditedAt time.Time
}

func (is *Issue) clone() Issue {
	c := *is
	c.Labels = slices.Clone(is.Labels)
	c.Edits = slices.Clone(is.Edits)
	return c
}

func (s *Server) issueJSON(is *Issue) *github.Issue {
	return &github.Issue{
		Number:    github.Int(is.Number),
		State:     github.String(is.State),
		Title:     github.String(is.Title),
		Body:      github.String(is.Body),
		User:      &github.User{Login: github.String(is.User)},
		Labels:    labelsJSON(is.Labels),
		CreatedAt: &github.Timestamp{Time: is.CreatedAt},
		UpdatedAt: &github.Timestamp{Time: is.UpdatedAt},
		HTMLURL:   github.String(fmt.Sprintf("%s/%s/%s/issues/%d", s.URL, s.Owner, s.Repo, is.Number)),
	}
}

func (s *Server) plainIssueLocked(n int) *Issue {
	for _, is := range s.issues {
		if is.Number == n {
			return is
		}
	}
	return nil
}

// listIssues lists issues and pull requests, as GitHub does, filtered by
// state (default open) and labels (all of a comma list), by number in
// the asked direction (default desc).
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	match := func(st string, labels []string) bool {
		if state != "all" && st != state {
			return false
		}
		for _, l := range want {
			if !slices.Contains(labels, l) {
				return false
			}
		}
		return true
	}
	var out []*github.Issue
	for _, is := range s.issues {
		if match(is.State, is.Labels) {
			out = append(out, s.issueJSON(is))
		}
	}
	for _, pr := range s.pulls {
		if match(pr.State, pr.Labels) {
			out = append(out, &github.Issue{
				Number: github.Int(pr.Number), State: github.String(pr.State), Title: github.String(pr.Title),
				Body: github.String(pr.Body), User: &github.User{Login: github.String(pr.User)}, Labels: labelsJSON(pr.Labels),
				CreatedAt:        &github.Timestamp{Time: pr.CreatedAt},
				PullRequestLinks: &github.PullRequestLinks{URL: github.String(fmt.Sprintf("%s%s/repos/%s/%s/pulls/%d", s.URL, APIPrefix, s.Owner, s.Repo, pr.Number))},
			})
		}
	}
	asc := q.Get("direction") == "asc"
	sort.Slice(out, func(i, j int) bool { return (out[i].GetNumber() < out[j].GetNumber()) == asc })
	start, end, ok := pageBounds(w, r, len(out))
	if !ok {
		return
	}
	writePage(w, r, out[start:end], len(out))
}

type issueRequest struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	Labels *[]string `json:"labels"`
	State  *string   `json:"state"`
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	var in issueRequest
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Title == nil || *in.Title == "" {
		unprocessable(w, ValidationError{Resource: "Issue", Field: "title", Code: "missing_field"})
		return
	}
	body := ""
	if in.Body != nil {
		body = *in.Body
	}
	if !bodyFits(w, body) {
		return
	}
	var labels []string
	if in.Labels != nil {
		labels = *in.Labels
	}
	is := s.newIssueLocked(s.opts.BotLogin, *in.Title, body, labels)
	writeJSON(w, http.StatusCreated, s.issueJSON(is))
}

func (s *Server) newIssueLocked(user, title, body string, labels []string) *Issue {
	now := s.opts.Now()
	is := &Issue{
		Number: s.nextIssueNumberLocked(), State: "open", Title: title, Body: body, Labels: slices.Clone(labels),
		User: user, CreatedAt: now, UpdatedAt: now, Edits: []IssueEdit{{Editor: user, EditedAt: now}},
	}
	s.issues = append(s.issues, is)
	return is
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	is := s.plainIssueLocked(n)
	if is == nil {
		notFound(w)
		return
	}
	var in issueRequest
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Body != nil && !bodyFits(w, *in.Body) {
		return
	}
	s.editIssueLocked(is, s.opts.BotLogin, in)
	writeJSON(w, http.StatusOK, s.issueJSON(is))
}

func (s *Server) editIssueLocked(is *Issue, editor string, in issueRequest) {
	now := s.opts.Now()
	if in.Body != nil && *in.Body != is.Body {
		is.Body = *in.Body
		is.Edits = append(is.Edits, IssueEdit{Editor: editor, EditedAt: now})
	}
	if in.Title != nil {
		is.Title = *in.Title
	}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	if in.State != nil {
		is.State = *in.State
	}
	is.UpdatedAt = now
}

// getPermission answers GET collaborators/{user}/permission from the
// permissions SetPermission set (none for anyone else; admin for the bot).
func (s *Server) getPermission(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	perm, ok := s.perms[user]
	switch {
	case ok:
	case user == s.opts.BotLogin:
		perm = "admin"
	default:
		perm = "none"
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": perm, "user": map[string]string{"login": user}})
}

// graphql answers the one GraphQL query the updater makes: an issue's
// userContentEdits. The query text is not parsed, only recognised.
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query     string `json:"query"`
		Variables struct {
			Owner, Name string
			Number      int
		} `json:"variables"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	fail := func(msg string) {
		writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []map[string]string{{"message": msg}}})
	}
	if !strings.Contains(in.Query, "userContentEdits") {
		fail("githubtest: unsupported query")
		return
	}
	if !strings.EqualFold(in.Variables.Owner, s.Owner) || !strings.EqualFold(in.Variables.Name, s.Repo) {
		fail("Could not resolve to a Repository")
		return
	}
	is := s.plainIssueLocked(in.Variables.Number)
	if is == nil {
		fail("Could not resolve to an Issue")
		return
	}
	edits := is.Edits
	if len(edits) > 50 {
		edits = edits[len(edits)-50:]
	}
	nodes := []map[string]any{}
	for i := len(edits) - 1; i >= 0; i-- { // GitHub lists the newest first
		var editor any
		if edits[i].Editor != "" {
			editor = map[string]string{"login": edits[i].Editor}
		}
		nodes = append(nodes, map[string]any{"editedAt": edits[i].EditedAt.UTC().Format(time.RFC3339), "editor": editor})
	}
	doc := map[string]any{"data": map[string]any{"repository": map[string]any{"issue": map[string]any{
		"userContentEdits": map[string]any{"nodes": nodes}}}}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// Issues returns the plain issues, by number.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, is := range s.issues {
		out = append(out, is.clone())
	}
	return out
}

// OpenIssue opens an issue as user (a maintainer filing one by hand).
func (s *Server) OpenIssue(user, title, body string, labels ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIssueLocked(user, title, body, labels).Number
}

// EditIssueBody changes issue n's body as user would in the web editor
// (ticking a checkbox is such an edit): GraphQL then names user as its
// editor.
func (s *Server) EditIssueBody(n int, user, body string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.plainIssueLocked(n)
	if is == nil {
		s.t.Fatalf("githubtest: no issue #%d", n)
	}
	s.editIssueLocked(is, user, issueRequest{Body: &body})
}

// SetPermission sets user's permission on the registry repository (admin,
// write, read or none), as collaborators/{user}/permission reports it.
func (s *Server) SetPermission(user, perm string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perms == nil {
		s.perms = map[string]string{}
	}
	s.perms[user] = perm
}

// graphQLPath is GitHub Enterprise's GraphQL endpoint, next to REST's
// APIPrefix.
const graphQLPath = "/api/graphql"

// handleGraphQL registers the GraphQL endpoint, with the REST endpoints'
// authentication and lock.
func (s *Server) handleGraphQL() {
	s.api.HandleFunc("POST "+graphQLPath, func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, authToken) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.graphql(w, r)
	})
}
