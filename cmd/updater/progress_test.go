package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestProgressInTheLog: off a terminal a pass logs "progress" records
// with its counts and what it is doing for which server; --progress-every
// sets how often at most (here: at every step, so the test needs no
// clock).
func TestProgressInTheLog(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "beta": -1}, 3)
	args := []string{"run", "--registry", f.checkout(), "--cache-dir", f.cache, "--write-pause", "0", "--log-format", "json", "--progress-every", "1ns"}
	code, stdout, stderr := cli(context.Background(), f.env, args...)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	seen := map[string]bool{}
	maxResolved := 0
	for _, r := range logRecords(stderr) {
		if r.Msg != "progress" {
			continue
		}
		if r.Servers != 2 || r.Elapsed == nil {
			t.Errorf("a progress record without its counts and elapsed seconds: %+v", r)
		}
		maxResolved = max(maxResolved, r.Resolved)
		seen[r.Phase+" "+r.Server] = true
	}
	for _, want := range []string{"resolving ", "inspecting alpha", "reviewing alpha", "writing alpha"} {
		if !seen[want] {
			t.Errorf("no progress record for %q; seen %v\nstderr:\n%s", want, seen, stderr)
		}
	}
	if maxResolved != 2 {
		t.Errorf("progress counted %d of 2 resolved", maxResolved)
	}
	if strings.Contains(stderr, "\r") || strings.Contains(stdout, "\r") {
		t.Error("a terminal line off a terminal")
	}

}

// TestReviewProgressInTheLog: a review by hand (or in CI) says which
// server it is reviewing, off a terminal as a progress record.
func TestReviewProgressInTheLog(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 2)
	reg := registrytest.NewRegistry(t, map[string]string{"servers/alpha/server.yaml": serverYAML("alpha", up.url, "", up.commits[0], "")})
	code, stdout, stderr := cli(context.Background(), nil, "review", "--registry", reg, "--server", "alpha", "--base", up.commits[0], "--head", up.commits[1],
		"--cache-dir", t.TempDir(), "--log-format", "json", "--progress-every", "1ns")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	found := false
	for _, r := range logRecords(stderr) {
		found = found || r.Msg == "progress" && r.Phase == "reviewing" && r.Server == "alpha"
	}
	if !found {
		t.Errorf("no progress record for reviewing alpha:\n%s", stderr)
	}
}
