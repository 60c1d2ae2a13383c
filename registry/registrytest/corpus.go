// Package registrytest holds the test helpers every package's tests share:
// registry fixtures (NewRegistry, ServerYAML, PinnedYAML), the corpus of
// real server.yaml files from Docker's MCP registry that this workplace
// keeps beside the repository (../shared/corpus/mcp-registry, MIT), golden
// files, a buffer safe for concurrent writes, and polling. It imports no
// package of this module, so any test may import it.
package registrytest

import (
	"os"
	"path/filepath"
	"testing"
)

// Corpus returns the registry root of the corpus (the directory holding
// servers/), found relative to the module root. It skips the test, with a
// message, when the corpus is absent: a clone outside this workplace has
// no ../shared.
func Corpus(tb testing.TB) string {
	tb.Helper()
	mod, err := moduleRoot()
	if err != nil {
		tb.Fatalf("finding the module root: %v", err)
	}
	root := filepath.Join(mod, "..", "shared", "corpus", "mcp-registry")
	if fi, err := os.Stat(filepath.Join(root, "servers")); err != nil || !fi.IsDir() {
		tb.Skipf("corpus not found at %s (a clone outside the workplace has no ../shared): %v", root, err)
	}
	return root
}

// moduleRoot walks up from the working directory (the package directory
// under go test) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
