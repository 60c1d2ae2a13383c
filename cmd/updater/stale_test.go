package main

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
)

// passFrom runs `updater run` on a registry checkout the test made
// earlier (a stale one), where pass makes a fresh one.
func (f *registryFixture) passFrom(checkout string, wantCode int, extra ...string) passReport {
	f.t.Helper()
	args := append([]string{"run", "--registry", checkout}, extra...)
	return f.passArgs(wantCode, args...)
}

// TestStaleCheckoutReplansFromBase: on the base branch a server's project
// moved to a fork holding the same commit; a pass from an older checkout
// that still names the old repository, which has moved on, must not pin
// the old repository's commit under the fork's name.
func TestStaleCheckoutReplansFromBase(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"moved": -1}, 2)
	orig := f.ups["moved"]
	fork := f.git.NewRepo("fork", "main")
	fork.Run("fetch", orig.repo.Dir, "refs/heads/main:refs/heads/main")
	fork.Reload()

	stale := f.checkout()
	path := registry.ServerPath("moved")
	base, _ := f.gh.File("main", path)
	f.gh.PushFile("main", path, strings.Replace(base, orig.url, f.git.RepoURL("fork"), 1), "move to the fork")
	onlyInOrig := orig.repo.Commit("main", "only in the old repository", gittest.Files(map[string]string{"src/main.go": "package main // x\n"}))

	rep := f.passFrom(stale, exitOK)
	if d, outcome, _ := rep.of("moved"); d != "up-to-date" || outcome != "" {
		t.Errorf("moved: %s/%s, want up-to-date (the fork has not moved)", d, outcome)
	}
	for _, pr := range f.gh.Pulls() {
		t.Errorf("PR #%d opened from a stale checkout:\n%s", pr.Number, pr.Body)
	}
	if head, ok := f.gh.File("updater/pin-moved", path); ok && strings.Contains(head, onlyInOrig) {
		t.Errorf("the bot branch pins a commit of the old repository under the fork's name:\n%s", head)
	}
}
