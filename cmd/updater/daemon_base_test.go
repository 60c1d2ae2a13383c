package main

import (
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
)

// TestDaemonReadsServersFromBase: a daemon outlives its checkout. A server
// added on the registry's base branch after it started gets its PR
// although the local --registry directory never learns of it.
func TestDaemonReadsServersFromBase(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"first": 0}, 2)
	empty := writeRegistry(t, nil) // a stale checkout: no servers at all
	d := startDaemon(t, f.env, "--registry", empty, "--cache-dir", f.cache, "--write-pause", "0",
		"--schedule", "@every 1s", "--run-on-start")

	waitFor(t, "a PR for the server on base", func() bool { _, ok := f.openPRs()["first"]; return ok })

	late := newUpstream(t, f.git, "late", "main", 2)
	f.gh.PushFile("main", registry.ServerPath("late"), serverYAML("late", late.url, "", late.commits[0], ""), "add late")
	waitFor(t, "a PR for the server added later", func() bool { _, ok := f.openPRs()["late"]; return ok })

	if code := d.stop(); code != exitOK {
		t.Errorf("daemon exit %d\n%s", code, d.stderr)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
