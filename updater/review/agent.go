package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// AgentSpec describes one run of an agent reviewer: an untrusted command
// that reads a checkout of the code and writes report.md and labels.txt.
type AgentSpec struct {
	// Command is run by /bin/sh -c, in the code directory.
	Command string
	// Checkout writes the code under review into dst, an empty directory
	// RunAgent makes in the review's private directory: a git checkout at
	// Head with Base reachable. The agent gets it read-only.
	Checkout func(ctx context.Context, dst string) error

	// Base and Head are the commit SHAs of the range (Base "" for a
	// full review of Head: REVIEW_MODE=full, no REVIEW_BASE); Project and
	// Directory the upstream URL and source.directory.
	Base, Head, Project, Directory string
	// Timeout bounds the whole run; 0 means DefaultAgentTimeout.
	Timeout time.Duration
	// MaxReportBytes caps report.md; 0 means DefaultMaxReportBytes.
	MaxReportBytes int64
	// Env are extra NAME=value variables, already scrubbed by the caller.
	// Names that look like credentials, or that override the ones
	// RunAgent sets, are refused.
	Env []string

	// PreviousReport, when set, is the agent's report on an earlier range
	// of the same bump: the agent gets it read-only as a file named by
	// REVIEW_PREVIOUS_REPORT (an incremental review, Base being the
	// previously reviewed head).
	PreviousReport string

	// Sandbox is how the agent is contained; the zero value is bwrap.
	Sandbox agentbox.Mode
	// Limits are the sandbox's resource caps (zero fields: the defaults).
	// Only OutputBytes and OutputDirBytes apply to an unsandboxed agent
	// too.
	Limits agentbox.Limits
	// Tools are host directories bound read-only into the sandbox at
	// their own path (an agent CLI installed with npm --prefix).
	Tools []string
	// Inference, when set, starts a key-injecting proxy for this review
	// and points ANTHROPIC_BASE_URL and OPENAI_BASE_URL at it.
	Inference InferenceProxy
	// RunAsRoot keeps root for the command when the bot runs as root and
	// the sandbox is none. Otherwise a root bot runs an unsandboxed agent
	// as nobody (65534) and each sandbox as a user id of its own. Set it only for a command that contains
	// the agent itself, such as `docker compose run` of the example
	// reviewer.
	RunAsRoot bool
}

// InferenceProxy serves one review's model requests on the listener
// RunAgent makes for it (a unix socket bound into the sandbox, or loopback
// for an unsandboxed agent) and injects the real key; stop ends it and
// says what the review spent. Package inference implements it, so this
// package holds no HTTP code.
type InferenceProxy interface {
	Serve(ln net.Listener) (stop func() agentbox.Usage, err error)
}

const (
	DefaultAgentTimeout   = 15 * time.Minute
	DefaultMaxReportBytes = 1 << 20
	maxLabelsBytes        = 4 << 10
	maxAgentLog           = 64 << 10
	// agentWaitDelay bounds how long RunAgent waits for the agent's output
	// pipes to close after killing it (a grandchild may hold them).
	agentWaitDelay = 2 * time.Second
	defaultPath    = "/usr/local/bin:/usr/bin:/bin"
)

// The variables an agent receives describe the review and nothing else.
const (
	envReviewMode      = "REVIEW_MODE"
	envReviewBase      = "REVIEW_BASE"
	envReviewHead      = "REVIEW_HEAD"
	envReviewProject   = "REVIEW_PROJECT"
	envReviewDirectory = "REVIEW_DIRECTORY"
	envReviewCodeDir   = "REVIEW_CODE_DIR"
	envReviewOutputDir = "REVIEW_OUTPUT_DIR"
	envReviewPrevious  = "REVIEW_PREVIOUS_REPORT"
	previousReportFile = "previous-report.md"
)

var (
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	secretName = regexp.MustCompile(`(?i)^(GITHUB_|GH_|ACTIONS_|RUNNER_)|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH`)
	commitSHA  = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
)

// agentDirs are the host directories of one run, all inside one private
// directory (0700) that only this run's sandbox has bound in.
type agentDirs struct {
	work, code, output, run string
	context                 string // holds the previous report, if any
	home, tmp               string // unsandboxed runs only
}

