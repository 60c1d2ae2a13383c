package main

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReusableWorkflow: updater.yml is what another registry calls. It
// takes the nightly job's flags as workflow_call inputs and uses each,
// installs the bot by version from this module (never builds a checkout),
// asks for no more than a pass needs, and hands `updater run` variables of
// real flags whose values parse.
func TestReusableWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "updater.yml")
	raw, err := os.ReadFile(filepath.Join(workflowsDir, "updater.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(wf.On) != 1 {
		t.Errorf("triggers %v, want workflow_call only", keys(wf.On))
	}
	var call struct {
		Inputs map[string]struct {
			Type     string `yaml:"type"`
			Required bool   `yaml:"required"`
		} `yaml:"inputs"`
	}
	if node, ok := wf.On["workflow_call"]; !ok || node.Decode(&call) != nil {
		t.Fatal("no workflow_call")
	}
	for name, typ := range map[string]string{"version": "string", "servers": "string", "shard": "string", "max_new_prs": "number",
		"min_age": "string", "review": "string", "dry_run": "boolean"} {
		in, ok := call.Inputs[name]
		if !ok || in.Type != typ {
			t.Errorf("input %s: %+v, want type %s", name, in, typ)
		}
	}
	if !call.Inputs["version"].Required {
		t.Error("input version is optional: the bot would be whatever is newest")
	}
	for name := range call.Inputs {
		if !strings.Contains(string(raw), "inputs."+name+" ") && !strings.Contains(string(raw), "inputs."+name+"\n") {
			t.Errorf("input %s is declared but never used", name)
		}
	}

	wantPerms := map[string]string{"contents": "write", "pull-requests": "write", "checks": "write", "issues": "write"}
	if !equalMaps(wf.Permissions, wantPerms) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, wantPerms)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("jobs %v, want one", keys(wf.Jobs))
	}
	var job workflowJob
	for name, j := range wf.Jobs {
		job = j
		if !j.Permissions.IsZero() {
			t.Errorf("job %s sets its own permissions", name)
		}
	}

	// Installed by version from this module, not built from a checkout.
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod names no module")
	}
	module := string(m[1])
	var install, runStep *workflowStep
	for i, s := range job.Steps {
		if strings.Contains(s.Run, "go build") || strings.Contains(s.Run, "./cmd/updater") {
			t.Errorf("step %q builds the registry's checkout: %s", s.Name, s.Run)
		}
		if strings.Contains(s.Run, "go install") {
			install = &job.Steps[i]
		}
		if strings.Contains(s.Run, `"$RUNNER_TEMP/updater" run`) {
			runStep = &job.Steps[i]
		}
	}
	if install == nil || runStep == nil {
		t.Fatal("no go install step, or no step running the installed updater")
	}
	wantInstall := regexp.MustCompile(`GOBIN="\$RUNNER_TEMP" go install "` + regexp.QuoteMeta(module+"/cmd/updater") + `@\$(\w+)"`)
	got := wantInstall.FindStringSubmatch(install.Run)
	if got == nil || install.Env[got[1]] != "${{ inputs.version }}" {
		t.Errorf("install step %q (env %v) does not go install %s/cmd/updater@<inputs.version> into $RUNNER_TEMP", install.Run, install.Env, module)
	}

	// The run step: real flags, values that parse, with the defaults a
	// caller gets and with every input set.
	checkRunFlags(t, runStep.Run)
	for _, tc := range []struct {
		name  string
		ctx   map[string]string
		wants map[string]string
	}{
		{"defaults", map[string]string{"runner.temp": "/tmp/runner"},
			map[string]string{"max-new-prs": "10", "dry-run": "false", "min-age": "0s", "review": "builtin", "shard": "", "report-dir": "/tmp/runner/reviews"}},
		{"every input", map[string]string{"runner.temp": "/tmp/runner", "inputs.servers": "stripe,fetch", "inputs.shard": "2/4",
			"inputs.max_new_prs": "3", "inputs.min_age": "72h", "inputs.review": "off", "inputs.dry_run": "true"},
			map[string]string{"server": "stripe,fetch", "shard": "2/4", "max-new-prs": "3", "min-age": "72h0m0s", "review": "off", "dry-run": "true"}},
	} {
		fs := runFlagSet(t)
		flagsByVar := map[string]bool{}
		env := map[string]string{}
		fs.VisitAll(func(f *flag.Flag) { flagsByVar[envName(f.Name)] = true })
		for k, v := range runStep.Env {
			if !strings.HasPrefix(k, "UPDATER_") {
				if k != "GITHUB_TOKEN" {
					t.Errorf("the run step sets %s", k)
				}
				continue
			}
			if !flagsByVar[k] {
				t.Errorf("%s is not the variable of any flag of `updater run`", k)
			}
			env[k] = evalExpressions(t, v, tc.ctx)
		}
		if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s: the environment does not parse: %v", tc.name, err)
			continue
		}
		for name, want := range tc.wants {
			if got := fs.Lookup(name).Value.String(); got != want {
				t.Errorf("%s: --%s = %q, want %q", tc.name, name, got, want)
			}
		}
	}
}

