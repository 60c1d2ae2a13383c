package agentbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestArgsMakeAClosedSandbox(t *testing.T) {
	args, err := Args(Spec{Code: "/w/code", Output: "/w/output", Tools: []string{"/opt/agent"}, Socket: "/w/run/s.sock", ForwarderFD: 3,
		Env: []string{"A=b=c", "EMPTY="}, Argv: []string{"/bin/sh", "-c", "echo hi"}})
	if err != nil {
		t.Fatal(err)
	}
	joined := " " + strings.Join(args, " ") + " "
	for _, want := range []string{
		" --unshare-user ", " --unshare-pid ", " --unshare-net ", " --unshare-ipc ", " --unshare-uts ", " --die-with-parent ", " --new-session ",
		" --cap-drop ALL ", " --proc /proc ", " --dev /dev ", " --tmpfs /tmp ", " --ro-bind /w/code /review/code ", " --bind /w/output /review/output ",
		" --ro-bind /opt/agent /opt/agent ", " --ro-bind /w/run/s.sock /review/run/inference.sock ", " --ro-bind-data 3 /review/bin/forward ",
		" --remount-ro / ", " --clearenv ", " --setenv A b=c ", " --setenv EMPTY  ", " --chdir /review/code ",
		" --size 536870912 --tmpfs /tmp ",
		" -- /usr/bin/prlimit --cpu=600:601 --fsize=268435456 --nofile=4096 --data=4294967296 --nproc=512 -- " +
			"/review/bin/forward sandbox-forward --listen 127.0.0.1:8377 --socket /review/run/inference.sock -- /bin/sh -c echo hi ",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("bwrap arguments lack %q:\n%s", want, joined)
		}
	}
	// Nothing of the host beyond the system directories: not its /proc,
	// home, /etc as a whole, /var, /run or /tmp.
	for i, a := range args {
		if (a == "--bind" || a == "--ro-bind" || a == "--ro-bind-try" || a == "--bind-try") && i+1 < len(args) {
			src := args[i+1]
			for _, bad := range []string{"/proc", "/home", "/root", "/etc", "/var", "/run", "/tmp", "/"} {
				if src == bad || (bad != "/" && strings.HasPrefix(src, bad+"/") && !strings.HasPrefix(src, "/etc/")) {
					t.Errorf("host %s is bound in", src)
				}
			}
			if src == "/etc/shadow" {
				t.Error("host /etc/shadow is bound in")
			}
		}
	}
	if slices.Contains(args, "--share-net") {
		t.Error("network shared")
	}
}

func TestArgsRefuseBadSpecs(t *testing.T) {
	for name, s := range map[string]Spec{
		"no command":           {Code: "/c", Output: "/o"},
		"relative code":        {Code: "code", Output: "/o", Argv: []string{"true"}},
		"socket, no forwarder": {Code: "/c", Output: "/o", Socket: "/s", Argv: []string{"true"}},
		"malformed env":        {Code: "/c", Output: "/o", Env: []string{"NOEQUALS"}, Argv: []string{"true"}},
	} {
		if _, err := Args(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Where bwrap cannot create namespaces (a runner restricting unprivileged
// user namespaces), the error says what to change.
func TestProbeSaysWhatToChange(t *testing.T) {
	fakeBwrap(t, "echo 'bwrap: setting up uid map: Permission denied' >&2\nexit 1")
	err := Probe(context.Background(), func(*exec.Cmd) error { return nil })
	if err == nil {
		t.Fatal("a failing bwrap passed the probe")
	}
	for _, want := range []string{"setting up uid map: Permission denied", "kernel.apparmor_restrict_unprivileged_userns=0",
		"kernel.unprivileged_userns_clone=1", "compose.yaml", "--agent-sandbox none"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("probe error lacks %q: %v", want, err)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if err := Probe(context.Background(), func(*exec.Cmd) error { return nil }); err == nil || !strings.Contains(err.Error(), "apt-get install bubblewrap") && !strings.Contains(err.Error(), "install the bubblewrap package") {
		t.Errorf("no bwrap: %v", err)
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{Bwrap, None} {
		if got, err := ParseMode(m.String()); err != nil || got != m {
			t.Errorf("%s: %v %v", m, got, err)
		}
	}
	var m Mode
	if err := m.Set("docker"); err == nil {
		t.Error("docker accepted")
	}
	if m != Bwrap {
		t.Error("the zero mode is not bwrap")
	}
}

func TestLimitsDefaultsAndCause(t *testing.T) {
	l := Limits{Processes: 7}.WithDefaults()
	if l.Processes != 7 || l.CPU != DefaultCPU || l.DataBytes != DefaultDataBytes || l.ScratchBytes != DefaultScratchBytes {
		t.Errorf("defaults: %+v", l)
	}
	for _, tc := range []struct {
		code      int
		log, want string
	}{
		{152, "", "SIGXCPU: the CPU cap (10m0s per process)"},
		{153, "", "SIGXFSZ: the file size cap (256 MiB)"},
		{2, "sh: 1: Cannot fork", "the process cap (7)"},
		{1, "tail: memory exhausted", "the memory cap (4 GiB per process)"},
		{1, "head: error writing 'x': No space left on device", "the scratch size (512 MiB)"},
		{1, "all fine, just failed", ""},
	} {
		if got := l.Cause(tc.code, tc.log); !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("Cause(%d, %q) = %q, want %q", tc.code, tc.log, got, tc.want)
		}
	}
}

// Without prlimit the sandbox cannot set its caps: the probe says to
// install util-linux, in one line.
func TestProbeSaysPrlimitIsMissing(t *testing.T) {
	fakeBwrap(t, "echo 'bwrap: execvp /usr/bin/prlimit: No such file or directory' >&2\necho second line >&2\nexit 1")
	err := Probe(context.Background(), func(*exec.Cmd) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "install util-linux") || strings.Contains(err.Error(), "\n") {
		t.Errorf("probe without prlimit: %v", err)
	}
}

// fakeBwrap puts a bwrap running script alone on PATH.
func fakeBwrap(t *testing.T, script string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "bwrap"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
}
