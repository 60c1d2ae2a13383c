package agentbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Where things are inside the sandbox. The agent sees these paths, never
// the bot's own.
const (
	CodeDir    = "/review/code"
	ContextDir = "/review/context"
	OutputDir  = "/review/output"
	ScratchDir = "/tmp"
	HomeDir    = "/tmp/home"
	// SocketPath is where the inference proxy's unix socket is bound.
	SocketPath = "/review/run/inference.sock"
	// ForwardAddr is where the forwarder listens inside the sandbox's own
	// network namespace (nothing else listens there, so the port is free).
	ForwardAddr   = "127.0.0.1:8377"
	forwarderPath = "/review/bin/forward"
)

// Spec is one sandboxed run. Every path is on the host and must exist.
type Spec struct {
	// Code is bound read-only at CodeDir, the working directory.
	Code string
	// Output is bound writable at OutputDir: the only host directory the
	// agent can write.
	Output string
	// Context, when set, is a directory bound read-only at ContextDir
	// (the previous review's report, for an incremental review).
	Context string
	// Tools are directories bound read-only at their own path, for agent
	// CLIs installed outside /usr (npm --prefix, /opt).
	Tools []string
	// Socket, when set, is the inference proxy's unix socket, bound at
	// SocketPath. ForwarderFD is then the descriptor (in the bwrap
	// process, so 3 for the first of exec.Cmd.ExtraFiles) of an open
	// executable that implements ForwardCommand (the bot's own binary):
	// bwrap copies it in read-only and starts it before Argv to listen on
	// ForwardAddr. A descriptor, because the sandbox's user may not be
	// able to read the binary's host path.
	Socket      string
	ForwarderFD int
	// Env is the whole environment inside: nothing else is passed.
	Env []string
	// Argv is the command run inside, in CodeDir.
	Argv []string
	// Limits are the run's resource caps (zero fields: the defaults).
	Limits Limits
}

// systemDirs are bound read-only when they exist on the host (as the
// symlinks they are on merged-/usr systems). /usr holds the tools.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// systemFiles are the parts of /etc programs need to start: the dynamic
// linker's cache, user and group names, CA certificates (for TLS to the
// local forwarder's upstream is not needed, but tools load them), and
// the alternatives symlinks Debian's /usr/bin points through. No shadow,
// no host names, no resolver: there is no network to resolve.
var systemFiles = []string{
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
	"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime",
	"/etc/ssl", "/etc/ca-certificates", "/etc/mime.types",
}

