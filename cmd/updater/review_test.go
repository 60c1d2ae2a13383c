package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestReviewCommand reviews a real upstream range by hand: an install hook
// added to package.json must come out high, in report.md and labels.txt.
func TestReviewCommand(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("tool", "main")
	base := r.Commit("main", "init", gittest.Files(map[string]string{
		"package.json": "{\n  \"name\": \"tool\",\n  \"scripts\": {\"build\": \"tsc\"}\n}\n",
		"src/index.ts": "export const x = 1\n",
	}))
	head := r.Commit("main", "add a hook", gittest.Files(map[string]string{
		"package.json": "{\n  \"name\": \"tool\",\n  \"scripts\": {\"build\": \"tsc\", \"postinstall\": \"node fetch.js\"}\n}\n",
	}))
	reg := registrytest.NewRegistry(t, map[string]string{"servers/tool/server.yaml": serverYAML("tool", s.RepoURL("tool"), "", base, "")})
	out := filepath.Join(t.TempDir(), "out")

	// High risk fails the review under the default --fail-on high; the
	// reference registry's mapping (--fail-on critical) lets it pass.
	cache := t.TempDir()
	code, _, stderr := cli(context.Background(), nil, "review", "--registry", reg, "--server", "tool",
		"--base", base, "--head", head, "--cache-dir", cache)
	if code != exitFailed || !strings.Contains(stderr, "review failed: risk high") {
		t.Fatalf("default --fail-on: exit %d, want %d\n%s", code, exitFailed, stderr)
	}
	code, stdout, stderr := cli(context.Background(), nil, "review", "--registry", reg, "--server", "tool",
		"--base", base, "--head", head, "--output", out, "--cache-dir", cache, "--fail-on", "critical")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	labels, err := os.ReadFile(filepath.Join(out, "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(labels) != "security-risk:high\n" {
		t.Errorf("labels.txt = %q, want security-risk:high", labels)
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"# Security Review Report", "## Scope Summary", "Differential", "postinstall", "## Recommended Labels"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if stdout != string(report) {
		t.Error("the report printed differs from report.md")
	}

	// A range end that does not exist upstream is a bad argument (exit 2),
	// not a review to pass or an "incomplete" one.
	const nowhere = "0000000000000000000000000000000000000001"
	for _, tc := range []struct{ base, head, flag string }{{base, nowhere, "--head"}, {nowhere, head, "--base"}} {
		code, stdout, stderr := cli(context.Background(), nil, "review", "--registry", reg, "--server", "tool",
			"--base", tc.base, "--head", tc.head, "--cache-dir", cache)
		want := "tool: " + tc.flag + " " + nowhere + ": no such commit upstream"
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, want) {
			t.Errorf("%s missing upstream: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.flag, code, stdout, stderr, want)
		}
	}

	for _, args := range [][]string{
		{"review", "--registry", reg, "--server", "tool", "--base", "abc", "--head", head},
		{"review", "--registry", reg, "--server", "nope", "--base", base, "--head", head},
	} {
		if code, _, _ := cli(context.Background(), nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
