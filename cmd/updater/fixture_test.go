package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// serverYAML is a locally built server pinned to commit, following branch
// when it is non-empty, built from directory when non-empty.
func serverYAML(name, project, branch, commit, directory string) string {
	return registrytest.PinnedYAML(name, project, branch, commit, directory)
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
	registrytest.Golden(t, filepath.Join("testdata", name), []byte(got), *update)
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
