package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// serverYAML is a locally built server pinned to commit, following branch
// when it is non-empty, built from directory when non-empty.
func serverYAML(name, project, branch, commit, directory string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nimage: mcp/%s\ntype: server\nmeta:\n  category: test\nabout:\n  title: %s\nsource:\n  project: %s\n", name, name, name, project)
	if branch != "" {
		fmt.Fprintf(&b, "  branch: %s\n", branch)
	}
	fmt.Fprintf(&b, "  commit: %s\n", commit)
	if directory != "" {
		fmt.Fprintf(&b, "  directory: %s\n", directory)
	}
	return b.String()
}

// writeRegistry writes files (slash paths -> content) under a new
// registry root and returns it.
func writeRegistry(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "servers"), 0o755); err != nil {
		t.Fatal(err)
	}
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// snapshot reads every file under root, to prove a command left a tree
// untouched.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// cli runs the command line in-process with ctx and env.
func cli(ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// upstream is a fixture upstream with a few commits on its default branch.
type upstream struct {
	repo *gittest.Repo
	url  string
	// commits on the default branch, oldest first
	commits []string
}

func newUpstream(t *testing.T, s *gittest.Server, name, defaultBranch string, n int) *upstream {
	t.Helper()
	r := s.NewRepo(name, defaultBranch)
	u := &upstream{repo: r, url: s.RepoURL(name)}
	for i := 0; i < n; i++ {
		u.commits = append(u.commits, r.Commit(defaultBranch, fmt.Sprintf("%s change %d", name, i),
			gittest.Files(map[string]string{"src/main.go": fmt.Sprintf("package main // %d\n", i), "README.md": "# " + name + "\n"})))
	}
	return u
}
