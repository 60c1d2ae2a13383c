package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry/registrytest"
)

// runCLI runs the command line in-process with env as the environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateBrokenRegistry(t *testing.T) {
	good := registrytest.ServerYAML
	huge := good("huge", registrytest.Commit) + "# " + strings.Repeat("x", 2<<20) + "\n"
	root := registrytest.NewRegistry(t, map[string]string{
		"servers/good/server.yaml":     good("good", registrytest.Commit),
		"servers/remote/server.yaml":   "name: remote\ntype: remote\nremote:\n  transport_type: sse\n  url: https://example.com/sse\n",
		"servers/bad-yaml/server.yaml": "name: bad-yaml\ntype: server\nabout: {title: [unclosed\n",
		"servers/tabs/server.yaml":     "name: tabs\ntype: server\nsource:\n\tproject: https://github.com/a/b\n",
		"servers/dup/server.yaml":      good("dup", registrytest.Commit) + "type: remote\n",
		"servers/not-hex/server.yaml":  good("not-hex", "v1.2.3"),
		"servers/mismatch/server.yaml": good("someone-else", registrytest.Commit),
		"servers/huge/server.yaml":     huge,
		"servers/junk/server.yaml":     "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\n",
		"servers/escape/.keep":         "",
		"servers/escape-dir/.keep":     "",
		"servers/README.md":            "not a server\n",
	})
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "server.yaml"), []byte(good("escape", registrytest.Commit)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "server.yaml"), filepath.Join(root, "servers", "escape", "server.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "servers", "escape-dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "servers", "escape-dir")); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, nil, "validate", "--registry", root)
	if code != exitFailed {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitFailed, stderr)
	}
	want := fmt.Sprintf(`servers/bad-yaml/server.yaml:3: did not find expected ',' or ']'
servers/dup/server.yaml:7: key "type" appears twice in the same mapping (first at line 3)
servers/escape-dir/server.yaml: servers/escape-dir is a symlink; a server directory must be a real directory
servers/escape/server.yaml: is a symlink; a server.yaml must be a regular file
servers/huge/server.yaml: file is %d bytes, over the 1048576-byte limit
servers/junk/server.yaml:1: control character U+007F is not allowed in YAML text
servers/mismatch/server.yaml:1: name "someone-else" does not match its directory "mismatch"
servers/not-hex/server.yaml:6: source.commit "v1.2.3" is not a 40-hex SHA
servers/tabs/server.yaml:4: tab character in indentation; YAML indents with spaces
11 files: 2 valid, 9 invalid
`, len(huge))
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	if !strings.Contains(stderr, "updater validate: 9 of 11 files invalid: some servers failed") {
		t.Errorf("stderr lacks the failure summary:\n%s", stderr)
	}
}

func TestValidateCommand(t *testing.T) {
	valid := registrytest.NewRegistry(t, map[string]string{
		"servers/good/server.yaml": registrytest.ServerYAML("good", registrytest.Commit),
	})
	for _, tc := range []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "valid", args: []string{"validate", "--registry", valid}, wantCode: exitOK, wantStdout: "1 file: 1 valid, 0 invalid\n"},
		{name: "registry from the environment", env: map[string]string{"UPDATER_REGISTRY": valid}, args: []string{"validate"}, wantCode: exitOK, wantStdout: "1 file: 1 valid, 0 invalid\n"},
		{name: "missing registry", args: []string{"validate", "--registry", filepath.Join(valid, "nope")}, wantCode: exitUsage, wantStderr: "no such file or directory"},
		{name: "no servers directory", args: []string{"validate", "--registry", t.TempDir()}, wantCode: exitUsage, wantStderr: "no servers directory"},
		{name: "one server", args: []string{"validate", "--registry", valid, "--server", "good"}, wantCode: exitOK, wantStdout: "1 file: 1 valid, 0 invalid\n"},
		{name: "unknown server", args: []string{"validate", "--registry", valid, "--server", "good,nope"}, wantCode: exitUsage, wantStderr: "unknown server(s): nope"},
		{name: "stray argument", args: []string{"validate", "servers/good"}, wantCode: exitUsage, wantStderr: "unexpected arguments"},
		{name: "unknown flag", args: []string{"validate", "--registyr", valid}, wantCode: exitUsage, wantStderr: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.wantCode || stdout != tc.wantStdout || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr containing %q",
					code, stdout, stderr, tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
		})
	}
}

func TestValidateCorpusCommand(t *testing.T) {
	root := registrytest.Corpus(t)
	code, stdout, stderr := runCLI(t, nil, "validate", "--registry", root)
	if code != exitOK || stdout != "328 files: 328 valid, 0 invalid\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// TestValidateAllowList: validate checks the allow-list's rules against
// the review's, as the review itself does.
func TestValidateAllowList(t *testing.T) {
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/good/server.yaml": registrytest.ServerYAML("good", registrytest.Commit),
		".github/updater.yaml":     "allow:\n  good:\n    - rule: no-such-rule\n      reason: why not\n",
	})
	code, stdout, stderr := runCLI(t, nil, "validate", "--registry", reg)
	if code == exitOK || !strings.Contains(stdout+stderr, `unknown rule "no-such-rule"`) {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}
