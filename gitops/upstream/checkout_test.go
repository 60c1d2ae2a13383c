package upstream

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// The agent's code directory is a real git checkout: HEAD is the new pin,
// the old one is reachable, the range's log and diff work, nothing older
// than the old pin is carried, and git status is clean but for the files
// the export leaves out.
func TestCheckoutIsARealRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	s := gittest.NewServer(t)
	r := s.NewRepo("up", "main")
	root := r.Commit("main", "root", gittest.Files(map[string]string{"README.md": "hello\n", "old.txt": "gone later\n"}))
	base := r.Commit("main", "base", gittest.Files(map[string]string{"src/server.js": "export const v = 1;\n"}))
	r.Commit("main", "middle", gittest.Files(map[string]string{"src/server.js": "export const v = 2;\n"}))
	head := r.Commit("main", "head", gittest.Files(map[string]string{"src/server.js": "import { exec } from 'node:child_process';\n"}))

	c, err := NewCache(t.TempDir(), CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "code")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveExport(dst) })
	if _, err := c.Checkout(context.Background(), s.RepoURL("up"), base, head, dst); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", dst}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	mustGit := func(args ...string) string {
		t.Helper()
		out, err := git(args...)
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return out
	}
	if got := mustGit("rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD %s, want %s", got, head)
	}
	if got := mustGit("rev-parse", BaseRef); got != base {
		t.Errorf("%s is %s, want %s", BaseRef, got, base)
	}
	if got := mustGit("log", "--format=%s", base+".."+head); got != "head\nmiddle" {
		t.Errorf("log of the range: %q", got)
	}
	if diff := mustGit("diff", base, head, "--", "src/server.js"); !strings.Contains(diff, "+import { exec }") {
		t.Errorf("diff of the range:\n%s", diff)
	}
	if st := mustGit("status", "--porcelain"); st != "" {
		t.Errorf("git status not clean:\n%s", st)
	}
	mustGit("fsck", "--no-dangling", "--connectivity-only")
	if out, err := git("cat-file", "-e", root); err == nil {
		t.Errorf("the root commit, older than the old pin, was carried: %s", out)
	}
	if got, err := os.ReadFile(filepath.Join(dst, "src/server.js")); err != nil || !strings.Contains(string(got), "child_process") {
		t.Errorf("work tree file: %q %v", got, err)
	}
}

func TestCheckoutRefusesBadInput(t *testing.T) {
	c, err := NewCache(t.TempDir(), CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if _, err := c.Checkout(context.Background(), "https://example.invalid/x.git", "main", strings.Repeat("a", 40), dst); err == nil ||
		!strings.Contains(err.Error(), "not a full 40-hex commit SHA") {
		t.Errorf("bad base: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dst, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Checkout(context.Background(), "https://example.invalid/x.git", strings.Repeat("a", 40), strings.Repeat("b", 40), dst); err == nil ||
		!strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty destination: %v", err)
	}
}
