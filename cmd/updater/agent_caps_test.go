package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A runner where bubblewrap cannot make its namespaces fails run, daemon
// and review at start with exit 2 and one line saying what to change,
// before any server is looked at.
func TestUnusableSandboxFailsAtStart(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"tool": 0}, 3)
	// Traversable by the user a root bot runs sandboxes as.
	bin := t.TempDir()
	for _, d := range []string{filepath.Dir(bin), bin} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fake := "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "bwrap"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	agent := []string{"--review", "command", "--reviewer-cmd", "exit 1"}
	for name, args := range map[string][]string{
		"run":    append([]string{"run", "--registry", f.checkout(), "--cache-dir", f.cache}, agent...),
		"daemon": append([]string{"daemon", "--run-on-start", "--registry", f.checkout(), "--cache-dir", f.cache}, agent...),
		"review": append([]string{"review", "--registry", f.checkout(), "--server", "tool", "--cache-dir", f.cache}, agent...),
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := cli(context.Background(), f.env, args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUsage, stdout, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || stdout != "" {
				t.Errorf("want one line on stderr and nothing on stdout, got stdout %q, stderr:\n%s", stdout, stderr)
			}
			for _, want := range []string{"setting up uid map: Permission denied", "kernel.unprivileged_userns_clone=1",
				"kernel.apparmor_restrict_unprivileged_userns=0", "--agent-sandbox none"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q: %s", want, stderr)
				}
			}
		})
	}
	if prs := f.gh.Pulls(); len(prs) != 0 || f.pushes() != 0 {
		t.Errorf("a server was touched: %d PRs, %d pushes", len(prs), f.pushes())
	}
}

// A hostile agent stopped by its cap fails its own server's review, names
// the cap, and the other server's review goes on.
func TestHostileAgentFailsOnlyItsOwnReview(t *testing.T) {
	requireBwrap(t)
	const agent = `case "$REVIEW_PROJECT" in
		*bomb*) i=0; while [ $i -lt 5000 ]; do sleep 300 & i=$((i+1)); done; wait;;
		*) echo fine > "$REVIEW_OUTPUT_DIR/report.md"; echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt";;
	esac`
	f := newRegistryFixture(t, map[string]int{"bomb": 0, "tool": 0}, 3)
	f.pass(exitOK, "--review", "command", "--reviewer-cmd", agent, "--review-timeout", "5m", "--agent-processes", "32")
	bomb, ok := f.botPR("bomb")
	tool, ok2 := f.botPR("tool")
	if !ok || !ok2 {
		t.Fatalf("PRs missing: %v %v", ok, ok2)
	}
	var bombReport string
	for _, c := range f.gh.Comments(bomb.Number) {
		bombReport += c.Body
	}
	if !strings.Contains(bombReport, "the process cap (32)") || strings.Contains(bombReport, "timed out") {
		t.Errorf("the bomb's review does not name its cap:\n%s", bombReport)
	}
	if !contains(f.gh.PR(bomb.Number).Labels, "security-risk:high") {
		t.Errorf("the bomb's review is not failing: labels %v", f.gh.PR(bomb.Number).Labels)
	}
	if labels := f.gh.PR(tool.Number).Labels; !contains(labels, "security-risk:info") && !contains(labels, "security-risk:low") {
		t.Errorf("the other server's review did not go on: labels %v", labels)
	}
}
