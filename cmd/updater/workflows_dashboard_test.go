package main

import (
	"strings"
	"testing"
)

// The dashboard workflow: on issue edits, only the dashboard's and not
// the bot's own, least privilege, no event data in the command, and its
// command line is a real one.
func TestDashboardWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "dashboard.yml")
	var on struct {
		Types []string `yaml:"types"`
	}
	node := wf.On["issues"]
	if triggers := keys(wf.On); len(triggers) != 1 || node.Decode(&on) != nil || strings.Join(on.Types, " ") != "edited" {
		t.Errorf("triggers %v %v, want issues: [edited]", triggers, on.Types)
	}
	wantPerms := map[string]string{"contents": "write", "pull-requests": "write", "checks": "write", "issues": "write"}
	if !equalMaps(wf.Permissions, wantPerms) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, wantPerms)
	}
	if c := wf.Concurrency; c == nil || c.CancelInProgress == nil || *c.CancelInProgress {
		t.Error("a dashboard run may be cancelled mid-write")
	}
	job, ok := wf.Jobs["act"]
	if !ok || len(wf.Jobs) != 1 || !job.Permissions.IsZero() {
		t.Fatalf("jobs %v, want one job \"act\" with the workflow's permissions", keys(wf.Jobs))
	}
	if !strings.Contains(job.If, "'updater-dashboard'") || !strings.Contains(job.If, "github.event.sender.type != 'Bot'") {
		t.Errorf("if: %q, want the dashboard label and not the bot's own edits", job.If)
	}
	var run *workflowStep
	for i, s := range job.Steps {
		if strings.Contains(s.Run, `"$RUNNER_TEMP/updater" run`) {
			run = &job.Steps[i]
		}
	}
	if run == nil {
		t.Fatal("no step runs `updater run`")
	}
	for k, v := range run.Env {
		if strings.Contains(v, "github.event") {
			t.Errorf("%s carries event data: %s", k, v)
		}
	}
	fs := commandFlags(t, runCommand())
	fs.String("log-format", "auto", "")
	fs.String("log-level", "info", "")
	_, args, _ := strings.Cut(run.Run, `"$RUNNER_TEMP/updater" run`)
	if err := fs.Parse(strings.Fields(args)); err != nil || fs.NArg() > 0 || fs.Lookup("ticked-only").Value.String() != "true" {
		t.Errorf("`updater run%s`: %v", args, err)
	}
}
