package githubtest

import (
	"encoding/json"
	"net/http"

	"github.com/google/go-github/v66/github"
)

// CheckRun is a check run created through the API.
type CheckRun struct {
	ID         int64
	Name       string
	HeadSHA    string
	Status     string
	Conclusion string
	Title      string
	Summary    string
	Text       string
	DetailsURL string
	ExternalID string
	Updates    int    // PATCHes received
	App        string // slug of the App that created it (BotApp through the API)
}

// Status is a commit status.
type Status struct {
	SHA         string
	State       string
	Context     string
	Description string
	TargetURL   string
}

// Dispatch is a repository_dispatch event received.
type Dispatch struct {
	Repo      string // owner/name it was sent to
	EventType string
	Payload   json.RawMessage
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request) {
	if s.opts.CheckRunsForbidden {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message": "Resource not accessible by integration", "documentation_url": docsURL,
		})
		return
	}
	var in github.CreateCheckRunOptions
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Name == "" {
		unprocessable(w, ValidationError{Resource: "CheckRun", Field: "name", Code: "missing_field"})
		return
	}
	if !s.commitExistsLocked(in.HeadSHA) {
		unprocessableMessage(w, "No commit found for SHA: "+in.HeadSHA)
		return
	}
	if in.GetConclusion() != "" && in.GetStatus() != "" && in.GetStatus() != "completed" {
		unprocessable(w, ValidationError{Resource: "CheckRun", Field: "status", Code: "invalid"})
		return
	}
	run := &CheckRun{
		ID: s.newIDLocked(), Name: in.Name, HeadSHA: in.HeadSHA,
		Status: in.GetStatus(), Conclusion: in.GetConclusion(), DetailsURL: in.GetDetailsURL(), ExternalID: in.GetExternalID(), App: BotApp,
	}
	if run.Status == "" {
		run.Status = "queued"
	}
	if in.Conclusion != nil {
		run.Status = "completed"
	}
	if o := in.Output; o != nil {
		if o.GetTitle() == "" || o.GetSummary() == "" {
			unprocessable(w, ValidationError{Resource: "CheckRun", Field: "output", Code: "missing_field"})
			return
		}
		if len(o.GetSummary()) > 65535 || len(o.GetText()) > 65535 {
			unprocessable(w, ValidationError{Resource: "CheckRun", Field: "output", Code: "custom",
				Message: "Only 65535 characters are allowed"})
			return
		}
		run.Title, run.Summary, run.Text = o.GetTitle(), o.GetSummary(), o.GetText()
	}
	s.checkRuns = append(s.checkRuns, run)
	writeJSON(w, http.StatusCreated, &github.CheckRun{
		ID: github.Int64(run.ID), Name: github.String(run.Name), HeadSHA: github.String(run.HeadSHA),
		Status: github.String(run.Status), Conclusion: github.String(run.Conclusion),
	})
}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	var in github.RepoStatus
	if !decodeBody(w, r, &in) {
		return
	}
	switch in.GetState() {
	case "error", "failure", "pending", "success":
	default:
		unprocessable(w, ValidationError{Resource: "Status", Field: "state", Code: "custom",
			Message: "state is not included in the list"})
		return
	}
	if !s.commitExistsLocked(sha) {
		unprocessableMessage(w, "No commit found for SHA: "+sha)
		return
	}
	if len(in.GetDescription()) > 140 {
		unprocessable(w, ValidationError{Resource: "Status", Field: "description", Code: "custom",
			Message: "description is too long (maximum is 140 characters)"})
		return
	}
	st := &Status{SHA: sha, State: in.GetState(), Context: in.GetContext(),
		Description: in.GetDescription(), TargetURL: in.GetTargetURL()}
	if st.Context == "" {
		st.Context = "default"
	}
	s.statuses = append(s.statuses, st)
	writeJSON(w, http.StatusCreated, &github.RepoStatus{
		ID: github.Int64(s.newIDLocked()), State: github.String(st.State), Context: github.String(st.Context),
	})
}

type dispatchBody struct {
	EventType     string          `json:"event_type"`
	ClientPayload json.RawMessage `json:"client_payload"`
}

func (s *Server) createDispatch(w http.ResponseWriter, r *http.Request) {
	var in dispatchBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.EventType == "" || len(in.EventType) > 100 {
		unprocessable(w, ValidationError{Resource: "Repository", Field: "event_type", Code: "invalid"})
		return
	}
	if len(in.ClientPayload) > 0 && in.ClientPayload[0] != '{' {
		unprocessable(w, ValidationError{Resource: "Repository", Field: "client_payload", Code: "invalid"})
		return
	}
	s.dispatches = append(s.dispatches, Dispatch{
		Repo: r.PathValue("owner") + "/" + r.PathValue("repo"), EventType: in.EventType, Payload: in.ClientPayload,
	})
	w.WriteHeader(http.StatusNoContent)
}
