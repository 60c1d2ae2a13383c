//go:build linux

package review

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/updater/agentbox"
)

// testLimits are caps small enough that each hostile agent below meets
// its own at once.
var testLimits = agentbox.Limits{
	CPU: time.Second, FileBytes: 1 << 20, OpenFiles: 64, DataBytes: 64 << 20, Processes: 32,
	ScratchBytes: 4 << 20, OutputBytes: 1 << 20, OutputDirBytes: 4 << 20,
}

// cappedAgent is a sandboxed run of command under testLimits with a wall
// clock far longer than any cap needs: a run that ends by timing out fails
// the test, which asserts the cap that stopped it.
func cappedAgent(t *testing.T, command string) AgentSpec {
	a := agentSpec(t, command)
	a.Limits = testLimits
	a.Timeout = 2 * time.Minute
	return a
}

// Each hostile agent is stopped by its own cap, not the wall clock, and
// the review is a failure naming that cap.
func TestHostileAgentStoppedByItsCap(t *testing.T) {
	for _, tc := range []struct {
		name, command, cause string
	}{
		{"fork bomb", `i=0; while [ $i -lt 5000 ]; do sleep 300 & i=$((i+1)); done; wait`, "the process cap (32)"},
		{"memory hog", `tail /dev/zero`, "the memory cap (64 MiB per process)"},
		{"CPU spinner", `while :; do :; done`, "SIGXCPU: the CPU cap (1s per process)"},
		{"scratch filler", `i=0; while head -c 900000 /dev/zero > /tmp/fill$i; do i=$((i+1)); done; exit 1`, "the scratch size (4 MiB)"},
		{"/dev/shm filler", `i=0; while head -c 900000 /dev/zero > /dev/shm/fill$i; do i=$((i+1)); done; exit 1`, "the scratch size (4 MiB)"},
		{"/dev filler", `head -c 900000 /dev/zero > /dev/fill || exit 1; sleep 300`, "exit"},
		{"home filler", `cat /dev/zero > "$HOME/fill"`, "SIGXFSZ: the file size cap (1 MiB)"},
		{"report filler", `echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"; cat /dev/zero > "$REVIEW_OUTPUT_DIR/report.md"`,
			"SIGXFSZ: the file size cap (1 MiB)"},
		{"output directory filler", `i=0; while :; do head -c 500000 /dev/zero > "$REVIEW_OUTPUT_DIR/fill$i"; i=$((i+1)); done`,
			"stopped by the output directory cap: wrote more than 4 MiB"},
		{"output directory file flood", `i=0; while :; do : > "$REVIEW_OUTPUT_DIR/e$i"; i=$((i+1)); done`,
			"stopped by the output directory cap: wrote more than 4 MiB"},
		{"output directory filled between polls", `for i in 1 2 3 4 5 6; do head -c 900000 /dev/zero > "$REVIEW_OUTPUT_DIR/f$i"; done; echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"; echo done > "$REVIEW_OUTPUT_DIR/report.md"`,
			"stopped by the output directory cap: wrote more than 4 MiB"},
		{"stdout flood", `yes flood`, "stopped by the output cap: wrote more than 1 MiB"},
		{"stderr flood", `yes flood >&2`, "stopped by the output cap: wrote more than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runAgent(t, cappedAgent(t, tc.command))
			for _, f := range res.Findings {
				if strings.Contains(f.Detail, "timed out") {
					t.Fatalf("stopped by the wall clock, not its cap: %s", f.Detail)
				}
			}
			failedBecause(t, res, tc.cause)
			if len(res.AgentLog) > maxAgentLog+200 {
				t.Errorf("the agent's log kept %d bytes", len(res.AgentLog))
			}
		})
	}
}

// The caps are bwrap's own (set inside the sandbox), and a run within
// them passes: the well-behaved agent sees them and still reviews.
func TestCappedAgentWithinItsCapsPasses(t *testing.T) {
	res := runAgent(t, cappedAgent(t, `prlimit --nproc --cpu --fsize --data --nofile --noheadings --raw -o RESOURCE,SOFT,HARD > "$REVIEW_OUTPUT_DIR/report.md"; `+
		fmt.Sprintf(writeLabel, "info")))
	if res.Risk != Info || len(res.Findings) != 0 {
		t.Fatalf("a run within its caps failed: %s\n%s", res.Summary(), dumpFindings(res.Findings))
	}
	if want := "- **Caps**: CPU 1s per process, files 1 MiB, 64 open files, memory 64 MiB per process, 32 processes, scratch 4 MiB, output 1 MiB, output directory 4 MiB"; !strings.Contains(res.Markdown(ReportMeta{}), want) {
		t.Errorf("the report does not give the caps %q:\n%s", want, res.Markdown(ReportMeta{}))
	}
	for _, want := range []string{"NPROC 32 32", "CPU 1 2", "FSIZE 1048576 1048576", "DATA 67108864 67108864", "NOFILE 64 64"} {
		if !strings.Contains(res.AgentReport, want) {
			t.Errorf("caps inside the sandbox lack %q:\n%s", want, res.AgentReport)
		}
	}
}
