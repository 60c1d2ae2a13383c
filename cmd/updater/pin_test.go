package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

const cliPin = "89abcdef0123456789abcdef0123456789abcdef"

func TestPinCommand(t *testing.T) {
	demo := registrytest.ServerYAML("demo", registrytest.Commit)
	// A flow mapping whose commit is written with an escape: valid YAML
	// that the rewrite cannot change surgically.
	escaped := "name: escaped\ntype: server\nsource: {project: https://github.com/a/b, commit: \"\\x30" + registrytest.Commit[1:] + "\"}\n"
	files := map[string]string{
		"servers/demo/server.yaml":    demo,
		"servers/escaped/server.yaml": escaped,
		"servers/remote/server.yaml":  "name: remote\ntype: remote\n",
	}
	for _, tc := range []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		changed    map[string]string // files expected to change, with their new content
	}{
		{
			name:       "happy path",
			args:       []string{"pin", "--server", "demo", "--commit", cliPin, "--no-verify"},
			wantCode:   exitOK,
			wantStdout: "servers/demo/server.yaml:6: source.commit " + registrytest.Commit + " -> " + cliPin + "\n",
			changed:    map[string]string{"servers/demo/server.yaml": strings.Replace(demo, registrytest.Commit, cliPin, 1)},
		},
		{
			name:       "flags from the environment",
			env:        map[string]string{"UPDATER_SERVER": "demo", "UPDATER_COMMIT": cliPin, "UPDATER_NO_VERIFY": "true"},
			args:       []string{"pin"},
			wantCode:   exitOK,
			wantStdout: "servers/demo/server.yaml:6: source.commit " + registrytest.Commit + " -> " + cliPin + "\n",
			changed:    map[string]string{"servers/demo/server.yaml": strings.Replace(demo, registrytest.Commit, cliPin, 1)},
		},
		{name: "cannot rewrite", args: []string{"pin", "--server", "escaped", "--commit", cliPin}, wantCode: exitFailed,
			wantStderr: "servers/escaped/server.yaml: cannot rewrite the pin, file left unchanged"},
		{name: "short sha", args: []string{"pin", "--server", "demo", "--commit", "abc1234"}, wantCode: exitUsage, wantStderr: "not a full commit SHA"},
		{name: "upper-case sha", args: []string{"pin", "--server", "demo", "--commit", strings.ToUpper(cliPin)}, wantCode: exitUsage, wantStderr: "40 lowercase hex"},
		{name: "missing commit", args: []string{"pin", "--server", "demo"}, wantCode: exitUsage, wantStderr: "--commit is required"},
		{name: "unknown server", args: []string{"pin", "--server", "nope", "--commit", cliPin}, wantCode: exitUsage, wantStderr: `unknown server "nope"`},
		{name: "path as server", args: []string{"pin", "--server", "../demo", "--commit", cliPin}, wantCode: exitUsage, wantStderr: "not a valid server name"},
		{name: "remote server", args: []string{"pin", "--server", "remote", "--commit", cliPin}, wantCode: exitUsage, wantStderr: "not built from source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := registrytest.NewRegistry(t, files)
			args := append(tc.args, "--registry", root)
			code, stdout, stderr := runCLI(t, tc.env, args...)
			if code != tc.wantCode || stdout != tc.wantStdout || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr containing %q",
					code, stdout, stderr, tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
			for rel, before := range files {
				want := before
				if c, ok := tc.changed[rel]; ok {
					want = c
				}
				got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
				if err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", rel, got, err, want)
				}
			}
		})
	}
}

// TestPinVerifiesUpstream: by default pin asks the upstream. A commit it
// does not have, or one the followed branch does not reach, is a bad
// argument (exit 2) and the file is left as it was; --no-verify pins it
// anyway, for an upstream out of reach.
func TestPinVerifiesUpstream(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "demo", "main", 2)
	side := up.repo.Commit("side", "unmerged work", gittest.Files(map[string]string{"x": "1\n"}))
	const nowhere = "0000000000000000000000000000000000000001"
	before := serverYAML("demo", up.url, "", up.commits[0], "")
	cache := t.TempDir()
	for _, tc := range []struct {
		name       string
		commit     string
		extra      []string
		wantCode   int
		wantStderr string
	}{
		{name: "on the followed branch", commit: up.commits[1], wantCode: exitOK},
		{name: "no such commit", commit: nowhere, wantCode: exitUsage, wantStderr: "demo: --commit " + nowhere + ": no such commit upstream"},
		{name: "off the followed branch", commit: side, wantCode: exitUsage, wantStderr: "demo: --commit " + side + " is not reachable from refs/heads/main"},
		{name: "off the branch, --no-verify", commit: side, extra: []string{"--no-verify"}, wantCode: exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := registrytest.NewRegistry(t, map[string]string{"servers/demo/server.yaml": before})
			args := append([]string{"pin", "--registry", reg, "--cache-dir", cache, "--server", "demo", "--commit", tc.commit}, tc.extra...)
			code, _, stderr := runCLI(t, nil, args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantStderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.wantCode, tc.wantStderr)
			}
			got, _ := os.ReadFile(filepath.Join(reg, "servers", "demo", "server.yaml"))
			want := before
			if code == exitOK {
				want = strings.Replace(before, up.commits[0], tc.commit, 1)
			}
			if string(got) != want {
				t.Errorf("server.yaml = %q, want %q", got, want)
			}
		})
	}
}
