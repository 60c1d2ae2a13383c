package main

import (
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestDaemonReadsServersFromBase: a daemon outlives its checkout. A server
// added on the registry's base branch after it started gets its PR
// although the local --registry directory never learns of it.
func TestDaemonReadsServersFromBase(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"first": 0}, 2)
	empty := registrytest.NewRegistry(t, nil) // a stale checkout: no servers at all
	d := startDaemon(t, f.env, "--registry", empty, "--cache-dir", f.cache, "--write-pause", "0",
		"--schedule", "@every 1s", "--run-on-start")

	registrytest.Eventually(t, "a PR for the server on base", func() bool { _, ok := f.openPRs()["first"]; return ok })

	late := newUpstream(t, f.git, "late", "main", 2)
	f.gh.PushFile("main", registry.ServerPath("late"), serverYAML("late", late.url, "", late.commits[0], ""), "add late")
	registrytest.Eventually(t, "a PR for the server added later", func() bool { _, ok := f.openPRs()["late"]; return ok })

	if code := d.stop(); code != exitOK {
		t.Errorf("daemon exit %d\n%s", code, d.stderr)
	}
}
