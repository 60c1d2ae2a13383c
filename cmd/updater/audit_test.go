package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/registry/registrytest"
	"github.com/mcp-registry/updater/updater"
)

// auditJSON is the part of `audit --json` the tests read.
type auditJSON struct {
	Servers int `json:"servers"`
	New     []struct {
		Server, Rule, Path string
	} `json:"new"`
	Baselined int `json:"baselined"`
	Allowed   int `json:"allowed"`
}

func (a auditJSON) count(server, rule string) int {
	n := 0
	for _, f := range a.New {
		if f.Server == server && f.Rule == rule {
			n++
		}
	}
	return n
}

// TestAudit: a finding at a server's pin is reported once; after
// --write-baseline it is not, even once its line moved; an allowed one
// never is; a finding introduced later is reported. The Markdown goes to
// the job summary.
func TestAudit(t *testing.T) {
	s := gittest.NewServer(t)
	hook := "{\n  \"name\": \"x\",\n  \"scripts\": {\"postinstall\": \"node build.js\"}\n}\n"
	tool := s.NewRepo("tool", "main")
	toolPin := tool.Commit("main", "init", gittest.Files(map[string]string{"package.json": hook, "src/index.ts": "export const x = 1\n"}))
	// The same hook two lines down: a moved line is the same finding.
	toolMoved := tool.Commit("main", "reformat", gittest.Files(map[string]string{"package.json": "{\n\n\n" + hook[2:]}))
	toolEval := tool.Commit("main", "eval", gittest.Files(map[string]string{
		"src/run.ts": "const code = Buffer.from(process.argv[2], 'base64').toString()\neval(code)\n",
	}))
	okd := s.NewRepo("okd", "main")
	okdPin := okd.Commit("main", "init", gittest.Files(map[string]string{"package.json": hook}))
	reg := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("tool"): serverYAML("tool", s.RepoURL("tool"), "", toolPin, ""),
		registry.ServerPath("okd"):  serverYAML("okd", s.RepoURL("okd"), "", okdPin, ""),
		config.Path:                 "allow:\n  okd:\n    - rule: install-hook\n      reason: builds its native module\n",
	})
	cache := t.TempDir()
	audit := func(wantCode int, extra ...string) auditJSON {
		t.Helper()
		code, stdout, stderr := cli(context.Background(), nil, append([]string{"audit", "--registry", reg, "--cache-dir", cache, "--json"}, extra...)...)
		if code != wantCode {
			t.Fatalf("audit %v: exit %d, want %d\n%s", extra, code, wantCode, stderr)
		}
		var a auditJSON
		if err := json.Unmarshal([]byte(stdout), &a); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		return a
	}
	a := audit(exitFailed)
	if a.Servers != 2 || a.count("tool", "install-hook") != 1 || a.Allowed == 0 {
		t.Fatalf("first audit: %+v, want tool's hook once and okd's allowed", a)
	}
	for _, f := range a.New {
		if f.Server == "okd" && f.Rule == "install-hook" {
			t.Errorf("an allowed finding was reported: %+v", f)
		}
	}

	if code, _, stderr := cli(context.Background(), nil, "audit", "--registry", reg, "--cache-dir", cache, "--write-baseline"); code != exitUsage {
		t.Errorf("--write-baseline without --reason: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := cli(context.Background(), nil, "audit", "--registry", reg, "--cache-dir", cache, "--write-baseline", "--reason", "reviewed by hand"); code != exitOK {
		t.Fatalf("--write-baseline: exit %d\n%s", code, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(reg, updater.BaselinePath))
	if err != nil || !strings.Contains(string(raw), `"reason": "reviewed by hand"`) {
		t.Fatalf("baseline: %v\n%s", err, raw)
	}
	if a := audit(exitOK); len(a.New) != 0 || a.Baselined == 0 {
		t.Errorf("after --write-baseline: %+v, want nothing new", a)
	}

	// The pin moves past a reformat: the hook's line moved, still accepted.
	setPin := func(sha string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(reg, filepath.FromSlash(registry.ServerPath("tool"))), []byte(serverYAML("tool", s.RepoURL("tool"), "", sha, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setPin(toolMoved)
	if a := audit(exitOK); len(a.New) != 0 {
		t.Errorf("a moved line is reported again: %+v", a.New)
	}
	// A new finding is reported, once; the accepted ones still are not.
	setPin(toolEval)
	summary := filepath.Join(t.TempDir(), "summary.md")
	code, stdout, stderr := cli(context.Background(), map[string]string{"GITHUB_STEP_SUMMARY": summary}, "audit", "--registry", reg, "--cache-dir", cache)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailed, stderr)
	}
	md, _ := os.ReadFile(summary)
	if !strings.Contains(string(md), "## Security audit") || !strings.Contains(string(md), "src/run.ts") || strings.Contains(string(md), "package.json") {
		t.Errorf("job summary:\n%s", md)
	}
	if stdout != "" {
		t.Errorf("with a job summary, stdout holds %q", stdout)
	}
}

// TestAuditReportsInvalidFiles: a locally built server whose file cannot
// be audited (a misspelt commit key) is reported as not audited and fails
// the audit, alone or named with --server; never a silent "0 servers".
func TestAuditReportsInvalidFiles(t *testing.T) {
	s := gittest.NewServer(t)
	tool := s.NewRepo("tool", "main")
	pin := tool.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	reg := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("typo"): strings.Replace(serverYAML("typo", s.RepoURL("tool"), "", pin, ""), "  commit:", "  comit:", 1),
	})
	for _, extra := range [][]string{nil, {"--server", "typo"}} {
		code, stdout, stderr := cli(context.Background(), nil, append([]string{"audit", "--registry", reg, "--cache-dir", t.TempDir()}, extra...)...)
		if code != exitFailed || !strings.Contains(stdout, "**Not audited**: typo: servers/typo/server.yaml") || !strings.Contains(stdout, "did you mean commit") {
			t.Errorf("audit %v: exit %d, want %d and typo not audited with the fix\n%s\n%s", extra, code, exitFailed, stdout, stderr)
		}
	}
}
