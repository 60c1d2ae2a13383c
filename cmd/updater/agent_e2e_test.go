package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-registry/updater/updater/agentbox"
	"github.com/mcp-registry/updater/updater/inference"
)

// requireBwrap skips an agent test where bubblewrap is missing (.ci/run
// installs it, so CI never skips).
func requireBwrap(t *testing.T) {
	t.Helper()
	if err := agentbox.Installed(); err != nil {
		skipOutsideCI(t, err.Error())
	}
}

// skipOutsideCI skips a test whose tools are missing on a developer's
// machine; under CI (CI=true), where .ci/run installs them, a missing
// tool fails the test instead of hiding it.
func skipOutsideCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: .ci/run should have installed it)")
	}
	t.Skip(why)
}

func TestMain(m *testing.M) {
	// The agent sandbox runs this binary as its forwarder, as it runs the
	// real updater.
	if len(os.Args) > 1 && os.Args[1] == agentbox.ForwardCommand {
		os.Exit(agentbox.ForwardMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// codexPrefixEnv names the npm prefix holding @openai/codex for the end
// to end agent test; .ci/run installs it at defaultCodexPrefix.
const (
	codexPrefixEnv     = "UPDATER_TEST_CODEX_PREFIX"
	defaultCodexPrefix = "/opt/updater-ci/codex"
)

// codexPrefix finds the agent CLI, or says why the test cannot run.
func codexPrefix(t *testing.T) string {
	t.Helper()
	requireBwrap(t)
	if _, err := exec.LookPath("node"); err != nil {
		skipOutsideCI(t, "node is not installed (apt-get install nodejs npm; .ci/run does)")
	}
	prefix := os.Getenv(codexPrefixEnv)
	if prefix == "" {
		prefix = defaultCodexPrefix
	}
	if _, err := os.Stat(filepath.Join(prefix, "node_modules/.bin/codex")); err != nil {
		skipOutsideCI(t, fmt.Sprintf("the Codex CLI is not installed at %s (npm install --prefix %s @openai/codex@0.171.0, or set %s; .ci/run does)", prefix, prefix, codexPrefixEnv))
	}
	return prefix
}

// fakeResponses is enough of the OpenAI Responses API (streamed) for a
// scripted Codex session: the first turn asks for one shell command (the
// script), the turn after its output ends the session.
type fakeResponses struct {
	script string
	mu     sync.Mutex
	auth   []string
	paths  []string
}

func (f *fakeResponses) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Input []json.RawMessage `json:"input"`
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if r.URL.Path != "/v1/responses" || json.Unmarshal(body, &req) != nil {
		http.Error(w, "not scripted", http.StatusNotFound)
		return
	}
	toolResult := false
	for _, in := range req.Input {
		if strings.Contains(string(in), `"function_call_output"`) {
			toolResult = true
		}
	}
	shell := "shell"
	for _, tl := range req.Tools {
		if tl.Name == "exec_command" {
			shell = tl.Name
		}
	}
	var item any
	if !toolResult {
		var args []byte
		if shell == "exec_command" {
			args, _ = json.Marshal(map[string]any{"cmd": f.script})
		} else {
			args, _ = json.Marshal(map[string]any{"command": []string{"sh", "-c", f.script}})
		}
		item = map[string]any{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": shell, "arguments": string(args)}
	} else {
		item = map[string]any{"type": "message", "id": "msg_1", "role": "assistant",
			"content": []any{map[string]any{"type": "output_text", "text": "Review written."}}}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, ev := range []map[string]any{
		{"type": "response.created", "response": map[string]any{"id": "resp_1"}},
		{"type": "response.output_item.done", "item": item},
		{"type": "response.completed", "response": map[string]any{"id": "resp_1",
			"usage": map[string]any{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}}},
	} {
		data, _ := json.Marshal(ev)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev["type"], data)
	}
}

// A real agent CLI (Codex, from npm) runs in the sandbox through the
// shipped example script, against a scripted model behind the inference
// proxy: the request arrives with the key the proxy injected, the agent's
// environment holds neither that key nor the GitHub token, its outputs
// are taken, and its verdict reaches the PR.
func TestRealAgentCLIEndToEnd(t *testing.T) {
	prefix := codexPrefix(t)
	const inferenceKey = "sk-proj-REAL-inference-key-0123456789abcdef"
	fake := &fakeResponses{script: `{ echo '# Security Review Report'; echo; echo '## Executive Summary'; echo; echo 'Scripted by the fake model.'; ` +
		`echo; echo '## Environment'; env | sort; echo; echo '## Range'; git log --format=%s "$REVIEW_BASE..$REVIEW_HEAD"; } > "$REVIEW_OUTPUT_DIR/report.md"; ` +
		`printf 'security-risk:medium\n' > "$REVIEW_OUTPUT_DIR/labels.txt"`}
	model := httptest.NewServer(fake)
	defer model.Close()

	f := newRegistryFixture(t, map[string]int{"tool": 0}, 3)
	f.env["UPDATER_INFERENCE_KEY"] = inferenceKey
	examples, err := filepath.Abs("../../examples/agent-reviewer")
	if err != nil {
		t.Fatal(err)
	}
	f.pass(exitOK, "--review", "command", "--review-timeout", "2m",
		"--reviewer-cmd", "CODEX="+filepath.Join(prefix, "node_modules/.bin/codex")+" sh "+filepath.Join(examples, "codex.sh"),
		"--agent-tools", prefix, "--agent-tools", examples, "--inference-upstream", model.URL)

	fake.mu.Lock()
	auth, paths := fake.auth, fake.paths
	fake.mu.Unlock()
	if len(auth) < 2 {
		t.Fatalf("the model saw %d requests (%v), want the two turns", len(auth), paths)
	}
	for i, a := range auth {
		if a != "Bearer "+inferenceKey {
			t.Errorf("request %d (%s) arrived with Authorization %q, not the injected key", i, paths[i], a)
		}
	}
	pr, ok := f.botPR("tool")
	if !ok {
		t.Fatal("no PR")
	}
	if !contains(pr.Labels, "security-risk:medium") {
		t.Errorf("the agent's verdict did not reach the PR: labels %v", pr.Labels)
	}
	report := f.reviewComment(pr.Number)
	for _, want := range []string{"Scripted by the fake model.", "REVIEW_CODE_DIR=/review/code", "OPENAI_API_KEY=" + inference.PlaceholderKey,
		"- **Sandbox**: bubblewrap", "- **Inference**: "} {
		if !strings.Contains(report, want) {
			t.Errorf("the PR's report lacks %q:\n%s", want, report)
		}
	}
	for _, secret := range []string{inferenceKey, f.gh.Token} {
		if strings.Contains(report, secret) {
			t.Errorf("the agent's environment held a secret:\n%s", report)
		}
	}
	if strings.Contains(report, "GITHUB_") {
		t.Errorf("the agent's environment held GITHUB_ variables:\n%s", report)
	}
}
