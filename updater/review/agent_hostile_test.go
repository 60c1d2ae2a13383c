//go:build linux

package review

import (
	"context"
	"fmt"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/inference"
)

// Each escape an attacker showed on the unsandboxed runner is a test here.
// Where an unsandboxed control run is cheap it is made too, proving the
// assertion can fail.

// Two reviews run at once: the attacker looks for the other review's
// output directory and overwrites its verdict while the victim is still
// running. The victim's critical, blocked verdict must stand.
func TestHostileAgentCannotOverwriteAnotherReview(t *testing.T) {
	for _, sandbox := range []agentbox.Mode{agentbox.Bwrap, agentbox.None} {
		t.Run(sandbox.String(), func(t *testing.T) {
			t.Parallel()
			victim := agentSpec(t, `echo 'bad code' > "$REVIEW_OUTPUT_DIR/report.md"; printf 'security-risk:critical\nsecurity-blocked\n' > "$REVIEW_OUTPUT_DIR/labels.txt"; sleep 2`)
			attacker := agentSpec(t, `i=0; while [ $i -lt 25 ]; do
				for d in /tmp/updater-agent-*/output /tmp/*/output /review/../*/output; do
					[ "$d" = "$REVIEW_OUTPUT_DIR" ] && continue
					[ -f "$d/labels.txt" ] && { echo security-risk:info > "$d/labels.txt"; echo all good > "$d/report.md"; } 2>/dev/null
				done; sleep 0.1; i=$((i+1)); done
				echo r > "$REVIEW_OUTPUT_DIR/report.md"; echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"`)
			victim.Sandbox, attacker.Sandbox = sandbox, sandbox
			var wg sync.WaitGroup
			var vres *Result
			wg.Add(1)
			go func() {
				defer wg.Done()
				vres, _ = RunAgent(context.Background(), victim)
			}()
			if _, err := RunAgent(context.Background(), attacker); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if vres == nil {
				t.Fatal("the victim's review failed")
			}
			overwritten := vres.Risk != Critical || !vres.Blocked
			switch {
			case sandbox == agentbox.Bwrap && overwritten:
				t.Errorf("an agent rewrote another review's verdict: %s, report %q", vres.Summary(), vres.AgentReport)
			case sandbox == agentbox.None && !overwritten && os.Geteuid() == 0:
				// Control: unsandboxed agents share the user nobody and /tmp.
				t.Errorf("control: the unsandboxed attacker did not reach the victim: %s", vres.Summary())
			}
		})
	}
}

// hostProcesses lists the host's live processes whose command line holds
// marker.
func hostProcesses(marker string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), marker) {
			continue
		}
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err == nil && processAlive(pid) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// waitGone waits (boundedly) for the processes holding marker to go, and
// returns those that did not.
func waitGone(marker string) []string {
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := hostProcesses(marker)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A setsid child leaves the agent's process group and session; it must
// still be gone when the review ends, after an exit and after a timeout.
func TestHostileAgentSetsidSurvivorKilled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tail    string
		timeout time.Duration
	}{
		{"after exit", "", 20 * time.Second},
		{"after timeout", "; sleep 60", 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := fmt.Sprintf("survivor-%d", time.Now().UnixNano())
			a := agentSpec(t, `setsid sh -c 'while :; do sleep 1; done; : `+marker+`' >/dev/null 2>&1 </dev/null & sleep 0.5; `+
				`echo r > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")+tc.tail)
			a.Timeout = tc.timeout
			runAgent(t, a)
			if left := waitGone(marker); len(left) > 0 {
				killAll(left)
				t.Fatalf("agent processes outlived the review: %v", left)
			}
		})
	}
	// Control: unsandboxed, the setsid child escapes the group kill.
	marker := fmt.Sprintf("survivor-%d", time.Now().UnixNano())
	runAgent(t, unsandboxed(t, `setsid sh -c 'while :; do sleep 1; done; : `+marker+`' >/dev/null 2>&1 </dev/null & sleep 0.5; `+
		`echo r > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	left := hostProcesses(marker)
	killAll(left)
	if len(left) == 0 {
		t.Error("control: the unsandboxed setsid child did not survive; the test proves nothing")
	}
}

func killAll(procs []string) {
	for _, l := range procs {
		var pid int
		fmt.Sscan(strings.SplitN(l, ":", 2)[0], &pid)
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
	}
}

// The code is read-only to the agent whoever the bot runs as, even for an
// agent that owns the files (a non-root bot's agent does, unsandboxed).
func TestHostileAgentCannotWriteTheCode(t *testing.T) {
	requireBwrap(t)
	const attack = `chmod -R u+w "$REVIEW_CODE_DIR" 2>/dev/null; ` +
		`{ echo pwned > "$REVIEW_CODE_DIR/server.py" && echo WROTE-EXISTING; echo x > "$REVIEW_CODE_DIR/new.txt" && echo WROTE-NEW; ` +
		`mkdir "$REVIEW_CODE_DIR/sub" && echo WROTE-DIR; cat "$REVIEW_CODE_DIR/server.py"; echo attack-done; } > "$REVIEW_OUTPUT_DIR/report.md" 2>/dev/null; ` +
		`echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"`
	check := func(t *testing.T, out string) {
		t.Helper()
		if strings.Contains(out, "WROTE-") || strings.Contains(out, "pwned") {
			t.Errorf("the agent wrote into the code:\n%s", mdsafe.Truncate(out, 2000))
		}
		if !strings.Contains(out, "print('hello')") || !strings.Contains(out, "attack-done") {
			t.Errorf("the attack did not run as expected:\n%s", mdsafe.Truncate(out, 2000))
		}
	}
	t.Run("bot's own user", func(t *testing.T) {
		res := runAgent(t, agentSpec(t, attack))
		check(t, res.AgentReport)
	})
	if os.Geteuid() == 0 {
		t.Run("non-root bot", func(t *testing.T) {
			check(t, runAgentHelperCmd(t, attack, "", agentbox.Bwrap, asNobody, false))
		})
		t.Run("control: unsandboxed non-root bot", func(t *testing.T) {
			if out := runAgentHelperCmd(t, attack, "", agentbox.None, asNobody, false); !strings.Contains(out, "WROTE-") {
				t.Errorf("control: the unsandboxed agent could not write its own copy:\n%s", mdsafe.Truncate(out, 2000))
			}
		})
	}
}

// countingListener is a loopback service outside the sandbox that counts
// the connections it accepts.
func countingListener(t *testing.T) (addr string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
			io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\nsecret")
			c.Close()
		}
	}()
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }
}

