package upstream

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

func TestExportTree(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("hostile", "main")
	head := r.Commit("main", "hostile tree", []gittest.Change{
		{Path: "README.md", Content: []byte("hello\n")},
		{Path: "bin/run.sh", Content: []byte("#!/bin/sh\n"), Mode: filemode.Executable},
		{Path: "src/deep/er/file.go", Content: []byte("package er\n")},
		{Path: "link", Content: []byte("/etc/passwd"), Mode: filemode.Symlink},
		{Path: "src/up", Content: []byte("../../../outside"), Mode: filemode.Symlink},
		{Path: "vendor/sub", Content: []byte("0123456789abcdef0123456789abcdef01234567"), Mode: filemode.Submodule},
		{Path: ".git/config", Content: []byte("[core]\n\tfsmonitor = touch /tmp/pwned\n")},
		{Path: "x/.GIT/hooks/post-checkout", Content: []byte("#!/bin/sh\n"), Mode: filemode.Executable},
		{Path: "a/../escape.txt", Content: []byte("out\n")},
		{Path: "evil\x1b[2Jname.txt", Content: []byte("x\n")},
		{Path: "bidi\u202etxt.exe", Content: []byte("x\n")},
		{Path: "bad\xffname", Content: []byte("x\n")},
		{Path: "big.bin", Content: []byte(strings.Repeat("z", 5000))},
	})
	c, err := NewCache(t.TempDir(), CacheOptions{Export: ExportLimits{MaxFileBytes: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dst := filepath.Join(parent, "code")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveExport(dst) })

	skipped, err := c.ExportTree(context.Background(), s.RepoURL("hostile"), head, dst)
	if err != nil {
		t.Fatal(err)
	}

	// What was written, with modes.
	got := map[string]fs.FileMode{}
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dst {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		got[rel] = info.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{
		"README.md":           0o444,
		"bin":                 fs.ModeDir | 0o555,
		"bin/run.sh":          0o555,
		"src":                 fs.ModeDir | 0o555,
		"src/deep":            fs.ModeDir | 0o555,
		"src/deep/er":         fs.ModeDir | 0o555,
		"src/deep/er/file.go": 0o444,
		"x":                   fs.ModeDir | 0o555,
		"a":                   fs.ModeDir | 0o555,
		"vendor":              fs.ModeDir | 0o555,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exported:\n%v\nwant\n%v", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "src/deep/er/file.go")); string(b) != "package er\n" {
		t.Errorf("content = %q", b)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("something was written next to the export directory: %v", entries)
	}

	var reasons []string
	for _, sk := range skipped {
		reasons = append(reasons, sk.Path+": "+sk.Reason)
	}
	sort.Strings(reasons)
	wantReasons := []string{
		".git: \".git\" entry: not exported",
		"a/..: empty, \".\" or \"..\" entry name: not exported",
		"bad?name: entry name is not valid UTF-8: not exported",
		"bidi?txt.exe: entry name with control or format characters: not exported",
		"big.bin: file is 5000 bytes, over the per-file cap of 4096: not exported",
		"evil?[2Jname.txt: entry name with control or format characters: not exported",
		"link: symlink to \"/etc/passwd\" not exported",
		"src/up: symlink to \"../../../outside\" not exported",
		"vendor/sub: submodule 0123456789abcdef0123456789abcdef01234567 not exported",
		"x/.GIT: \".git\" entry: not exported",
	}
	if !reflect.DeepEqual(reasons, wantReasons) {
		t.Errorf("skips:\n%s\nwant\n%s", strings.Join(reasons, "\n"), strings.Join(wantReasons, "\n"))
	}

	// A second export must not land in a directory that is not empty.
	if _, err := c.ExportTree(context.Background(), s.RepoURL("hostile"), head, dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("export into a non-empty directory: %v", err)
	}
	if err := RemoveExport(dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("RemoveExport left %s: %v", dst, err)
	}
}

func TestExportTreeCaps(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("many", "main")
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		files[n+".txt"] = strings.Repeat(n, 100)
	}
	head := r.Commit("main", "five files", gittest.Files(files))
	tests := []struct {
		name   string
		limits ExportLimits
		files  int
		skips  []ranges.Skip
	}{
		{name: "file-count cap", limits: ExportLimits{MaxFiles: 3}, files: 3,
			skips: []ranges.Skip{{Reason: "file-count cap of 3 reached: later files not exported"}}},
		{name: "total cap", limits: ExportLimits{MaxTotalBytes: 250}, files: 2,
			skips: []ranges.Skip{
				{Path: "c.txt", Reason: "total size cap of 250 bytes reached: not exported"},
				{Path: "d.txt", Reason: "total size cap of 250 bytes reached: not exported"},
				{Path: "e.txt", Reason: "total size cap of 250 bytes reached: not exported"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCache(t.TempDir(), CacheOptions{Export: tt.limits})
			if err != nil {
				t.Fatal(err)
			}
			dst := t.TempDir()
			t.Cleanup(func() { RemoveExport(dst) })
			skips, err := c.ExportTree(context.Background(), s.RepoURL("many"), head, dst)
			if err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(dst); len(entries) != tt.files {
				t.Errorf("%d files exported, want %d", len(entries), tt.files)
			}
			if !reflect.DeepEqual(skips, tt.skips) {
				t.Errorf("skips = %+v, want %+v", skips, tt.skips)
			}
		})
	}
}

// Directories are exported down to maxExportDepth levels; a deeper one is
// left out, named in a skip, and the rest of the tree is still written.
func TestExportTreeDepthCap(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("deep", "main")
	atCap := strings.Repeat("d/", maxExportDepth) + "ok.txt"
	past := strings.Repeat("d/", maxExportDepth+1) + "deeper.txt"
	head := r.Commit("main", "deep", gittest.Files(map[string]string{atCap: "ok\n", past: "deeper\n", "top.txt": "top\n"}))
	dst := exportDir(t)
	skips, err := exportTree(context.Background(), r.Git().Storer, plumbing.NewHash(head), dst, ExportLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ranges.Skip{{Path: strings.Repeat("d/", maxExportDepth) + "d", Reason: "directory nested deeper than 128 levels: not exported"}}
	if !reflect.DeepEqual(skips, want) {
		t.Errorf("skips = %+v, want %+v", skips, want)
	}
	for _, p := range []string{atCap, "top.txt"} {
		if _, err := os.Stat(filepath.Join(dst, filepath.FromSlash(p))); err != nil {
			t.Errorf("%s not exported: %v", p, err)
		}
	}
	info, err := os.Stat(filepath.Join(dst, filepath.FromSlash(strings.Repeat("d/", maxExportDepth))))
	if err != nil || info.Mode().Perm() != 0o555 {
		t.Errorf("deepest directory: %v, %v; want mode 0555", info, err)
	}
}
