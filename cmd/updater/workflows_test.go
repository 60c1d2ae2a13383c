package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/updater"
)

// The workflow files cannot run here (no GitHub), so this file proves what
// can be proved without it: they parse, their triggers, inputs,
// permissions and concurrency are the documented ones, every action is
// pinned by commit, the environment they hand the updater names real
// flags with values those flags accept (on a schedule and on a manual
// run), the shard matrix is a partition, and the CI script that picks the
// changed servers does the right thing in a real git repository.

const workflowsDir = "../../.github/workflows"

type workflow struct {
	Name        string                 `yaml:"name"`
	On          map[string]yaml.Node   `yaml:"on"`
	Permissions map[string]string      `yaml:"permissions"`
	Concurrency *workflowConcurrency   `yaml:"concurrency"`
	Env         map[string]string      `yaml:"env"`
	Jobs        map[string]workflowJob `yaml:"jobs"`
}

type workflowConcurrency struct {
	Group            string `yaml:"group"`
	CancelInProgress *bool  `yaml:"cancel-in-progress"`
}

type workflowJob struct {
	If          string    `yaml:"if"`
	Permissions yaml.Node `yaml:"permissions"`
	Strategy    struct {
		Matrix map[string][]string `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

type workflowStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type dispatchInput struct {
	Description string `yaml:"description"`
	Type        string `yaml:"type"`
	Default     any    `yaml:"default"`
}

func loadWorkflow(t *testing.T, name string) (workflow, *yaml.Node) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(workflowsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("%s is not valid YAML: %v", name, err)
	}
	var wf workflow
	if err := root.Decode(&wf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if wf.Name == "" || len(wf.On) == 0 || len(wf.Jobs) == 0 {
		t.Fatalf("%s: no name, triggers or jobs", name)
	}
	return wf, &root
}

func TestWorkflowFilesAreValidYAML(t *testing.T) {
	entries, err := os.ReadDir(workflowsDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
			loadWorkflow(t, e.Name())
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "audit.yml auto-merge.yml ci.yml dashboard.yml review-pr.yml review-publish.yml update-pins.yml updater.yml" {
		t.Errorf("workflows %v, want audit.yml, auto-merge.yml, ci.yml, dashboard.yml, review-pr.yml, review-publish.yml, update-pins.yml and updater.yml", names)
	}
}

// pinnedActions are the actions the workflows may use, at the commits
// their release tags pointed at when they were pinned.
var pinnedActions = map[string]string{
	"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683":                "v4.2.2",
	"actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5":                "v5.5.0",
	"actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02":         "v4.6.2",
	"actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e": "v2.0.6",
	"actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093":       "v4.3.0",
}

var pinnedUses = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)

// TestActionsArePinnedByCommit: a tag can be moved by whoever controls
// the action's repository; a commit cannot. The comment says which
// release the commit is, for people and for Dependabot.
func TestActionsArePinnedByCommit(t *testing.T) {
	for _, name := range []string{"audit.yml", "auto-merge.yml", "ci.yml", "dashboard.yml", "review-pr.yml", "review-publish.yml", "update-pins.yml", "updater.yml"} {
		_, root := loadWorkflow(t, name)
		n := 0
		walkMapping(root, func(key, value *yaml.Node) {
			if key.Value != "uses" {
				return
			}
			n++
			uses, comment := value.Value, strings.TrimSpace(strings.TrimPrefix(value.LineComment, "#"))
			if !pinnedUses.MatchString(uses) {
				t.Errorf("%s:%d: uses %q is not pinned by a 40-hex commit", name, value.Line, uses)
			}
			want, known := pinnedActions[uses]
			switch {
			case !known:
				t.Errorf("%s:%d: %s is not a known pinned action (add it to pinnedActions after checking the commit is the release's)", name, value.Line, uses)
			case comment != want:
				t.Errorf("%s:%d: %s has comment %q, want the release %q", name, value.Line, uses, comment, want)
			}
		})
		if n == 0 {
			t.Errorf("%s uses no action?", name)
		}
	}
}

// walkMapping calls fn for every key/value pair of every mapping under n.
func walkMapping(n *yaml.Node, fn func(key, value *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			fn(n.Content[i], n.Content[i+1])
		}
	}
	for _, c := range n.Content {
		walkMapping(c, fn)
	}
}

func TestUpdatePinsWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "update-pins.yml")

	// Triggers: nightly, and by hand with three inputs.
	var triggers []string
	for k := range wf.On {
		triggers = append(triggers, k)
	}
	sort.Strings(triggers)
	if strings.Join(triggers, " ") != "schedule workflow_dispatch" {
		t.Errorf("triggers %v, want schedule and workflow_dispatch", triggers)
	}
	var schedules []struct {
		Cron string `yaml:"cron"`
	}
	if node, ok := wf.On["schedule"]; !ok || node.Decode(&schedules) != nil || len(schedules) == 0 {
		t.Fatal("no schedule")
	}
	for _, s := range schedules {
		if _, err := cron.ParseStandard(s.Cron); err != nil || strings.HasPrefix(s.Cron, "@") {
			t.Errorf("schedule %q is not a 5-field cron spec: %v", s.Cron, err)
		}
	}
	var dispatch struct {
		Inputs map[string]dispatchInput `yaml:"inputs"`
	}
	if node, ok := wf.On["workflow_dispatch"]; !ok || node.Decode(&dispatch) != nil {
		t.Fatal("no workflow_dispatch")
	}
	wantInputs := map[string]string{"servers": "string", "max_new_prs": "number", "dry_run": "boolean"}
	if len(dispatch.Inputs) != len(wantInputs) {
		t.Errorf("inputs %v, want %v", dispatch.Inputs, wantInputs)
	}
	for name, typ := range wantInputs {
		in, ok := dispatch.Inputs[name]
		if !ok || in.Type != typ || in.Description == "" {
			t.Errorf("input %s: %+v, want type %s with a description", name, in, typ)
		}
	}

	// Passes never overlap and are never cancelled mid-write.
	if c := wf.Concurrency; c == nil || c.Group != "update-pins" || c.CancelInProgress == nil || *c.CancelInProgress {
		t.Error("concurrency is not {group: update-pins, cancel-in-progress: false}")
	}

	// Least privilege, and no job widens it.
	wantPerms := map[string]string{"contents": "write", "pull-requests": "write", "checks": "write", "issues": "write"}
	if !equalMaps(wf.Permissions, wantPerms) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, wantPerms)
	}
	for name, job := range wf.Jobs {
		if !job.Permissions.IsZero() {
			t.Errorf("job %s sets its own permissions", name)
		}
	}

	job, ok := wf.Jobs["update"]
	if !ok || len(wf.Jobs) != 1 {
		t.Fatalf("jobs %v, want one job \"update\"", keys(wf.Jobs))
	}
	checkShardMatrix(t, job.Strategy.Matrix["shard"])

	steps := map[string]workflowStep{} // by action name or step name
	var runStep *workflowStep
	for i, s := range job.Steps {
		if s.Uses != "" {
			steps[strings.Split(s.Uses, "@")[0]] = s
		}
		if regexp.MustCompile(`updater"?\s+run\b`).MatchString(s.Run) {
			if runStep != nil {
				t.Error("two steps run the updater")
			}
			runStep = &job.Steps[i]
		}
	}
	if runStep == nil {
		t.Fatal("no step runs `updater run`")
	}

	// Checkout without leaving the job's token in .git/config; Go from
	// go.mod with the module cache.
	if s := steps["actions/checkout"]; s.With["persist-credentials"] != "false" {
		t.Errorf("checkout with %v, want persist-credentials: false", s.With)
	}
	if s := steps["actions/setup-go"]; s.With["go-version-file"] != "go.mod" || s.With["cache"] != "true" {
		t.Errorf("setup-go with %v, want go-version-file: go.mod and cache: true", s.With)
	}

	// The token: the App's when the repository has one, else GITHUB_TOKEN.
	app, ok := steps["actions/create-github-app-token"]
	if !ok || app.ID == "" || !strings.Contains(app.If, "vars.UPDATER_APP_ID") {
		t.Errorf("App token step %+v, want an id and a condition on vars.UPDATER_APP_ID", app)
	}
	if got, want := runStep.Env["GITHUB_TOKEN"], "${{ steps."+app.ID+".outputs.token || secrets.GITHUB_TOKEN }}"; got != want {
		t.Errorf("GITHUB_TOKEN = %q, want %q", got, want)
	}

	// The updater is the one built from this checkout.
	built := false
	for _, s := range job.Steps {
		built = built || strings.Contains(s.Run, `go build -o "$RUNNER_TEMP/updater" ./cmd/updater`)
	}
	if !built || !strings.Contains(runStep.Run, `"$RUNNER_TEMP/updater" run`) {
		t.Errorf("the run step %q does not run the binary built by the workflow", runStep.Run)
	}

	// Its flags and UPDATER_* variables are real flags of `run`, and the
	// values the workflow hands over parse, on a schedule (no inputs) and
	// on a manual run.
	checkRunFlags(t, runStep.Run)
	wantFromInputs := map[string]string{
		"UPDATER_SERVER": "inputs.servers", "UPDATER_MAX_NEW_PRS": "inputs.max_new_prs",
		"UPDATER_DRY_RUN": "inputs.dry_run", "UPDATER_SHARD": "matrix.shard",
	}
	for variable, ref := range wantFromInputs {
		if !strings.Contains(runStep.Env[variable], ref) {
			t.Errorf("%s = %q, want it from %s", variable, runStep.Env[variable], ref)
		}
	}
	contexts := map[string]map[string]string{
		"schedule": {"runner.temp": "/tmp/runner", "matrix.shard": "1/1"},
		"workflow_dispatch": {"runner.temp": "/tmp/runner", "matrix.shard": "1/1",
			"inputs.servers": "stripe,fetch", "inputs.max_new_prs": "3", "inputs.dry_run": "true"},
	}
	wantValues := map[string]map[string]string{
		"schedule":          {"max-new-prs": "10", "dry-run": "false", "server": "", "shard": "1/1"},
		"workflow_dispatch": {"max-new-prs": "3", "dry-run": "true", "server": "stripe,fetch", "shard": "1/1"},
	}
	for event, ctx := range contexts {
		fs := runFlagSet(t)
		env := map[string]string{}
		for k, v := range runStep.Env {
			if strings.HasPrefix(k, "UPDATER_") {
				env[k] = evalExpressions(t, v, ctx)
			}
		}
		if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s: the workflow's environment does not parse: %v", event, err)
			continue
		}
		for name, want := range wantValues[event] {
			if got := fs.Lookup(name).Value.String(); got != want {
				t.Errorf("%s: --%s = %q, want %q", event, name, got, want)
			}
		}
		// Review reports land where the artifact step uploads from.
		upload := steps["actions/upload-artifact"]
		if got, reports := evalExpressions(t, upload.With["path"], ctx), fs.Lookup("report-dir").Value.String(); got != reports || got == "" {
			t.Errorf("%s: artifact path %q, --report-dir %q", event, got, reports)
		}
		if upload.If != "always()" {
			t.Errorf("the artifact upload runs if %q, want always() (reports of a failed pass matter most)", upload.If)
		}
	}
	// applyEnv reads only the variables of real flags: a misspelt one
	// would be silently ignored.
	flagsByVar := map[string]bool{}
	runFlagSet(t).VisitAll(func(f *flag.Flag) { flagsByVar[envName(f.Name)] = true })
	for k := range runStep.Env {
		if strings.HasPrefix(k, "UPDATER_") && !flagsByVar[k] {
			t.Errorf("%s is not the variable of any flag of `updater run`", k)
		}
		if k != "GITHUB_TOKEN" && !strings.HasPrefix(k, "UPDATER_") {
			t.Errorf("the run step sets %s: GitHub Actions sets the rest of the environment", k)
		}
	}
}