// Args returns bubblewrap's arguments for s (without the program name).
func Args(s Spec) ([]string, error) {
	if len(s.Argv) == 0 {
		return nil, errors.New("sandbox: no command")
	}
	for _, p := range append([]string{s.Code, s.Output}, s.Tools...) {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("sandbox: %q is not an absolute path", p)
		}
	}
	if (s.Socket == "") != (s.ForwarderFD == 0) {
		return nil, errors.New("sandbox: a socket needs a forwarder and the other way round")
	}
	scratch := s.Limits.WithDefaults().ScratchBytes
	args := []string{
		"--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		// bwrap's own init is PID 1 of the new namespace and dies with the
		// bot; when it dies the kernel kills every process in the
		// namespace, setsid or not.
		"--die-with-parent",
		// No controlling terminal to push input into (TIOCSTI).
		"--new-session",
		"--cap-drop", "ALL",
		"--hostname", "review",
	}
	for _, d := range systemDirs {
		if target, err := os.Readlink(d); err == nil {
			args = append(args, "--symlink", target, d)
		} else {
			args = append(args, "--ro-bind-try", d, d)
		}
	}
	for _, f := range systemFiles {
		args = append(args, "--ro-bind-try", f, f)
	}
	args = append(args,
		"--proc", "/proc",
		// bwrap's /dev is a tmpfs without a size: writable, memory-backed
		// space past the scratch cap. /dev/shm gets the scratch cap and
		// the rest of /dev is read-only (its device nodes still work).
		"--dev", "/dev",
		"--size", strconv.FormatInt(scratch, 10), "--tmpfs", "/dev/shm",
		"--remount-ro", "/dev",
		"--size", strconv.FormatInt(scratch, 10), "--tmpfs", ScratchDir,
		"--dir", HomeDir,
		"--ro-bind", s.Code, CodeDir,
		"--bind", s.Output, OutputDir,
	)
	if s.Context != "" {
		args = append(args, "--ro-bind", s.Context, ContextDir)
	}
	for _, t := range s.Tools {
		args = append(args, "--ro-bind", t, t)
	}
	argv := s.Argv
	if s.Socket != "" {
		args = append(args, "--ro-bind", s.Socket, SocketPath,
			"--perms", "0555", "--ro-bind-data", strconv.Itoa(s.ForwarderFD), forwarderPath)
		argv = append([]string{forwarderPath, ForwardCommand, "--listen", ForwardAddr, "--socket", SocketPath, "--"}, argv...)
	}
	// The caps bind everything inside, the forwarder too.
	argv = s.Limits.prlimitArgv(argv)
	// The root is read-only except for the tmpfs and the output.
	args = append(args, "--remount-ro", "/", "--chdir", CodeDir, "--clearenv")
	for _, kv := range s.Env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("sandbox: malformed environment entry %q", name)
		}
		args = append(args, "--setenv", name, value)
	}
	return append(append(args, "--"), argv...), nil
}

// Command is the bwrap command for s. Its own environment is empty too:
// bwrap's init is PID 1 inside, and its /proc/1/environ is readable there.
// The caller sets the credentials, process group and output.
func Command(ctx context.Context, s Spec) (*exec.Cmd, error) {
	bwrap, err := lookBwrap()
	if err != nil {
		return nil, err
	}
	args, err := Args(s)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bwrap, args...)
	cmd.Env = []string{}
	return cmd, nil
}

// Installed says whether bubblewrap is on PATH, and if not how to get it.
func Installed() error {
	_, err := lookBwrap()
	return err
}

func lookBwrap() (string, error) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return "", errors.New("sandbox: bubblewrap (bwrap) is not installed: install the bubblewrap package " +
			"(apt-get install bubblewrap), or pass --agent-sandbox none to run the agent unsandboxed")
	}
	return bwrap, nil
}

// Probe checks that bwrap can create the sandbox's namespaces here, as the
// user prepare makes the command run as. A failure says what to change.
func Probe(ctx context.Context, prepare func(*exec.Cmd) error) error {
	dir, err := os.MkdirTemp("", "updater-probe-")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	cmd, err := Command(ctx, Spec{Code: dir, Output: dir, Argv: []string{"/bin/true"}})
	if err != nil {
		return err
	}
	if err := prepare(cmd); err != nil {
		return err
	}
	raw, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	// One line whatever bwrap printed, bounded.
	out := strings.Join(strings.Fields(string(raw)), " ")
	if len(out) > 300 {
		out = out[:300] + "…"
	}
	if strings.Contains(out, prlimitPath) {
		return fmt.Errorf("sandbox: %s, which sets the agent's resource caps, cannot run (%v: %s): install util-linux, "+
			"or pass --agent-sandbox none to run the agent unsandboxed", prlimitPath, err, out)
	}
	return fmt.Errorf("sandbox: bubblewrap cannot create the agent's namespaces here (%v: %s). "+
		"Allow unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 23.10+, "+
		"e.g. `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` in the workflow; "+
		"sysctl kernel.unprivileged_userns_clone=1 on older Debian; user.max_user_namespaces > 0), "+
		"run the agent through the container example (examples/agent-reviewer/compose.yaml), "+
		"or pass --agent-sandbox none to run it unsandboxed",
		err, out)
}