// RunAgent runs the agent reviewer and takes only output/report.md and
// output/labels.txt. By default the agent runs in a bubblewrap sandbox of
// its own (package agentbox): no network but the inference proxy, no host
// processes, a read-only root, the code read-only, one writable output
// directory, and every process killed when the run ends. With
// Sandbox none it runs as a plain child in a scrubbed environment and its
// own process group (nobody when the bot is root), and the report says so.
// A root bot runs each sandbox as a user id of its own (agentUser).
// On Linux the bot's process is made non-dumpable first either way.
//
// A failed, timed-out or malformed agent yields a Result with a high
// agent-review finding, never a pass and never an error. Errors are for a
// spec the caller got wrong, a sandbox that cannot be made (never a
// silent unsandboxed run), and ctx being cancelled.
func RunAgent(ctx context.Context, a AgentSpec) (*Result, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = DefaultAgentTimeout
	}
	maxReport := a.MaxReportBytes
	if maxReport <= 0 {
		maxReport = DefaultMaxReportBytes
	}
	sandboxed := a.Sandbox == agentbox.Bwrap
	uid := agentUser(sandboxed, a.RunAsRoot && !sandboxed)
	if sandboxed {
		if err := agentbox.Probe(ctx, func(cmd *exec.Cmd) error { return isolateProcess(cmd, uid) }); err != nil {
			return nil, fmt.Errorf("agent reviewer: %w", err)
		}
	}

	d, err := makeAgentDirs(sandboxed)
	if err != nil {
		return nil, fmt.Errorf("agent reviewer: %w", err)
	}
	defer removeTree(d.work)
	if err := a.Checkout(ctx, d.code); err != nil {
		return nil, fmt.Errorf("agent reviewer: checking out the code: %w", err)
	}
	if a.PreviousReport != "" {
		if err := os.WriteFile(filepath.Join(d.context, previousReportFile), []byte(a.PreviousReport), 0o644); err != nil {
			return nil, fmt.Errorf("agent reviewer: %w", err)
		}
	}

	limits := a.Limits.WithDefaults()
	// An output flood ends the run with ErrOutputCap as the cause.
	outCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	runCtx, cancel := context.WithTimeout(outCtx, timeout)
	defer cancel()
	var cmd *exec.Cmd
	if sandboxed {
		cmd, err = a.sandboxCommand(runCtx, d)
	} else {
		cmd = exec.CommandContext(runCtx, "/bin/sh", "-c", a.Command)
		cmd.Dir = d.code
		cmd.Env = a.environ(d.home, d.tmp, d.code, d.output, d.context)
	}
	if err != nil {
		return nil, err
	}
	// Stdout and Stderr are the same comparable writer, so exec calls its
	// Write from one goroutine at a time.
	logBuf := &cappedBuffer{limit: maxAgentLog, stopAt: limits.OutputBytes, stop: func() { stopRun(agentbox.ErrOutputCap) }}
	cmd.Stdout, cmd.Stderr = logBuf, logBuf
	cmd.WaitDelay = agentWaitDelay
	writable := []string{d.work, d.output, d.run}
	if !sandboxed {
		writable = append(writable, d.home, d.tmp)
	}
	if err := isolateProcess(cmd, uid, writable...); err != nil {
		return nil, err
	}
	stopProxy, err := a.startProxy(d, sandboxed, cmd)
	if err != nil {
		return nil, err
	}
	protectEnvironment()

	watched, watcherDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watcherDone)
		watchOutputDir(d.output, limits.OutputDirBytes, func() { stopRun(agentbox.ErrOutputDirCap) }, watched)
	}()
	runErr := cmd.Run()
	close(watched)
	<-watcherDone
	// What the agent wrote after the last poll counts too: the watcher
	// has stopped, so this is the last word on the directory's size.
	if treeBytes(d.output, limits.OutputDirBytes) > limits.OutputDirBytes {
		stopRun(agentbox.ErrOutputDirCap)
	}
	// Children the agent left running in the background go too (in the
	// sandbox they died with its PID namespace already).
	_ = killProcessGroup(cmd)
	closeExtraFiles(cmd)
	run := &AgentRun{Sandbox: a.Sandbox}
	if sandboxed {
		run.Limits = &limits
	}
	if stopProxy != nil {
		u := stopProxy()
		run.Usage = &u
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("agent reviewer: %w", ctx.Err())
	}

	var problems []string
	switch {
	case errors.Is(context.Cause(outCtx), agentbox.ErrOutputCap):
		problems = append(problems, fmt.Sprintf("stopped by the output cap: wrote more than %s to stdout and stderr",
			agentbox.Bytes(limits.OutputBytes)))
	case errors.Is(context.Cause(outCtx), agentbox.ErrOutputDirCap):
		problems = append(problems, fmt.Sprintf("stopped by the output directory cap: wrote more than %s under its output directory",
			agentbox.Bytes(limits.OutputDirBytes)))
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		problems = append(problems, fmt.Sprintf("timed out after %s", timeout))
	case runErr != nil:
		var exitErr *exec.ExitError
		if errors.As(runErr, &exitErr) {
			problem := "exited with " + exitErr.ProcessState.String()
			if cause := limits.Cause(exitErr.ExitCode(), logBuf.String()); sandboxed && cause != "" {
				problem += " (" + cause + ")"
			}
			problems = append(problems, problem)
		} else {
			problems = append(problems, "did not run: "+runErr.Error())
		}
	}
	res := agentResult(collectAgentOutput(d.output, maxReport), problems)
	res.AgentLog = mdsafe.Text(logBuf.String(), true)
	res.AgentRun = run
	return res, nil
}