// checkShardMatrix: the shard values parse and partition the registry:
// one N, every index 1..N exactly once.
func checkShardMatrix(t *testing.T, shards []string) {
	t.Helper()
	if len(shards) == 0 {
		t.Fatal("no shard matrix")
	}
	seen := map[int]bool{}
	count := 0
	for _, s := range shards {
		sh, err := updater.ParseShard(s)
		if err != nil {
			t.Errorf("matrix shard %q: %v", s, err)
			continue
		}
		if count != 0 && sh.Count != count {
			t.Errorf("matrix shards %v mix counts", shards)
		}
		count = sh.Count
		if seen[sh.Index] {
			t.Errorf("matrix shard %s twice", s)
		}
		seen[sh.Index] = true
	}
	if len(seen) != count {
		t.Errorf("matrix shards %v do not cover 1..%d", shards, count)
	}
}

// runFlagSet is the flag set of `updater run`, common flags included.
func runFlagSet(t *testing.T) *flag.FlagSet {
	t.Helper()
	fs := commandFlags(t, runCommand())
	fs.String("log-format", "auto", "")
	fs.String("log-level", "info", "")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	return fs
}

// checkRunFlags: every --flag on the workflow's command line is a flag of
// `updater run` and its value is accepted.
func checkRunFlags(t *testing.T, script string) {
	t.Helper()
	_, args, ok := strings.Cut(script, `"$RUNNER_TEMP/updater" run`)
	if !ok {
		return
	}
	fs := runFlagSet(t)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(strings.Fields(strings.TrimSpace(args))); err != nil || fs.NArg() > 0 {
		t.Errorf("`updater run%s`: %v %v", args, err, fs.Args())
	}
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// evalExpressions evaluates the ${{ a || b }} expressions in s the way
// GitHub Actions does for the forms the workflows use: context paths and
// literals joined by ||, the first truthy operand winning ("" and false
// and 0 are falsy; a missing input is "").
func evalExpressions(t *testing.T, s string, ctx map[string]string) string {
	t.Helper()
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		expr := expression.FindStringSubmatch(m)[1]
		operands := strings.Split(expr, "||")
		var v string
		for _, op := range operands {
			op = strings.TrimSpace(op)
			switch {
			case op == "true" || op == "false":
				v = op
			case regexp.MustCompile(`^'[^']*'$`).MatchString(op):
				v = strings.Trim(op, "'")
			case regexp.MustCompile(`^[0-9]+$`).MatchString(op):
				v = op
			case regexp.MustCompile(`^[a-z_]+(\.[A-Za-z0-9_-]+(\[[0-9]+\])?)+$`).MatchString(op):
				v = ctx[op]
			default:
				t.Fatalf("expression %q: operand %q is beyond this evaluator", expr, op)
			}
			if n, err := strconv.ParseFloat(v, 64); v != "" && v != "false" && (err != nil || n != 0) {
				return v
			}
		}
		return v
	})
}

