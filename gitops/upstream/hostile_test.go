package upstream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// A huge file upstream is never downloaded where the server supports
// partial clone (GitHub does), and fails the fetch at the pack cap where
// it does not; either way memory and disk stay bounded.
func TestHugeFileUpstream(t *testing.T) {
	s := gittest.NewServer(t)
	// 1.5 MiB of random hex: it compresses to about half, still over the
	// 512 KiB caps below.
	rnd := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < 3<<19 {
		fmt.Fprintf(&b, "%016x", rnd.Uint64())
	}
	huge := b.String()
	build := func(name string, allowFilter bool) (base, head string) {
		r := s.NewRepo(name, "main")
		if allowFilter {
			r.Run("config", "uploadpack.allowFilter", "true")
		}
		base = r.Commit("main", "base", gittest.Files(map[string]string{"src/a.go": "package a\n"}))
		head = r.Commit("main", "add a huge file", gittest.Files(map[string]string{
			"src/a.go": "package a // v2\n", "assets/huge.bin": huge}))
		return base, head
	}

	t.Run("filtered by the server", func(t *testing.T) {
		base, head := build("filtering", true)
		c, err := NewCache(t.TempDir(), CacheOptions{MaxBlobBytes: 512 << 10})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Range(context.Background(), s.RepoURL("filtering"), "refs/heads/main", "src", base, head, RangeLimits{})
		if err != nil {
			t.Fatal(err)
		}
		want := []ranges.Skip{{Path: "assets/huge.bin", Reason: "file larger than the fetch size limit: not downloaded, contents not inspected"}}
		if !reflect.DeepEqual(got.Skipped, want) {
			t.Errorf("Skipped = %+v, want %+v", got.Skipped, want)
		}
		if len(got.Files) != 2 || got.Files[1].Path != "src/a.go" || got.Files[1].Added != 1 {
			t.Errorf("files = %+v", got.Files)
		}
		if size := dirSize(t, c.dir); size > 256<<10 {
			t.Errorf("cache holds %d bytes: the huge blob was downloaded", size)
		}
		dst := t.TempDir()
		t.Cleanup(func() { RemoveExport(dst) })
		skips, err := c.ExportTree(context.Background(), s.RepoURL("filtering"), head, dst)
		if err != nil {
			t.Fatal(err)
		}
		if len(skips) != 1 || skips[0].Path != "assets/huge.bin" {
			t.Errorf("export skips = %+v", skips)
		}
	})

	t.Run("no partial clone: the pack cap stops it", func(t *testing.T) {
		base, head := build("plain", false)
		c, err := NewCache(t.TempDir(), CacheOptions{MaxPackBytes: 512 << 10})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Range(context.Background(), s.RepoURL("plain"), "refs/heads/main", "", base, head, RangeLimits{})
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("err = %v, want ErrResponseTooLarge", err)
		}
		if size := dirSize(t, c.dir); size > 64<<10 {
			t.Errorf("a failed fetch left %d bytes in the cache", size)
		}
	})
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
