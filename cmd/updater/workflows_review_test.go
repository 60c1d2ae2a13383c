package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestReviewPRWorkflow: the pull_request half of the fork-safe review is
// read-only, uses no secret, builds the bot from the base and only
// uploads the results.
func TestReviewPRWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "review-pr.yml")
	if len(wf.On) != 1 || wf.On["pull_request"].Kind == 0 {
		t.Errorf("triggers %v, want pull_request only", keys(wf.On))
	}
	if !equalMaps(wf.Permissions, map[string]string{"contents": "read"}) {
		t.Errorf("permissions %v, want contents: read only", wf.Permissions)
	}
	raw, _ := os.ReadFile(filepath.Join(workflowsDir, "review-pr.yml"))
	if strings.Contains(string(raw), "secrets.") {
		t.Error("review-pr.yml uses a secret")
	}
	job := wf.Jobs["review"]
	if job.Permissions.Kind != 0 {
		t.Error("the job widens the workflow's permissions")
	}
	var checkout, review, upload bool
	for _, s := range job.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/checkout@"):
			checkout = true
			if s.With["ref"] != "${{ github.event.pull_request.base.sha }}" || s.With["persist-credentials"] != "false" {
				t.Errorf("checkout with %v, want the base sha without credentials", s.With)
			}
		case strings.Contains(s.Run, "review --pr") && strings.Contains(s.Run, "--artifact"):
			review = true
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			upload = s.With["name"] == "review-results"
		}
	}
	if !checkout || !review || !upload {
		t.Errorf("steps: checkout of the base %v, review --pr --artifact %v, upload of review-results %v", checkout, review, upload)
	}
}

// TestReviewPublishWorkflow: the write half runs on review-pr's
// completion, never checks out the PR's code, takes the PR number and
// head SHA from the event through env: and downloads the artifact of the
// triggering run.
func TestReviewPublishWorkflow(t *testing.T) {
	wf, root := loadWorkflow(t, "review-publish.yml")
	var run struct {
		Workflows []string `yaml:"workflows"`
		Types     []string `yaml:"types"`
	}
	on := wf.On["workflow_run"]
	if err := on.Decode(&run); err != nil || len(wf.On) != 1 ||
		strings.Join(run.Workflows, ",") != "review-pr" || strings.Join(run.Types, ",") != "completed" {
		t.Errorf("triggers %v (%+v), want workflow_run of review-pr, completed", keys(wf.On), run)
	}
	for _, p := range []string{"checks", "pull-requests", "issues"} {
		if wf.Permissions[p] != "write" {
			t.Errorf("permission %s: %q, want write", p, wf.Permissions[p])
		}
	}
	if wf.Permissions["contents"] != "read" {
		t.Errorf("contents: %q, want read", wf.Permissions["contents"])
	}
	// No checkout of anything but the default branch: no ref, no
	// repository, anywhere a checkout is used.
	walkMapping(root, func(key, value *yaml.Node) {
		if key.Value == "ref" || key.Value == "repository" {
			t.Errorf("line %d: %s: %s: the publisher checks out only the default branch", key.Line, key.Value, value.Value)
		}
	})
	job := wf.Jobs["publish"]
	if !strings.Contains(job.If, "workflow_run.event == 'pull_request'") {
		t.Errorf("if: %q, want only runs triggered by pull requests", job.If)
	}
	var download, publish bool
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "actions/download-artifact@") {
			download = s.With["run-id"] == "${{ github.event.workflow_run.id }}" && s.With["name"] == "review-results"
		}
		if strings.Contains(s.Run, "review publish") {
			publish = strings.Contains(s.Env["PR_NUMBER"], "github.event.workflow_run.pull_requests") &&
				s.Env["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}" &&
				strings.Contains(s.Run, `--pr "$PR_NUMBER" --head "$HEAD_SHA"`)
		}
	}
	if !download || !publish {
		t.Errorf("download of the triggering run's artifact %v; publish with the event's PR and head through env: %v", download, publish)
	}
}

// TestAuditWorkflow: weekly and by hand, reading the registry and writing
// only issues (the dashboard's audit section), the report uploaded.
func TestAuditWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "audit.yml")
	if len(wf.On) != 2 || wf.On["schedule"].Kind == 0 || wf.On["workflow_dispatch"].Kind == 0 {
		t.Errorf("triggers %v, want schedule and workflow_dispatch", keys(wf.On))
	}
	if !equalMaps(wf.Permissions, map[string]string{"contents": "read", "issues": "write"}) {
		t.Errorf("permissions %v, want contents: read and issues: write only", wf.Permissions)
	}
	var audit, upload bool
	for _, s := range wf.Jobs["audit"].Steps {
		audit = audit || strings.Contains(s.Run, "updater audit")
		upload = upload || strings.HasPrefix(s.Uses, "actions/upload-artifact@") && s.If == "always()"
	}
	if !audit || !upload {
		t.Errorf("audit step %v, upload always %v", audit, upload)
	}
}
