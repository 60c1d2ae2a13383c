package githubtest

import (
	"net/http"
	"slices"

	"github.com/google/go-github/v66/github"
)

// BotApp is the App slug of check runs created through the API.
const BotApp = "updater-bot-app"

type mergeBody struct {
	SHA         string `json:"sha"`
	MergeMethod string `json:"merge_method"`
	CommitTitle string `json:"commit_title"`
}

// mergePull is PUT /pulls/{number}/merge with GitHub's guards: 405 when
// the PR is not open or not mergeable, 409 when sha is not its head.
func (s *Server) mergePull(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var in mergeBody
	if !decodeBody(w, r, &in) {
		return
	}
	method := in.MergeMethod
	if method == "" {
		method = "merge"
	}
	if method != "merge" && method != "squash" && method != "rebase" {
		unprocessable(w, ValidationError{Resource: "PullRequest", Field: "merge_method", Code: "invalid"})
		return
	}
	if pr.State != "open" || pr.Draft || pr.Unmergeable {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Pull Request is not mergeable", "documentation_url": docsURL})
		return
	}
	if in.SHA != "" && in.SHA != pr.HeadSHA {
		writeJSON(w, http.StatusConflict, map[string]string{"message": "Head branch was modified. Review and try the merge again.", "documentation_url": docsURL})
		return
	}
	tip := s.mergeLocked(pr)
	pr.MergeMethod = method
	writeJSON(w, http.StatusOK, &github.PullRequestMergeResult{
		SHA: github.String(tip), Merged: github.Bool(true), Message: github.String("Pull Request successfully merged"),
	})
}

// listStatuses answers a commit's statuses, newest first.
func (s *Server) listStatuses(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	var matched []*Status
	for i := len(s.statuses) - 1; i >= 0; i-- {
		if s.statuses[i].SHA == sha {
			matched = append(matched, s.statuses[i])
		}
	}
	start, end, ok := pageBounds(w, r, len(matched))
	if !ok {
		return
	}
	out := []*github.RepoStatus{}
	for _, st := range matched[start:end] {
		out = append(out, &github.RepoStatus{
			State: github.String(st.State), Context: github.String(st.Context), Description: github.String(st.Description),
		})
	}
	writePage(w, r, out, len(matched))
}

// getRequiredChecks answers branch protection's required checks, 404
// for a branch without protection as GitHub does.
func (s *Server) getRequiredChecks(w http.ResponseWriter, r *http.Request) {
	req, ok := s.required[r.PathValue("branch")]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Branch not protected", "documentation_url": docsURL})
		return
	}
	contexts := slices.Clone(req)
	writeJSON(w, http.StatusOK, &github.RequiredStatusChecks{Strict: true, Contexts: &contexts})
}

// AddCheckRun records a check run by another App (a CI) on sha: status
// queued, in_progress or completed, with conclusion when completed.
func (s *Server) AddCheckRun(sha, app, name, status, conclusion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkRuns = append(s.checkRuns, &CheckRun{
		ID: s.newIDLocked(), Name: name, HeadSHA: sha, Status: status, Conclusion: conclusion, App: app, Title: name,
	})
}

// AddStatus records a commit status on sha, as a CI would.
func (s *Server) AddStatus(sha, context, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = append(s.statuses, &Status{SHA: sha, Context: context, State: state})
}

// SetRequiredChecks protects branch, requiring the named checks.
func (s *Server) SetRequiredChecks(branch string, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.required == nil {
		s.required = map[string][]string{}
	}
	s.required[branch] = slices.Clone(names)
}

// SetDraft marks pull request n draft or ready.
func (s *Server) SetDraft(n int, draft bool) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPullLocked(n).Draft = draft
}

// SetMergeable sets what GitHub says of pull request n's mergeability.
func (s *Server) SetMergeable(n int, mergeable bool) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPullLocked(n).Unmergeable = !mergeable
}