func makeAgentDirs(sandboxed bool) (agentDirs, error) {
	work, err := os.MkdirTemp("", "updater-agent-")
	if err != nil {
		return agentDirs{}, err
	}
	d := agentDirs{work: work, code: filepath.Join(work, "code"), output: filepath.Join(work, "output"), run: filepath.Join(work, "run"),
		context: filepath.Join(work, "context")}
	dirs := map[string]os.FileMode{d.code: 0o755, d.output: 0o700, d.run: 0o700, d.context: 0o755}
	if !sandboxed {
		d.home, d.tmp = filepath.Join(work, "home"), filepath.Join(work, "tmp")
		dirs[d.home], dirs[d.tmp] = 0o700, 0o700
	}
	for dir, mode := range dirs {
		if err := os.Mkdir(dir, mode); err != nil {
			removeTree(work)
			return agentDirs{}, err
		}
	}
	return d, nil
}

// sandboxCommand is the bwrap command of a run. The forwarder (this
// program) is handed to bwrap as an open file it copies in, so it need not
// be readable by the sandbox's user on the host.
func (a AgentSpec) sandboxCommand(ctx context.Context, d agentDirs) (*exec.Cmd, error) {
	spec := agentbox.Spec{
		Code: d.code, Output: d.output, Tools: a.Tools,
		Env:    a.environ(agentbox.HomeDir, agentbox.ScratchDir, agentbox.CodeDir, agentbox.OutputDir, agentbox.ContextDir),
		Argv:   []string{"/bin/sh", "-c", a.Command},
		Limits: a.Limits,
	}
	var forwarder *os.File
	if a.PreviousReport != "" {
		spec.Context = d.context
	}
	if a.Inference != nil {
		// The forwarder is this program (agentbox.ForwardCommand).
		path, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("agent reviewer: the forwarder: %w", err)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("agent reviewer: the forwarder: %w", err)
		}
		forwarder = f
		spec.Socket, spec.ForwarderFD = filepath.Join(d.run, "inference.sock"), 3
		spec.Env = append(spec.Env, inferenceEnv("http://"+agentbox.ForwardAddr)...)
	}
	cmd, err := agentbox.Command(ctx, spec)
	if err != nil {
		if forwarder != nil {
			forwarder.Close()
		}
		return nil, fmt.Errorf("agent reviewer: %w", err)
	}
	if forwarder != nil {
		cmd.ExtraFiles = []*os.File{forwarder}
	}
	return cmd, nil
}

func closeExtraFiles(cmd *exec.Cmd) {
	for _, f := range cmd.ExtraFiles {
		f.Close()
	}
}

// inferenceEnv points both SDK families at the proxy, with a placeholder
// key: the real one never enters the agent's environment.
func inferenceEnv(base string) []string {
	return []string{
		"ANTHROPIC_BASE_URL=" + base,
		"ANTHROPIC_API_KEY=" + agentbox.PlaceholderKey,
		"OPENAI_BASE_URL=" + base + "/v1",
		"OPENAI_API_KEY=" + agentbox.PlaceholderKey,
	}
}

// startProxy starts this review's inference proxy: on a unix socket in
// the run directory for a sandbox, on loopback for an unsandboxed agent
// (whose environment then points there).
func (a AgentSpec) startProxy(d agentDirs, sandboxed bool, cmd *exec.Cmd) (stop func() agentbox.Usage, err error) {
	if a.Inference == nil {
		return nil, nil
	}
	var ln net.Listener
	if sandboxed {
		sock := filepath.Join(d.run, "inference.sock")
		if ln, err = net.Listen("unix", sock); err == nil {
			// The run directory (0700) is the guard; the sandbox's user
			// must be able to connect.
			err = os.Chmod(sock, 0o666)
		}
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			cmd.Env = append(cmd.Env, inferenceEnv("http://"+ln.Addr().String())...)
		}
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return nil, fmt.Errorf("agent reviewer: inference proxy: %w", err)
	}
	stop, err = a.Inference.Serve(ln)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("agent reviewer: %w", err)
	}
	return stop, nil
}

