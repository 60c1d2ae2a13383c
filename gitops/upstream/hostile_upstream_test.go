package upstream

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Hostile upstreams: what an upstream repository can hold to hurt the bot
// that fetches it, inspects the range and exports a copy for a reviewer.
// Each case checks that Range and ExportTree stay within time and memory
// bounds, never follow a link out of their directory, never run anything
// the upstream carries, and report what they left out.

// fastImport feeds a git fast-import stream into a fixture repository:
// the real git writes 10,000 commits or 100,000 tree entries in a moment,
// where building them through go-git under -race takes minutes.
func fastImport(t *testing.T, r *gittest.Repo, stream string) {
	t.Helper()
	cmd := exec.Command("git", "fast-import", "--quiet", "--force")
	cmd.Dir = r.Dir
	cmd.Env = gittest.IsolatedGitEnv(t.TempDir())
	cmd.Stdin = strings.NewReader(stream)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	r.Reload()
}

// importCommit is one commit of a fast-import stream on refs/heads/main.
func importCommit(b *strings.Builder, mark int, message string, changes ...string) {
	fmt.Fprintf(b, "commit refs/heads/main\nmark :%d\ncommitter Upstream Dev <dev@upstream.test> %d +0000\ndata %d\n%s\n",
		mark, 1735689600+mark*60, len(message), message)
	if mark > 1 {
		fmt.Fprintf(b, "from :%d\n", mark-1)
	}
	for _, c := range changes {
		b.WriteString(c)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}

// inline is a fast-import change writing content at path.
func inline(mode, path, content string) string {
	return fmt.Sprintf("M %s inline %s\ndata %d\n%s", mode, path, len(content), content)
}

// bounds are a case's time and peak heap allowance.
type bounds struct {
	time time.Duration
	heap uint64
}

// measured runs fn and fails the test when it takes longer or holds more
// live heap than b allows. The peak is sampled every millisecond on top
// of what was live before; the tests calling it are not parallel.
func measured(t *testing.T, what string, b bounds, fn func()) {
	t.Helper()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	start := time.Now()
	fn()
	took := time.Since(start)
	close(done)
	<-stopped
	grew := uint64(0)
	if p := peak.Load(); p > base {
		grew = p - base
	}
	t.Logf("%s: %s, peak heap +%d MiB", what, took.Round(time.Millisecond), grew>>20)
	if took > b.time || grew > b.heap {
		t.Errorf("%s took %s and %d MiB of heap, over %s and %d MiB", what, took, grew>>20, b.time, b.heap>>20)
	}
}

// newHostileCache is a cache with the default limits but for exports,
// whose file cap is lowered so a 100k-file tree is not written out whole.
func newHostileCache(t *testing.T, export ExportLimits) *Cache {
	t.Helper()
	c, err := NewCache(t.TempDir(), CacheOptions{Export: export})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func exportDir(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "code")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveExport(dst) })
	return dst
}

func skipReasons(skips []ranges.Skip) string {
	var b strings.Builder
	for _, s := range skips {
		fmt.Fprintf(&b, "%s: %s\n", s.Path, s.Reason)
	}
	return b.String()
}

