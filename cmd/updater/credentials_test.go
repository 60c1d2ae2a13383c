package main

import (
	"context"
	"strings"
	"testing"
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