const tryConnect = `{ git ls-remote "http://$TARGET/repo.git"; curl -s --max-time 3 "http://$TARGET/"; wget -q -T 3 -O - "http://$TARGET/"; echo tried; } > "$REVIEW_OUTPUT_DIR/report.md" 2>&1; ` +
	`echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"`

// The sandbox has no network: a service on the host's loopback (the bot's
// metrics, a local GitHub proxy, a cloud metadata relay) is out of reach.
func TestHostileAgentCannotReachHostLoopback(t *testing.T) {
	addr, accepted := countingListener(t)
	a := agentSpec(t, tryConnect)
	a.Env = []string{"TARGET=" + addr}
	res := runAgent(t, a)
	if !strings.Contains(res.AgentReport, "tried") {
		t.Fatalf("the agent did not run as expected:\n%s", res.AgentReport)
	}
	if n := accepted(); n > 0 || strings.Contains(res.AgentReport, "secret") {
		t.Errorf("the sandboxed agent connected to the host's loopback %d times:\n%s", n, res.AgentReport)
	}
	// Control: unsandboxed, the same agent gets through.
	u := unsandboxed(t, tryConnect)
	u.Env = a.Env
	runAgent(t, u)
	if accepted() == 0 {
		t.Error("control: the unsandboxed agent did not connect either; the test proves nothing")
	}
}

// The agent reaches its model only through the proxy: with the real key
// injected outside, only the model endpoints, and never the upstream
// directly. Its own environment holds a placeholder.
func TestHostileAgentProxyAllowListAndKey(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	const realKey = "sk-ant-REAL-key-must-stay-outside-0123456789"
	var mu sync.Mutex
	var seen []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" key="+r.Header.Get("X-Api-Key"))
		mu.Unlock()
		io.WriteString(w, `{"type":"message","content":[{"type":"text","text":"model says hi"}]}`)
	}))
	defer up.Close()
	target, err := inference.ParseUpstream(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	a := agentSpec(t, `{ env; echo "== messages"; curl -s -X POST -H "x-api-key: $ANTHROPIC_API_KEY" -d '{"model":"m"}' "$ANTHROPIC_BASE_URL/v1/messages"; echo; `+
		`for p in /v1/models /v1/organizations/keys /v1/messages/../files "/v1/files?x=/v1/messages"; do echo "== $p $(curl -s -o /dev/null -w '%{http_code}' -X POST "$ANTHROPIC_BASE_URL$p")"; done; `+
		`echo "== direct $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -X POST "$UPSTREAM/v1/messages")"; } > "$REVIEW_OUTPUT_DIR/report.md" 2>&1; `+
		`echo security-risk:info > "$REVIEW_OUTPUT_DIR/labels.txt"`)
	a.Env = []string{"UPSTREAM=" + up.URL}
	a.Inference = &inference.Config{Upstream: target, Key: realKey}
	res := runAgent(t, a)
	rep := res.AgentReport
	if !strings.Contains(rep, "model says hi") {
		t.Fatalf("the model call through the proxy failed:\n%s\nlog: %s", rep, res.AgentLog)
	}
	if strings.Contains(rep, realKey) || !strings.Contains(rep, "ANTHROPIC_API_KEY="+inference.PlaceholderKey) {
		t.Errorf("the agent's environment holds the real key, or no placeholder:\n%s", rep)
	}
	for _, p := range []string{"/v1/models", "/v1/organizations/keys", "/v1/files?x=/v1/messages"} {
		if !strings.Contains(rep, "== "+p+" 403") {
			t.Errorf("%s was not refused by the proxy:\n%s", p, rep)
		}
	}
	if !strings.Contains(rep, "== direct 000") {
		t.Errorf("the agent reached the upstream directly:\n%s", rep)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "POST /v1/messages key="+realKey {
		t.Errorf("the upstream saw %q, want only the model call with the real key", seen)
	}
	if u := res.AgentRun.Usage; u == nil || u.Requests != 1 || u.Refused < 3 || u.ResponseBytes == 0 {
		t.Errorf("usage %+v", res.AgentRun.Usage)
	}
	if md := res.Markdown(ReportMeta{}); !strings.Contains(md, "- **Inference**: 1 request") || !strings.Contains(md, "- **Sandbox**: bubblewrap") {
		t.Errorf("the report does not say how the agent ran:\n%s", md)
	}
}

// --agent-sandbox none is said in the report.
func TestUnsandboxedRunIsSaidInTheReport(t *testing.T) {
	res := runAgent(t, unsandboxed(t, `echo r > "$REVIEW_OUTPUT_DIR/report.md"; `+fmt.Sprintf(writeLabel, "info")))
	if md := res.Markdown(ReportMeta{}); !strings.Contains(md, "**the agent ran unsandboxed**") {
		t.Errorf("report:\n%s", md)
	}
}
