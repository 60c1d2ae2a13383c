package github_test

import (
	"testing"
	"testing/fstest"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// The base branch read as an fs.FS loads like a checkout: the daemon's
// registry comes from it.
func TestRemoteFSLoadsTheRegistry(t *testing.T) {
	gh := githubtest.New(t, githubtest.Options{})
	base := gh.Seed(map[string]string{
		"README.md":                   "registry\n",
		registry.ServerPath("alpha"):  registrytest.ServerYAML("alpha", registrytest.Commit),
		registry.ServerPath("bravo"):  registrytest.ServerYAML("bravo", registrytest.Commit),
		"servers/bravo/notes.txt":     "beside the server\n",
		registry.ServerPath("broken"): "name: [unterminated\n",
		"servers/empty/.keep":         "",
	})
	r := openRemote(t, gh, "")
	fsys, err := r.FS(r.BaseTip())
	if err != nil {
		t.Fatal(err)
	}
	if r.BaseTip() != base {
		t.Fatalf("base tip %s, seeded %s", r.BaseTip(), base)
	}
	if err := fstest.TestFS(fsys, "README.md", registry.ServerPath("alpha"), "servers/bravo/notes.txt", "servers/empty/.keep"); err != nil {
		t.Fatal(err)
	}
	files, errs := registry.LoadFS(fsys)
	var names []string
	for _, f := range files {
		names = append(names, f.Server.Name)
	}
	if len(names) != 2 || names[0] != "alpha" || names[1] != "bravo" {
		t.Errorf("loaded %v, want alpha and bravo", names)
	}
	// broken does not parse; empty has no server.yaml: one error each.
	if len(errs) != 2 {
		t.Errorf("errors %v, want one for broken and one for empty", errs)
	}
	if _, err := r.FS("main"); err == nil {
		t.Error("FS accepted a branch name for a commit")
	}
}
