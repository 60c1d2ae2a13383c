package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// AgentSpec describes one run of an agent reviewer: an untrusted command
// that reads a copy of the code and writes report.md and labels.txt.
type AgentSpec struct {
	// Command is run by /bin/sh -c, in CodeDir.
	Command string
	// CodeDir is a read-only copy of the upstream at Head (with Base
	// reachable), prepared by the caller.
	CodeDir string

	// Base and Head are the commit SHAs of the range; Project and
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
	// RunAsRoot keeps root for the command when the bot runs as root.
	// Otherwise it runs as nobody (65534), and CodeDir must be readable by
	// everyone. Set it only for a command that contains the agent itself,
	// such as `docker compose run` of the example reviewer.
	RunAsRoot bool
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
)

var (
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	secretName = regexp.MustCompile(`(?i)^(GITHUB_|GH_|ACTIONS_|RUNNER_)|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH`)
	commitSHA  = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
)

// RunAgent runs the agent reviewer in a scrubbed environment and its own
// process group, then takes only output/report.md and output/labels.txt.
// On Linux the bot's process is made non-dumpable first, and a root bot
// runs the agent as nobody (see AgentSpec.RunAsRoot), so the agent cannot
// read the token from the bot's /proc environment either. That is a floor:
// run an agent that needs isolation in a container
// (examples/agent-reviewer).
//
// A failed, timed-out or malformed agent yields a Result with a high
// agent-review finding, never a pass and never an error. Errors are for a
// spec the caller got wrong and for ctx being cancelled.
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

	work, err := os.MkdirTemp("", "updater-agent-")
	if err != nil {
		return nil, fmt.Errorf("agent reviewer: %w", err)
	}
	defer removeTree(work)
	home, tmp, out := filepath.Join(work, "home"), filepath.Join(work, "tmp"), filepath.Join(work, "output")
	for _, d := range []string{home, tmp, out} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, fmt.Errorf("agent reviewer: %w", err)
		}
	}

	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "/bin/sh", "-c", a.Command)
	cmd.Dir = a.CodeDir
	cmd.Env = a.environ(home, tmp, out)
	// Stdout and Stderr are the same comparable writer, so exec calls its
	// Write from one goroutine at a time.
	logBuf := &cappedBuffer{limit: maxAgentLog}
	cmd.Stdout, cmd.Stderr = logBuf, logBuf
	cmd.WaitDelay = agentWaitDelay
	if err := isolateProcess(cmd, a.RunAsRoot, work, home, tmp, out); err != nil {
		return nil, err
	}
	protectEnvironment()

	runErr := cmd.Run()
	// Children the agent left running in the background go too.
	_ = killProcessGroup(cmd)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("agent reviewer: %w", ctx.Err())
	}

	var problems []string
	switch {
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		problems = append(problems, fmt.Sprintf("timed out after %s", timeout))
	case runErr != nil:
		var exitErr *exec.ExitError
		if errors.As(runErr, &exitErr) {
			problems = append(problems, "exited with "+exitErr.ProcessState.String())
		} else {
			problems = append(problems, "did not run: "+runErr.Error())
		}
	}
	res := agentResult(collectAgentOutput(out, maxReport), problems)
	res.AgentLog = mdsafe.Text(logBuf.String(), true)
	return res, nil
}

func (a AgentSpec) validate() error {
	if strings.TrimSpace(a.Command) == "" {
		return errors.New("agent reviewer: no command")
	}
	st, err := os.Stat(a.CodeDir)
	if err != nil {
		return fmt.Errorf("agent reviewer: code directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("agent reviewer: code directory %s is not a directory", a.CodeDir)
	}
	for _, sha := range []string{a.Base, a.Head} {
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
	return strings.HasPrefix(name, "REVIEW_")
}

// environ builds the agent's environment from nothing: never the bot's own,
// which holds the GitHub token.
func (a AgentSpec) environ(home, tmp, out string) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = defaultPath
	}
	codeDir, err := filepath.Abs(a.CodeDir)
	if err != nil {
		codeDir = a.CodeDir
	}
	env := []string{
		"PATH=" + path,
		"HOME=" + home,
		"LANG=C.UTF-8",
		"TMPDIR=" + tmp,
		envReviewMode + "=differential",
		envReviewBase + "=" + a.Base,
		envReviewHead + "=" + a.Head,
		envReviewProject + "=" + a.Project,
		envReviewDirectory + "=" + a.Directory,
		envReviewCodeDir + "=" + codeDir,
		envReviewOutputDir + "=" + out,
	}
	return append(env, a.Env...)
}

// cappedBuffer keeps the first limit bytes written to it and counts the rest.
type cappedBuffer struct {
	buf     bytes.Buffer
	limit   int
	dropped int64
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := max(c.limit-c.buf.Len(), 0)
	c.buf.Write(p[:min(room, len(p))])
	c.dropped += int64(len(p) - min(room, len(p)))
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