func TestCIWorkflow(t *testing.T) {
	wf, _ := loadWorkflow(t, "ci.yml")
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("ci does not run on pull requests")
	}
	if !equalMaps(wf.Permissions, map[string]string{"contents": "read"}) {
		t.Errorf("permissions %v, want exactly contents: read", wf.Permissions)
	}
	var ciRun *workflowStep
	for name, job := range wf.Jobs {
		if !job.Permissions.IsZero() {
			t.Errorf("job %s sets its own permissions", name)
		}
		for i, s := range job.Steps {
			if strings.TrimSpace(s.Run) == ".ci/run" {
				ciRun = &job.Steps[i]
			}
		}
	}
	validate := pullRequestStep(t, wf, "validate --online")
	if ciRun == nil {
		t.Error("no step runs .ci/run")
	}
	if fi, err := os.Stat("../../.ci/run"); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf(".ci/run must exist and be executable: %v", err)
	}
	if validate == nil {
		t.Fatal("no step runs `updater validate --online`")
	}
	// The flags it passes are validate's.
	fs := commandFlags(t, validateCommand())
	for _, f := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(validate.Run[strings.Index(validate.Run, "validate --online"):], -1) {
		if fs.Lookup(f[1]) == nil {
			t.Errorf("`updater validate` has no flag --%s", f[1])
		}
	}
	checkChangedServersScript(t, validate)

	// The registry change's review runs once, in review-pr.yml: ci.yml
	// does not run it again.
	if step := pullRequestStep(t, wf, "updater review"); step != nil {
		t.Errorf("ci.yml runs %q: the review of a registry change is review-pr.yml's", step.Run)
	}
}

