package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestMisspeltPinIsAnError: `comit:` in a server file used to make run
// print "skipped  no source.commit: not pinned" and exit 0. It is the
// server's error now, with a did-you-mean, in run as in validate; the
// other servers go on.
func TestMisspeltPinIsAnError(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 1)
	good := serverYAML("alpha", up.url, "", up.commits[0], "")
	misspelt := strings.Replace(serverYAML("epsilon", up.url, "", up.commits[0], ""), "  commit:", "  comit:", 1)
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/alpha/server.yaml":   good,
		"servers/epsilon/server.yaml": misspelt,
	})
	const want = "source.comit is not a source key: did you mean commit?"
	for _, args := range [][]string{
		{"run", "--dry-run", "--registry", reg, "--cache-dir", t.TempDir()},
		{"run", "--dry-run", "--registry", reg, "--cache-dir", t.TempDir(), "--server", "epsilon"},
		{"validate", "--registry", reg},
	} {
		code, stdout, stderr := cli(context.Background(), nil, args...)
		if code != exitFailed || !strings.Contains(stdout+stderr, want) || !strings.Contains(stdout+stderr, "source.commit is missing") {
			t.Errorf("%v: exit %d, want 1 and %q\nstdout:\n%s\nstderr:\n%s", args, code, want, stdout, stderr)
		}
		if strings.Contains(stdout, "not pinned") {
			t.Errorf("%v: the misspelt pin passes as a skip:\n%s", args, stdout)
		}
	}
}