func (a AgentSpec) validate() error {
	if strings.TrimSpace(a.Command) == "" {
		return errors.New("agent reviewer: no command")
	}
	if a.Checkout == nil {
		return errors.New("agent reviewer: no checkout of the code")
	}
	if _, err := agentbox.ParseMode(a.Sandbox.String()); err != nil {
		return fmt.Errorf("agent reviewer: %w", err)
	}
	for _, sha := range []string{a.Base, a.Head} {
		if sha == a.Base && sha == "" {
			continue // a full review of Head
		}
		if !commitSHA.MatchString(sha) {
			return fmt.Errorf("agent reviewer: %q is not a commit SHA", sha)
		}
	}
	for _, kv := range a.Env {
		name, _, ok := strings.Cut(kv, "=")
		switch {
		case !ok || !envName.MatchString(name):
			return fmt.Errorf("agent reviewer: malformed environment entry %q", mdsafe.Truncate(name, 40))
		case reservedEnv(name):
			return fmt.Errorf("agent reviewer: %s is set by the review itself", name)
		case secretName.MatchString(name):
			return fmt.Errorf("agent reviewer: refusing to pass %s to an untrusted reviewer", name)
		}
	}
	return nil
}

func reservedEnv(name string) bool {
	switch name {
	case "PATH", "HOME", "LANG", "TMPDIR":
		return true
	}
	return strings.HasPrefix(name, "REVIEW_") || strings.HasPrefix(name, "GIT_CONFIG_") ||
		strings.HasPrefix(name, "ANTHROPIC_") || strings.HasPrefix(name, "OPENAI_")
}

// environ builds the agent's environment from nothing: never the bot's own,
// which holds the GitHub token. Paths are as the agent sees them.
func (a AgentSpec) environ(home, tmp, code, out, context string) []string {
	// Inside the sandbox only the system directories exist; outside, the
	// bot's own PATH finds the agent's tools.
	path := defaultPath
	if host := os.Getenv("PATH"); host != "" && a.Sandbox == agentbox.None {
		path = host
	}
	env := []string{
		"PATH=" + path,
		"HOME=" + home,
		"LANG=C.UTF-8",
		"TMPDIR=" + tmp,
		// The checkout belongs to another user as the agent sees it; git
		// would refuse it as of dubious ownership. Command-line scope.
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*",
		envReviewHead + "=" + a.Head,
		envReviewProject + "=" + a.Project,
		envReviewDirectory + "=" + a.Directory,
		envReviewCodeDir + "=" + code,
		envReviewOutputDir + "=" + out,
	}
	if a.Base == "" {
		env = append(env, envReviewMode+"=full") // no base: review everything at Head
	} else {
		env = append(env, envReviewMode+"=differential", envReviewBase+"="+a.Base)
	}
	if a.PreviousReport != "" {
		env = append(env, envReviewPrevious+"="+filepath.Join(context, previousReportFile))
	}
	return append(env, a.Env...)
}

// cappedBuffer keeps the first limit bytes written to it and counts the
// rest; once more than stopAt bytes came (stopAt > 0) it calls stop.
type cappedBuffer struct {
	buf     bytes.Buffer
	limit   int
	dropped int64
	stopAt  int64
	stop    func()
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := max(c.limit-c.buf.Len(), 0)
	c.buf.Write(p[:min(room, len(p))])
	c.dropped += int64(len(p) - min(room, len(p)))
	if c.stopAt > 0 && int64(c.buf.Len())+c.dropped > c.stopAt && c.stop != nil {
		c.stop()
		c.stop = nil
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	if c.dropped == 0 {
		return c.buf.String()
	}
	return fmt.Sprintf("%s\n[%d more bytes of output dropped]", c.buf.String(), c.dropped)
}

// removeTree removes dir even where the agent took permissions away from
// its own files: directories are made writable on the way down.
func removeTree(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if d != nil && d.IsDir() {
			_ = os.Chmod(p, 0o700) // WalkDir visits a directory before reading it
		}
		return nil
	})
	_ = os.RemoveAll(dir)
}
