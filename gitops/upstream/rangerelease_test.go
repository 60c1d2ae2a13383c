package upstream

import (
	"context"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// offMainReleases is a monorepo whose every release is a commit off main
// (a version bump), as changesets-style release tooling cuts them.
func offMainReleases(t *testing.T) (s *gittest.Server, v1, v2, fix, m1 string) {
	s = gittest.NewServer(t)
	r := s.NewRepo("releases", "main")
	m1 = r.Commit("main", "feature", gittest.Files(map[string]string{"src/a.ts": "export const a = 1;\n", "package.json": "{\"version\": \"0.0.0\"}\n"}))
	v1 = r.Commit("release-1", "release 1.0.0", gittest.Files(map[string]string{"package.json": "{\"version\": \"1.0.0\"}\n"}), gittest.CommitOptions{Parents: []string{m1}})
	r.Tag("v1.0.0", v1, true)
	fix = r.Commit("main", "fix: reject paths outside the root (GHSA-xxxx)", gittest.Files(map[string]string{"src/a.ts": "export const a = 2;\n"}))
	v2 = r.Commit("release-2", "release 2.0.0", gittest.Files(map[string]string{"package.json": "{\"version\": \"2.0.0\"}\n"}), gittest.CommitOptions{Parents: []string{fix}})
	r.Tag("v2.0.0", v2, true)
	return s, v1, v2, fix, m1
}

func TestRangeReleaseOffTheBranch(t *testing.T) {
	s, v1, v2, fix, m1 := offMainReleases(t)
	c := newTestCache(t)
	got, err := c.Range(context.Background(), RangeQuery{Project: s.RepoURL("releases"), Ref: "refs/tags/v2.0.0", Directory: "", Base: v1, Head: v2})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Release || got.Ancestor || got.MergeBase != m1 || !got.OffLine() || !got.Comparable() {
		t.Fatalf("Release %v Ancestor %v MergeBase %s (want %s)", got.Release, got.Ancestor, got.MergeBase, m1)
	}
	if got.TotalCommits != 2 || got.Commits[0].SHA != v2 || got.Commits[1].SHA != fix {
		t.Errorf("commits merge-base..new = %+v", got.Commits)
	}
	// Through the merge base, the old release's own bump is not undone.
	for _, f := range got.Files {
		if f.Path == "package.json" && (f.Removed != 1 || string(f.Old) != "{\"version\": \"0.0.0\"}\n") {
			t.Errorf("package.json compared with %q", f.Old)
		}
	}

	// The same two commits followed as a branch: a rewrite.
	br, err := c.Range(context.Background(), RangeQuery{Project: s.RepoURL("releases"), Ref: "refs/heads/release-2", Directory: "", Base: v1, Head: v2})
	if err != nil {
		t.Fatal(err)
	}
	if br.Release || br.MergeBase != "" || br.Comparable() {
		t.Errorf("branch range: Release %v MergeBase %q", br.Release, br.MergeBase)
	}
}