// A 32 MiB file of zeros packs into 32 KiB, from a server without
// partial clone (GitHub filters large blobs out; many hosts do not): the
// pack cap cannot see it, and a fetch that inflates each object whole
// holds 32 MiB for it, 2 GiB for a 2 GiB file of 2 MiB on the wire. It
// must be indexed without being held, and the range and the export must
// report it as too large to inspect.
func TestUpstreamZipBombFile(t *testing.T) {
	const size = 32 << 20
	s := gittest.NewServer(t)
	r := s.NewRepo("bomb", "main")
	var stream strings.Builder
	importCommit(&stream, 1, "base", inline("644", "src/a.go", "package a\n"))
	fmt.Fprintf(&stream, "blob\nmark :100\ndata %d\n", size)
	head := stream.String() + string(make([]byte, size)) + "\n"
	var rest strings.Builder
	importCommit(&rest, 2, "add 32 MiB of zeros", inline("644", "src/a.go", "package a // v2\n"), "M 644 :100 assets/zeros.bin")
	fastImport(t, r, head+rest.String())
	base, tip := r.Run("rev-parse", "main~1"), r.Run("rev-parse", "main")

	c := newHostileCache(t, ExportLimits{})
	var rng *ranges.Range
	var err error
	measured(t, "fetch and range over a 32 MiB zero file", bounds{60 * time.Second, 16 << 20}, func() {
		rng, err = c.Range(context.Background(), s.RepoURL("bomb"), "refs/heads/main", "src", base, tip, RangeLimits{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(skipReasons(rng.Skipped), "assets/zeros.bin: file is 33554432 bytes, over the per-file cap") {
		t.Errorf("the huge file is not reported as skipped:\n%s", skipReasons(rng.Skipped))
	}
	dst := exportDir(t)
	var skips []ranges.Skip
	measured(t, "export of a 32 MiB zero file", bounds{30 * time.Second, 16 << 20}, func() {
		skips, err = c.ExportTree(context.Background(), s.RepoURL("bomb"), tip, dst)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(skipReasons(skips), "assets/zeros.bin: file is 33554432 bytes, over the per-file cap") {
		t.Errorf("the export does not report the huge file:\n%s", skipReasons(skips))
	}
	if _, err := os.Stat(filepath.Join(dst, "assets", "zeros.bin")); err == nil {
		t.Error("the huge file was exported")
	}
}

// 100,000 files added in one commit: the range inspects its file cap's
// worth and says how many it left; the export writes its cap's worth.
func TestUpstreamHundredThousandFiles(t *testing.T) {
	const files = 100_000
	s := gittest.NewServer(t)
	r := s.NewRepo("wide", "main")
	var stream strings.Builder
	importCommit(&stream, 1, "base", inline("644", "README", "x\n"))
	stream.WriteString("blob\nmark :100\ndata 6\nfile!\n\n")
	changes := make([]string, 0, files)
	for i := range files {
		changes = append(changes, fmt.Sprintf("M 644 :100 d%03d/f%05d.txt", i%100, i))
	}
	importCommit(&stream, 2, "a hundred thousand files", changes...)
	fastImport(t, r, stream.String())
	base, tip := r.Run("rev-parse", "main~1"), r.Run("rev-parse", "main")

	c := newHostileCache(t, ExportLimits{MaxFiles: 500})
	var rng *ranges.Range
	var err error
	measured(t, "range adding 100k files", bounds{90 * time.Second, 256 << 20}, func() {
		rng, err = c.Range(context.Background(), s.RepoURL("wide"), "refs/heads/main", "", base, tip, RangeLimits{})
	})
	if err != nil {
		t.Fatal(err)
	}
	limit := DefaultRangeLimits().MaxFiles
	if len(rng.Files) != limit {
		t.Errorf("%d files inspected, want the cap %d", len(rng.Files), limit)
	}
	want := fmt.Sprintf("%d more changed files not inspected: file-count cap of %d", files-limit, limit)
	if !strings.Contains(skipReasons(rng.Skipped), want) {
		t.Errorf("skips do not say %q:\n%s", want, skipReasons(rng.Skipped))
	}
	dst := exportDir(t)
	var skips []ranges.Skip
	measured(t, "export of 100k files", bounds{60 * time.Second, 256 << 20}, func() {
		skips, err = c.ExportTree(context.Background(), s.RepoURL("wide"), tip, dst)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(skipReasons(skips), "file-count cap of 500 reached") {
		t.Errorf("the export does not report its cap:\n%s", skipReasons(skips))
	}
}

// 10,000 commits between the pins: the range lists its cap's worth,
// counts them all, and still knows the old pin is an ancestor.
func TestUpstreamTenThousandCommits(t *testing.T) {
	const commits = 10_000
	s := gittest.NewServer(t)
	r := s.NewRepo("long", "main")
	var stream strings.Builder
	for i := 1; i <= commits+1; i++ {
		importCommit(&stream, i, fmt.Sprintf("change %d", i), inline("644", "src/counter.txt", fmt.Sprintf("%d\n", i)))
	}
	fastImport(t, r, stream.String())
	base, tip := r.Run("rev-parse", fmt.Sprintf("main~%d", commits)), r.Run("rev-parse", "main")

	c := newHostileCache(t, ExportLimits{})
	var rng *ranges.Range
	var err error
	measured(t, "range over 10k commits", bounds{90 * time.Second, 256 << 20}, func() {
		rng, err = c.Range(context.Background(), s.RepoURL("long"), "refs/heads/main", "src", base, tip, RangeLimits{})
	})
	if err != nil {
		t.Fatal(err)
	}
	limit := DefaultRangeLimits().MaxCommits
	if !rng.Ancestor || rng.TotalCommits != commits || len(rng.Commits) != limit {
		t.Errorf("ancestor %v, %d commits counted, %d listed; want true, %d, %d", rng.Ancestor, rng.TotalCommits, len(rng.Commits), commits, limit)
	}
	if want := fmt.Sprintf("commit list capped at %d of %d commits", limit, commits); !strings.Contains(skipReasons(rng.Skipped), want) {
		t.Errorf("skips do not say %q:\n%s", want, skipReasons(rng.Skipped))
	}
	if len(rng.Files) != 1 || rng.Files[0].Added != 1 || rng.Files[0].Removed != 1 {
		t.Errorf("files = %+v, want the one file, one line changed", rng.Files)
	}
}

// Directories nested 1,200 deep (a 2,400-byte path, git allows it): the
// range diffs them and the export writes them, or leaves them out and
// says so, in time linear in the tree (a path resolved from the root for
// every directory is quadratic: seconds here, minutes at 10,000 deep);
// nothing lands outside.
func TestUpstreamDeepDirectories(t *testing.T) {
	for _, depth := range []int{100, 1200} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			s := gittest.NewServer(t)
			r := s.NewRepo("deep", "main")
			deep := strings.Repeat("d/", depth) + "leaf.txt"
			var stream strings.Builder
			importCommit(&stream, 1, "base", inline("644", "README", "x\n"))
			importCommit(&stream, 2, "deep", inline("644", deep, "deep\n"))
			fastImport(t, r, stream.String())
			base, tip := r.Run("rev-parse", "main~1"), r.Run("rev-parse", "main")

			c := newHostileCache(t, ExportLimits{})
			var rng *ranges.Range
			var err error
			measured(t, "range", bounds{30 * time.Second, 64 << 20}, func() {
				rng, err = c.Range(context.Background(), s.RepoURL("deep"), "refs/heads/main", "", base, tip, RangeLimits{})
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rng.Files) != 1 || rng.Files[0].Path != deep {
				t.Errorf("files = %d, want the deep one", len(rng.Files))
			}
			parent := t.TempDir()
			dst := filepath.Join(parent, "code")
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { RemoveExport(dst) })
			var skips []ranges.Skip
			measured(t, "export", bounds{10 * time.Second, 64 << 20}, func() {
				skips, err = c.ExportTree(context.Background(), s.RepoURL("deep"), tip, dst)
			})
			if err != nil {
				t.Fatal(err)
			}
			b, rerr := os.ReadFile(filepath.Join(dst, filepath.FromSlash(deep)))
			if (rerr != nil || string(b) != "deep\n") && len(skips) == 0 {
				t.Errorf("the deep file was neither exported nor reported as skipped: %v", rerr)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 1 {
				t.Errorf("something was written beside the export: %v", entries)
			}
		})
	}
}

// A directory named .git inside the tree (a repository within the
// repository, with its own hooks and config) is the first thing a
// reviewer must see: the range inspects the rest and reports it, rather
// than failing to diff at all.
func TestUpstreamNestedGitDirectory(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("nested", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"src/main.go": "package main\n"}))
	head := r.Commit("main", "a repository inside", gittest.Files(map[string]string{
		"src/main.go":               "package main // v2\n",
		"src/.git/config":           "[core]\n\tfsmonitor = touch /tmp/pwned\n",
		"src/.git/hooks/pre-commit": "#!/bin/sh\ntouch /tmp/pwned\n",
	}))
	c := newHostileCache(t, ExportLimits{})
	rng, err := c.Range(context.Background(), s.RepoURL("nested"), "refs/heads/main", "src", base, head, RangeLimits{})
	if err != nil {
		t.Fatalf("a nested .git makes the whole range fail: %v", err)
	}
	seen := skipReasons(rng.Skipped)
	for _, f := range rng.Files {
		seen += f.Path + "\n"
	}
	if !strings.Contains(seen, "src/.git") {
		t.Errorf("the nested .git is neither inspected nor reported:\n%s", seen)
	}
}

// Symlinks, submodules and hostile names in a range: the range reads a
// link's target as text and never what it points at, never contacts a
// submodule's URL, and keeps names as data (the review escapes them).
func TestUpstreamLinksSubmodulesAndNames(t *testing.T) {
	s := gittest.NewServer(t)
	var contacted atomic.Int64
	submoduleHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		contacted.Add(1)
		http.NotFound(w, nil)
	}))
	t.Cleanup(submoduleHost.Close)
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("outside the repository\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.NewRepo("links", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"README.md": "x\n"}))
	head := r.Commit("main", "hostile", []gittest.Change{
		{Path: "src/secret", Content: []byte(secret), Mode: filemode.Symlink},
		{Path: "src/up", Content: []byte("../../../../../../etc/passwd"), Mode: filemode.Symlink},
		{Path: ".gitmodules", Content: []byte("[submodule \"sub\"]\n\tpath = vendor/sub\n\turl = " + submoduleHost.URL + "/sub.git\n")},
		{Path: "vendor/sub", Content: []byte("0123456789abcdef0123456789abcdef01234567"), Mode: filemode.Submodule},
		{Path: "src/evil\x1b[2J.txt", Content: []byte("x\n")},
		{Path: "src/bad\xffname.txt", Content: []byte("x\n")},
		{Path: "src/rtl\u202etxt.exe", Content: []byte("x\n")},
	})
	c := newHostileCache(t, ExportLimits{})
	rng, err := c.Range(context.Background(), s.RepoURL("links"), "refs/heads/main", "src", base, head, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]ranges.FileChange{}
	for _, f := range rng.Files {
		byPath[f.Path] = f
	}
	if f := byPath["src/secret"]; f.Mode != "symlink" || string(f.New) != secret {
		t.Errorf("symlink: mode %q content %q, want the target path as text", f.Mode, f.New)
	}
	if f := byPath["vendor/sub"]; f.Mode != "submodule" {
		t.Errorf("submodule: mode %q", f.Mode)
	}
	for _, name := range []string{"src/evil\x1b[2J.txt", "src/bad\xffname.txt", "src/rtl\u202etxt.exe"} {
		if _, ok := byPath[name]; !ok {
			t.Errorf("%q missing from the range: hostile names must reach the review, which flags them", name)
		}
	}
	for _, f := range rng.Files {
		if bytes.Contains(f.New, []byte("outside the repository")) || bytes.Contains(f.New, []byte("root:")) {
			t.Errorf("%q holds what a link points at", f.Path)
		}
	}
	dst := exportDir(t)
	if _, err := c.ExportTree(context.Background(), s.RepoURL("links"), head, dst); err != nil {
		t.Fatal(err)
	}
	if n := contacted.Load(); n != 0 {
		t.Errorf("the submodule's URL was contacted %d times", n)
	}
}

// Nothing the upstream carries runs: not a .gitattributes filter, not a
// hook, not an fsmonitor, whatever the machine's git configuration says.
// The trap is set in a global git config every git process would read,
// and proven by real git springing it on a plain clone; the cache's fetch,
// range and export must leave it unsprung.
func TestUpstreamRunsNothing(t *testing.T) {
	trap := t.TempDir()
	marker := func(name string) string { return filepath.Join(trap, name) }
	hooks := filepath.Join(trap, "hooks")
	if err := os.Mkdir(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"post-checkout", "post-merge", "post-rewrite", "reference-transaction", "fsmonitor-watchman"} {
		script := fmt.Sprintf("#!/bin/sh\ntouch %q\n", marker("hook-"+h))
		if err := os.WriteFile(filepath.Join(hooks, h), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	config := fmt.Sprintf("[filter \"evil\"]\n\tsmudge = touch %q; cat\n\tclean = touch %q; cat\n\trequired = true\n"+
		"[core]\n\thooksPath = %s\n\tfsmonitor = touch %q\n", marker("smudge"), marker("clean"), hooks, marker("fsmonitor"))
	globalConfig := filepath.Join(trap, "gitconfig")
	if err := os.WriteFile(globalConfig, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	// Every git this process starts from now on reads the trap.
	t.Setenv("HOME", trap)
	t.Setenv("GIT_CONFIG_GLOBAL", globalConfig)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")

	s := gittest.NewServer(t)
	r := s.NewRepo("filtered", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"README.md": "x\n"}))
	head := r.Commit("main", "filters and hooks", gittest.Files(map[string]string{
		".gitattributes":          "* filter=evil\n",
		"src/main.go":             "package main\n",
		".githooks/post-checkout": "#!/bin/sh\ntouch /tmp/pwned\n",
		".husky/pre-commit":       "#!/bin/sh\ntouch /tmp/pwned\n",
	}))
	sprung := func() []string {
		entries, _ := os.ReadDir(trap)
		var out []string
		for _, e := range entries {
			if e.Name() != "hooks" && e.Name() != "gitconfig" {
				out = append(out, e.Name())
			}
		}
		return out
	}

	c := newHostileCache(t, ExportLimits{})
	if _, err := c.Range(context.Background(), s.RepoURL("filtered"), "refs/heads/main", "", base, head, RangeLimits{}); err != nil {
		t.Fatal(err)
	}
	dst := exportDir(t)
	skips, err := c.ExportTree(context.Background(), s.RepoURL("filtered"), head, dst)
	if err != nil {
		t.Fatal(err)
	}
	if got := sprung(); len(got) != 0 {
		t.Fatalf("the cache ran something the upstream or git config asked for: %v", got)
	}
	if len(skips) != 0 {
		t.Errorf("nothing here needs leaving out, yet: %s", skipReasons(skips))
	}
	if b, err := os.ReadFile(filepath.Join(dst, ".gitattributes")); err != nil || string(b) != "* filter=evil\n" {
		t.Errorf(".gitattributes exported as %q (%v): the copy is data, verbatim", b, err)
	}

	// The trap works: a plain clone with real git springs it.
	clone := exec.Command("git", "clone", "--quiet", s.RepoURL("filtered"), filepath.Join(t.TempDir(), "clone"))
	if out, err := clone.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	if got := sprung(); len(got) == 0 {
		t.Error("real git did not spring the trap: the test proves nothing")
	}
}
