package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"
	"github.com/mcp-registry/updater/gitops/internal/truncate"
	"github.com/mcp-registry/updater/registry/valid"
)

// Check is the outcome of a review, published on a pull request's head
// commit.
type Check struct {
	Name       string // e.g. security-review/<server>
	HeadSHA    string
	Conclusion string // success, neutral or failure
	Title      string
	Summary    string
	Text       string
	DetailsURL string
}

// GitHub's limits on check run output and commit status descriptions.
const (
	maxCheckOutput       = 65535
	maxStatusDescription = 140
)

// PublishCheck creates a completed check run. Where the token may not
// create check runs (only GitHub Apps may; an Actions or personal token
// gets 403/404 "Resource not accessible by integration"), it sets a commit
// status with the same name instead: failure stays failure, and neutral,
// which statuses lack, becomes success with the description saying so.
func (g *GitHub) PublishCheck(ctx context.Context, c Check) error {
	op := fmt.Sprintf("publish check %q on %s", c.Name, c.HeadSHA)
	switch {
	case c.Name == "":
		return g.fail(op, errors.New("check has no name"))
	case !valid.FullSHA(c.HeadSHA):
		return g.fail(op, errors.New("head is not a full commit SHA"))
	case c.Conclusion != "success" && c.Conclusion != "neutral" && c.Conclusion != "failure":
		return g.fail(op, fmt.Errorf("conclusion %q is not success, neutral or failure", c.Conclusion))
	}
	title := c.Title
	if title == "" {
		title = c.Name
	}
	run := github.CreateCheckRunOptions{
		Name:       c.Name,
		HeadSHA:    c.HeadSHA,
		Status:     github.String("completed"),
		Conclusion: github.String(c.Conclusion),
		Output: &github.CheckRunOutput{
			Title:   github.String(truncate.UTF8(title, 1000)),
			Summary: github.String(truncate.UTF8(c.Summary, maxCheckOutput)),
			Text:    github.String(truncate.UTF8(c.Text, maxCheckOutput)),
		},
	}
	if c.DetailsURL != "" {
		run.DetailsURL = github.String(c.DetailsURL)
	}
	_, _, err := g.client.Checks.CreateCheckRun(ctx, g.owner, g.name, run)
	if err == nil {
		return nil
	}
	if s := statusOf(err); s != http.StatusForbidden && s != http.StatusNotFound {
		return g.fail(op, err)
	}
	state, description := c.Conclusion, title
	if state == "neutral" {
		state, description = "success", "neutral: "+title
	}
	status := &github.RepoStatus{
		State:       github.String(state),
		Context:     github.String(c.Name),
		Description: github.String(truncate.UTF8(description, maxStatusDescription)),
	}
	if c.DetailsURL != "" {
		status.TargetURL = github.String(c.DetailsURL)
	}
	// A status is last-wins per context: sending it twice is harmless.
	if _, _, err := g.client.Repositories.CreateStatus(withRetrySafe(ctx), g.owner, g.name, c.HeadSHA, status); err != nil {
		return g.fail(op+" (as a commit status, check runs not permitted)", err)
	}
	return nil
}

// Dispatch sends a repository_dispatch event to repo ("owner/name", which
// may be another repository than the registry, such as the reviewer's).
// payload must marshal to a JSON object.
func (g *GitHub) Dispatch(ctx context.Context, repo, eventType string, payload any) error {
	op := fmt.Sprintf("dispatch %q to %s", eventType, repo)
	owner, name, err := splitRepository(repo)
	if err != nil {
		return g.fail(op, err)
	}
	if eventType == "" || len(eventType) > 100 {
		return g.fail(op, errors.New("event type must be 1 to 100 characters"))
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return g.fail(op, fmt.Errorf("payload: %w", err))
	}
	if len(raw) == 0 || raw[0] != '{' {
		return g.fail(op, errors.New("payload must be a JSON object"))
	}
	msg := json.RawMessage(raw)
	_, _, err = g.client.Repositories.Dispatch(ctx, owner, name, github.DispatchRequestOptions{
		EventType: eventType, ClientPayload: &msg,
	})
	if err != nil {
		return g.fail(op, err)
	}
	return nil
}