// TestCIRunsGoSuiteOnlyForGoChanges: the Go suite (.ci/run) waits for
// the changes job, whose script says go=false only for a change that
// touches no Go code, module file, CI script, test data, workflow or
// example; validate-pins runs regardless.
func TestCIRunsGoSuiteOnlyForGoChanges(t *testing.T) {
	wf, _ := loadWorkflow(t, "ci.yml")
	changes, ok := wf.Jobs["changes"]
	test, okTest := wf.Jobs["test"]
	if !ok || !okTest {
		t.Fatalf("jobs %v, want changes and test", keys(wf.Jobs))
	}
	if test.If != "needs.changes.outputs.go == 'true'" {
		t.Errorf("the test job runs if %q, want on the changes job's go output", test.If)
	}
	if v := wf.Jobs["validate-pins"]; strings.Contains(v.If, "changes") {
		t.Errorf("validate-pins depends on the Go changes: %q", v.If)
	}
	var diff *workflowStep
	for i, s := range changes.Steps {
		if s.ID == "diff" {
			diff = &changes.Steps[i]
		}
	}
	if diff == nil {
		t.Fatal("no step diff in the changes job")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to check the CI script")
	}
	for _, tc := range []struct {
		name    string
		changed []string
		base    string // "" = the base commit; else BASE_SHA as given
		want    string
	}{
		{"servers only", []string{"servers/alpha/server.yaml", "README.md"}, "", "go=false"},
		{"go code", []string{"servers/alpha/server.yaml", "updater/pass.go"}, "", "go=true"},
		{"go.sum", []string{"go.sum"}, "", "go=true"},
		{"test data", []string{"updater/review/testdata/x.txt"}, "", "go=true"},
		{"ci script", []string{".ci/run"}, "", "go=true"},
		{"workflow", []string{".github/workflows/ci.yml"}, "", "go=true"},
		{"examples", []string{"examples/agent-reviewer/review.sh"}, "", "go=true"},
		{"a new branch", []string{"servers/alpha/server.yaml"}, "0000000000000000000000000000000000000000", "go=true"},
		{"no base", []string{"servers/alpha/server.yaml"}, "none", "go=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, base, git := scriptRepo(t, map[string]string{"servers/alpha/server.yaml": "name: alpha\n", "README.md": "x\n"})
			for _, p := range tc.changed {
				writeFile(t, repo, p, "changed\n")
			}
			git("add", "-A")
			git("commit", "-q", "-m", "change")
			switch tc.base {
			case "none":
				base = ""
			case "":
			default:
				base = tc.base
			}
			output := filepath.Join(t.TempDir(), "output")
			cmd := exec.CommandContext(context.Background(), bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", diff.Run)
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), "BASE_SHA="+base, "GITHUB_OUTPUT="+output)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the script failed: %v\n%s", err, out)
			}
			got, _ := os.ReadFile(output)
			if strings.TrimSpace(string(got)) != tc.want {
				t.Errorf("output %q, want %q", got, tc.want)
			}
		})
	}
}

// scriptRepo is a git repository holding files in one commit (its base),
// for running a workflow's script against a change; git runs git in it.
func scriptRepo(t *testing.T, files map[string]string) (repo, base string, git func(args ...string) string) {
	t.Helper()
	repo = t.TempDir()
	git = func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	for p, content := range files {
		writeFile(t, repo, p, content)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	return repo, git("rev-parse", "HEAD"), git
}
