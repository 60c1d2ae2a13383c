package githubtest

import (
	"net/http"
	"strconv"

	"github.com/google/go-github/v66/github"
)

func (s *Server) checkRunJSON(c *CheckRun) *github.CheckRun {
	out := &github.CheckRun{
		ID: github.Int64(c.ID), Name: github.String(c.Name), HeadSHA: github.String(c.HeadSHA),
		Status: github.String(c.Status), ExternalID: github.String(c.ExternalID), App: &github.App{Slug: github.String(c.App)},
		Output: &github.CheckRunOutput{Title: github.String(c.Title), Summary: github.String(c.Summary)},
	}
	if c.Conclusion != "" {
		out.Conclusion = github.String(c.Conclusion)
	}
	return out
}

// listCheckRuns lists the check runs on a commit, newest first, filtered
// by check_name as GitHub does; with GitHub's default filter=latest only
// the newest run of each name, with filter=all every run.
func (s *Server) listCheckRuns(w http.ResponseWriter, r *http.Request) {
	if s.opts.CheckRunsForbidden {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message": "Resource not accessible by integration", "documentation_url": docsURL,
		})
		return
	}
	sha, name := r.PathValue("sha"), r.URL.Query().Get("check_name")
	all := r.URL.Query().Get("filter") == "all"
	var matched []*CheckRun
	seen := map[string]bool{}
	for i := len(s.checkRuns) - 1; i >= 0; i-- {
		c := s.checkRuns[i]
		if c.HeadSHA != sha || (name != "" && c.Name != name) || (!all && seen[c.Name]) {
			continue
		}
		seen[c.Name] = true
		matched = append(matched, c)
	}
	start, end, ok := pageBounds(w, r, len(matched))
	if !ok {
		return
	}
	out := &github.ListCheckRunsResults{Total: github.Int(len(matched)), CheckRuns: []*github.CheckRun{}}
	for _, c := range matched[start:end] {
		out.CheckRuns = append(out.CheckRuns, s.checkRunJSON(c))
	}
	writePage(w, r, out, len(matched))
}

// updateCheckRun sets the fields a PATCH carries on a check run.
func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var run *CheckRun
	for _, c := range s.checkRuns {
		if err == nil && c.ID == id {
			run = c
		}
	}
	if run == nil {
		notFound(w)
		return
	}
	var in github.UpdateCheckRunOptions
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Name != "" {
		run.Name = in.Name
	}
	if in.Status != nil {
		run.Status = in.GetStatus()
	}
	if in.Conclusion != nil {
		run.Status, run.Conclusion = "completed", in.GetConclusion()
	}
	if in.ExternalID != nil {
		run.ExternalID = in.GetExternalID()
	}
	if in.DetailsURL != nil {
		run.DetailsURL = in.GetDetailsURL()
	}
	if o := in.Output; o != nil {
		if len(o.GetSummary()) > 65535 || len(o.GetText()) > 65535 {
			unprocessable(w, ValidationError{Resource: "CheckRun", Field: "output", Code: "custom",
				Message: "Only 65535 characters are allowed"})
			return
		}
		run.Title, run.Summary, run.Text = o.GetTitle(), o.GetSummary(), o.GetText()
	}
	run.Updates++
	writeJSON(w, http.StatusOK, s.checkRunJSON(run))
}
