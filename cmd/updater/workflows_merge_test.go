package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestNoExpressionsInRunScripts: an expression inside a run: script is
// pasted into the shell before it runs, so event data there (a branch
// name, a PR title) is code. Every workflow passes values through env:.
func TestNoExpressionsInRunScripts(t *testing.T) {
	entries, err := os.ReadDir(workflowsDir)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".yml" {
			continue
		}
		_, root := loadWorkflow(t, e.Name())
		walkMapping(root, func(key, value *yaml.Node) {
			if key.Value != "run" {
				return
			}
			checked++
			if expression.MatchString(value.Value) {
				t.Errorf("%s:%d: run: script holds an expression %q: pass it through env:", e.Name(), value.Line, expression.FindString(value.Value))
			}
		})
	}
	if checked == 0 {
		t.Fatal("no run: scripts found")
	}
}

func TestAutoMergeWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "auto-merge.yml")

	triggers := keys(wf.On)
	sort.Strings(triggers)
	if strings.Join(triggers, " ") != "check_run check_suite workflow_dispatch" {
		t.Errorf("triggers %v, want check_run, check_suite and workflow_dispatch", triggers)
	}
	for _, event := range []string{"check_run", "check_suite"} {
		var on struct {
			Types []string `yaml:"types"`
		}
		if node := wf.On[event]; node.Decode(&on) != nil || strings.Join(on.Types, " ") != "completed" {
			t.Errorf("%s types %v, want [completed]", event, on.Types)
		}
	}
	var dispatch struct {
		Inputs map[string]dispatchInput `yaml:"inputs"`
	}
	if node := wf.On["workflow_dispatch"]; node.Decode(&dispatch) != nil || len(dispatch.Inputs) != 1 || dispatch.Inputs["pr"].Description == "" {
		t.Errorf("workflow_dispatch inputs %v, want one described input pr", dispatch.Inputs)
	}

	wantPerms := map[string]string{"contents": "write", "pull-requests": "write", "checks": "read", "statuses": "read"}
	if !equalMaps(wf.Permissions, wantPerms) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, wantPerms)
	}
	c := wf.Concurrency
	if c == nil || !strings.Contains(c.Group, "pull_requests[0].number") || !strings.Contains(c.Group, "inputs.pr") || c.CancelInProgress == nil || *c.CancelInProgress {
		t.Errorf("concurrency %+v, want a group per PR that never cancels a run in progress", c)
	}

	job, ok := wf.Jobs["merge"]
	if !ok || len(wf.Jobs) != 1 || !job.Permissions.IsZero() {
		t.Fatalf("jobs %v, want one job \"merge\" with the workflow's permissions", keys(wf.Jobs))
	}
	var step *workflowStep
	for i, s := range job.Steps {
		if strings.Contains(s.Run, `"$RUNNER_TEMP/updater" merge`) {
			step = &job.Steps[i]
		}
		if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false" {
			t.Error("checkout leaves the token in .git/config")
		}
	}
	if step == nil {
		t.Fatal("no step runs `updater merge`")
	}
	// The flags and variables are real flags of `updater merge`, and the
	// PR number reaches it from each event.
	fs := commandFlags(t, mergeCommand())
	fs.String("log-format", "auto", "")
	fs.String("log-level", "info", "")
	_, args, _ := strings.Cut(step.Run, `"$RUNNER_TEMP/updater" merge`)
	if err := fs.Parse(strings.Fields(args)); err != nil || fs.NArg() > 0 {
		t.Errorf("`updater merge%s`: %v", args, err)
	}
	for k := range step.Env {
		if strings.HasPrefix(k, "UPDATER_") && fs.Lookup(strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "UPDATER_"), "_", "-"))) == nil {
			t.Errorf("%s is not the variable of any flag of `updater merge`", k)
		}
	}
	for event, ctx := range map[string]map[string]string{
		"workflow_dispatch": {"inputs.pr": "12"},
		"check_suite":       {"github.event.check_suite.pull_requests[0].number": "12"},
		"check_run":         {"github.event.check_run.pull_requests[0].number": "12"},
	} {
		env := map[string]string{}
		for k, v := range step.Env {
			if strings.HasPrefix(k, "UPDATER_") {
				env[k] = evalExpressions(t, v, ctx)
			}
		}
		fs := commandFlags(t, mergeCommand())
		if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s: %v", event, err)
			continue
		}
		if got := fs.Lookup("pr").Value.String(); got != "12" {
			t.Errorf("%s: --pr = %q, want 12", event, got)
		}
		if group := evalExpressions(t, c.Group, ctx); group != "auto-merge-12" {
			t.Errorf("%s: concurrency group %q, want auto-merge-12", event, group)
		}
	}
}
