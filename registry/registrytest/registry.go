package registrytest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Commit is a valid pin for test servers.
const Commit = "0123456789abcdef0123456789abcdef01234567"

// ServerYAML returns a valid server.yaml of a locally built server pinned
// to commit; the commit is on line 6.
func ServerYAML(name, commit string) string {
	return "name: " + name + "\nimage: mcp/" + name + "\ntype: server\nsource:\n" +
		"  project: https://github.com/example/" + name + "\n  commit: " + commit + "\n"
}

// PinnedYAML returns a valid server.yaml of a locally built server of
// project pinned to commit, following branch when it is non-empty, built
// from directory when non-empty.
func PinnedYAML(name, project, branch, commit, directory string) string {
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

// NewRegistry writes a registry root in a temporary directory and returns
// it. files maps slash paths relative to the root ("servers/x/server.yaml")
// to their contents; servers/ exists even when files is empty.
func NewRegistry(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	if err := os.Mkdir(filepath.Join(root, "servers"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// CopyCorpus copies the corpus registry into a temporary directory that
// tests may write to, skipping like Corpus when it is absent.
func CopyCorpus(tb testing.TB) string {
	tb.Helper()
	src := Corpus(tb)
	dst := tb.TempDir()
	err := filepath.WalkDir(filepath.Join(src, "servers"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o644)
	})
	if err != nil {
		tb.Fatalf("copying the corpus: %v", err)
	}
	return dst
}
