package upstream

import (
	"context"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

func TestTagNotes(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("tagged", "main")
	var c []string
	for i := range 6 {
		c = append(c, r.Commit("main", "change", gittest.Files(map[string]string{"a": string(rune('a' + i))})))
	}
	r.AnnotatedTag("v1.0.0", c[0], "one\n")
	r.AnnotatedTag("v1.1.0", c[1], "Fixes <script>alert(1)</script> @everyone\n")
	r.AnnotatedTag("v1.2.0-rc1", c[2], "a prerelease\n")
	r.Tag("v1.2.0", c[3], false)
	r.AnnotatedTag("v1.3.0", c[4], "three\n")
	r.AnnotatedTag("v2.0.0", c[5], "after the range\n")
	r.Tag("2025.1.1", c[5], false)
	r.Tag("nightly", c[5], false)

	cache := newTestCache(t)
	got, err := cache.TagNotes(context.Background(), s.RepoURL("tagged"), "v1.0.0", "refs/tags/v1.3.0", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []TagNote{
		{Tag: "v1.3.0", Commit: c[4], Message: "three\n"},
		{Tag: "v1.2.0", Commit: c[3]},
		{Tag: "v1.1.0", Commit: c[1], Message: "Fixes <script>alert(1)</script> @everyone\n"},
	}
	if got.Total != 3 || len(got.Notes) != 3 {
		t.Fatalf("notes %+v, want %+v", got, want)
	}
	for i := range want {
		if got.Notes[i] != want[i] {
			t.Errorf("note %d: %+v, want %+v", i, got.Notes[i], want[i])
		}
	}

	capped, err := cache.TagNotes(context.Background(), s.RepoURL("tagged"), "v1.0.0", "v1.3.0", 1)
	if err != nil || capped.Total != 3 || len(capped.Notes) != 1 || capped.Notes[0].Tag != "v1.3.0" {
		t.Errorf("capped at 1: %+v, %v", capped, err)
	}
	if _, err := cache.TagNotes(context.Background(), s.RepoURL("tagged"), "main", "v1.3.0", 0); err == nil {
		t.Error("a branch name was taken for a version")
	}
}
