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

// TestUnknownKeyIsAnErrorEverywhere: a misspelt key outside source (here
// `comand:` under run, and `imgae:` at the top of a remote server) is the
// server's error in run, validate, pin and review, with a did-you-mean and
// the file and line; the file is left as it was and the other servers go
// on.
func TestUnknownKeyIsAnErrorEverywhere(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 2)
	good := serverYAML("alpha", up.url, "", up.commits[0], "")
	typo := serverYAML("epsilon", up.url, "", up.commits[0], "") + "run:\n  comand: [serve]\n"
	remote := "name: zeta\nimgae: mcp/zeta\ntype: remote\nmeta:\n  category: test\nabout:\n  title: zeta\nremote:\n  url: https://example.com/mcp\n"
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/alpha/server.yaml":   good,
		"servers/epsilon/server.yaml": typo,
		"servers/zeta/server.yaml":    remote,
	})
	before := snapshot(t, reg)
	const wantRun = "servers/epsilon/server.yaml:"
	const runTypo = "run.comand is not a run key: did you mean command?"
	const topTypo = "servers/zeta/server.yaml:2: imgae is not a top-level key: did you mean image?"
	cache := t.TempDir()
	for _, tc := range []struct {
		args  []string
		code  int
		wants []string
	}{
		{[]string{"run", "--dry-run", "--registry", reg, "--cache-dir", cache}, exitFailed, []string{wantRun, runTypo, topTypo, "alpha"}},
		{[]string{"validate", "--registry", reg}, exitFailed, []string{runTypo, topTypo}},
		{[]string{"pin", "--registry", reg, "--server", "epsilon", "--commit", up.commits[1], "--cache-dir", cache}, exitFailed, []string{wantRun, runTypo}},
		{[]string{"review", "--registry", reg, "--server", "epsilon", "--base", up.commits[0], "--head", up.commits[1], "--cache-dir", cache}, exitFailed, []string{wantRun, runTypo}},
	} {
		code, stdout, stderr := cli(context.Background(), nil, tc.args...)
		out := stdout + stderr
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, out)
		}
		for _, w := range tc.wants {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
		if tc.args[0] == "run" && !strings.Contains(stdout, "alpha") {
			t.Errorf("run: the valid server did not go on:\n%s", stdout)
		}
	}
	after := snapshot(t, reg)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	// The valid server pins as before.
	if code, _, stderr := cli(context.Background(), nil, "pin", "--registry", reg, "--server", "alpha", "--commit", up.commits[1], "--cache-dir", cache); code != exitOK {
		t.Errorf("pin alpha: exit %d\n%s", code, stderr)
	}
}
