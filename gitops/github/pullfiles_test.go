package github_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

// TestPullFilesAndFileAt: a contributor's PR lists every changed file
// across pages with GitHub's statuses (a rename with its previous path),
// and files are read at the base and head commits.
func TestPullFilesAndFileAt(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	gh.PushFile("main", "servers/gone/server.yaml", "name: gone\n", "add gone")
	files := map[string]string{
		"servers/renamed/server.yaml": "name: stripe\nsource:\n  commit: " + strings.Repeat("a", 40) + "\n",
		serverYAML:                    "",
		"servers/gone/server.yaml":    "",
		"README.md":                   "registry, edited\n",
	}
	for i := range 120 { // more than one page of 100
		files[fmt.Sprintf("docs/%03d.md", i)] = "doc\n"
	}
	n := gh.OpenContributorPR("add-stuff", "main", "stuff", files)
	pr, err := g.GetPull(ctx, n)
	if err != nil || pr.User != githubtest.Contributor || pr.BaseSHA != gh.Branch("main") {
		t.Fatalf("GetPull: %+v, %v", pr, err)
	}
	got, err := g.PullFiles(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 123 {
		t.Fatalf("%d files, want 123", len(got))
	}
	want := map[string]github.PullFile{
		"README.md":                   {Path: "README.md", Status: "modified"},
		"servers/gone/server.yaml":    {Path: "servers/gone/server.yaml", Status: "removed"},
		"servers/renamed/server.yaml": {Path: "servers/renamed/server.yaml", Status: "renamed", PreviousPath: serverYAML},
	}
	for _, f := range got {
		if w, ok := want[f.Path]; ok && f != w {
			t.Errorf("%s: %+v, want %+v", f.Path, f, w)
		}
		delete(want, f.Path)
	}
	if len(want) > 0 {
		t.Errorf("not listed: %v", want)
	}
	data, found, err := g.FileAt(ctx, pr.BaseSHA, serverYAML)
	if err != nil || !found || !strings.HasPrefix(string(data), "name: stripe") {
		t.Errorf("base file: %q %v %v", data, found, err)
	}
	if _, found, err := g.FileAt(ctx, pr.HeadSHA, serverYAML); err != nil || found {
		t.Errorf("a file the head removed: found %v, %v", found, err)
	}
}