// pullRequestStep is the step whose script runs cmd, in a job that runs
// only on pull requests; nil when there is none.
func pullRequestStep(t *testing.T, wf workflow, cmd string) *workflowStep {
	t.Helper()
	var found *workflowStep
	for name, job := range wf.Jobs {
		for i, s := range job.Steps {
			if strings.Contains(s.Run, cmd) {
				found = &job.Steps[i]
				if !strings.Contains(job.If, "pull_request") {
					t.Errorf("job %s runs %q but runs if %q", name, cmd, job.If)
				}
			}
		}
	}
	return found
}

// checkChangedServersScript runs the CI step's script with bash in a real
// git repository, a pull request's worth of changes on top of its base,
// and a stand-in `go` that records what it was asked to run.
func checkChangedServersScript(t *testing.T, step *workflowStep) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to check the CI script")
	}
	for _, tc := range []struct {
		name    string
		change  func(repo string)
		wantRun string // the go command line; "" = not run
	}{
		{"changed, added, deleted and nested", func(repo string) {
			writeFile(t, repo, "servers/alpha/server.yaml", "name: alpha\ncommit: 2\n")
			writeFile(t, repo, "servers/delta/server.yaml", "name: delta\n")
			writeFile(t, repo, "servers/charlie/extra/server.yaml", "not a server file\n")
			writeFile(t, repo, "servers/bravo/readme.md", "docs only\n")
			writeFile(t, repo, "README.md", "changed\n")
			if err := os.Remove(filepath.Join(repo, "servers/bravo/server.yaml")); err != nil {
				t.Fatal(err)
			}
		}, "run ./cmd/updater validate --online --server alpha,delta"},
		{"only a deletion", func(repo string) {
			if err := os.Remove(filepath.Join(repo, "servers/bravo/server.yaml")); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"no server touched", func(repo string) { writeFile(t, repo, "README.md", "changed\n") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"README.md": "registry\n"}
			for _, name := range []string{"alpha", "bravo", "charlie"} {
				files["servers/"+name+"/server.yaml"] = "name: " + name + "\ncommit: 1\n"
			}
			repo, base, git := scriptRepo(t, files)
			tc.change(repo)
			git("add", "-A")
			git("commit", "-q", "-m", "pull request")

			bin := t.TempDir()
			record := filepath.Join(t.TempDir(), "go-args")
			writeFile(t, bin, "go", "#!/bin/sh\necho \"$@\" >> '"+record+"'\n")
			if err := os.Chmod(filepath.Join(bin, "go"), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(context.Background(), bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step.Run)
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			for k, v := range step.Env {
				if k == "BASE_SHA" {
					v = base
				}
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the script failed: %v\n%s", err, out)
			}
			ran, _ := os.ReadFile(record)
			if got := strings.TrimSpace(string(ran)); got != tc.wantRun {
				t.Errorf("go was run with %q, want %q\noutput:\n%s", got, tc.wantRun, out)
			}
		})
	}
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
