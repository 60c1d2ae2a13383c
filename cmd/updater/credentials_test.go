package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestRejectedTokenExitsBeforeAnyServer: a token GitHub rejects used to
// cost a whole pass (every server resolved, then failing one by one) and
// exit 1. It is a configuration error now: run, its dry run and merge
// exit 2 with one line naming GITHUB_TOKEN, after one cheap request and
// before any upstream is asked or anything is written.
func TestRejectedTokenExitsBeforeAnyServer(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "beta": 0}, 2)
	reg := f.checkout()
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	env["GITHUB_TOKEN"] = "ghp_revoked0000000000000000000000000000"
	for _, args := range [][]string{
		{"run", "--registry", reg, "--cache-dir", f.cache},
		{"run", "--dry-run", "--registry", reg, "--cache-dir", f.cache},
		{"run", "--registry", reg, "--cache-dir", f.cache, "--base-branch", "main"},
		{"merge", "--registry", reg, "--cache-dir", f.cache},
	} {
		f.gh.ResetLog()
		upstreamAsked := f.git.Requests()
		before := snapshot(t, reg)
		code, stdout, stderr := cli(context.Background(), env, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, exitUsage, stdout, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "GITHUB_TOKEN") || !strings.Contains(lines[0], "401 Bad credentials") {
			t.Errorf("%v: want one line naming GITHUB_TOKEN and GitHub's answer, got:\n%s", args, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: a report for a pass that did not run:\n%s", args, stdout)
		}
		for _, r := range f.gh.Requests() {
			if r.Method != "GET" || r.Path != "/repos/"+f.gh.Owner+"/"+f.gh.Repo {
				t.Errorf("%v: request past the credentials check: %s %s", args, r.Method, r.Path)
			}
		}
		if n := f.gh.Count("", "/repos/"); n != 1 {
			t.Errorf("%v: %d requests to GitHub, want the one check", args, n)
		}
		if f.git.Requests() != upstreamAsked {
			t.Errorf("%v: an upstream was asked before the credentials were checked", args)
		}
		if after := snapshot(t, reg); len(after) != len(before) {
			t.Errorf("%v: the registry changed", args)
		}
	}

	// The right token goes on to the pass, as before.
	if code, stdout, stderr := cli(context.Background(), f.env, "run", "--dry-run", "--registry", reg, "--cache-dir", f.cache); code != exitOK {
		t.Errorf("good token: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestRejectedAppExitsBeforeAnyServer: a GitHub App whose key GitHub does
// not take, or that is not installed on the registry, is the same
// configuration error, naming the App.
func TestRejectedAppExitsBeforeAnyServer(t *testing.T) {
	key, goodPEM := githubtest.NewAppKey(t)
	_, otherPEM := githubtest.NewAppKey(t)
	gh := githubtest.New(t, githubtest.Options{AppID: 77, AppKey: &key.PublicKey})
	gh.Seed(map[string]string{"README.md": "# registry\n"})
	env := map[string]string{"GITHUB_REPOSITORY": gh.Owner + "/" + gh.Repo, "GITHUB_API_URL": gh.APIURL, "GITHUB_SERVER_URL": gh.URL + "/git"}
	reg := registrytest.NewRegistry(t, map[string]string{"servers/alpha/server.yaml": serverYAML("alpha", "https://example.com/alpha", "", "0123456789abcdef0123456789abcdef01234567", "")})
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		pem   []byte
		fault bool
		want  string
	}{
		{"a key GitHub does not know", otherPEM, false, "401"},
		{"not installed", goodPEM, true, "not installed"},
	} {
		keyFile := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".pem")
		if err := os.WriteFile(keyFile, tc.pem, 0o600); err != nil {
			t.Fatal(err)
		}
		gh.SetFault(nil)
		if tc.fault {
			gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/installation") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"message":"Not Found"}`))
					return true
				}
				return false
			})
		}
		gh.ResetLog()
		code, stdout, stderr := cli(context.Background(), env, "run", "--registry", reg, "--cache-dir", t.TempDir(), "--app-id", "77", "--app-key-file", keyFile)
		if code != exitUsage || !strings.Contains(stderr, "GitHub App 77") || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d and one line naming the App and %q\nstdout:\n%s\nstderr:\n%s", tc.name, code, exitUsage, tc.want, stdout, stderr)
		}
		if n := gh.Count("", "/repos/"+gh.Owner+"/"+gh.Repo+"/pulls"); n != 0 {
			t.Errorf("%s: %d requests for pull requests", tc.name, n)
		}
	}
}
