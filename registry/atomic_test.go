package registry_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mcp-registry/updater/registry"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "server.yaml")
	if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := registry.WriteFileAtomic(p, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "new\n" {
		t.Errorf("content = %q, %v", got, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	assertOnlyFiles(t, dir, "server.yaml")

	fresh := filepath.Join(dir, "fresh.yaml")
	if err := registry.WriteFileAtomic(fresh, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode = %v, want 0644", fi.Mode().Perm())
	}
}

func TestWriteFileAtomicRefuses(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("target\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	symlink(t, target, link)
	if err := registry.WriteFileAtomic(link, []byte("x")); err == nil {
		t.Error("wrote through a symlink")
	}
	if got, _ := os.ReadFile(target); string(got) != "target\n" {
		t.Errorf("symlink target changed to %q", got)
	}
	if err := registry.WriteFileAtomic(dir, []byte("x")); err == nil {
		t.Error("replaced a directory")
	}
	if err := registry.WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x")); err == nil {
		t.Error("wrote into a missing directory")
	}
	assertOnlyFiles(t, dir, "link", "target")
}

// assertOnlyFiles fails when dir holds anything but names (a leftover
// temporary file, say).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
		return
	}
	for i := range got {
		if got[i] != names[i] {
			t.Errorf("%s holds %q, want %q", dir, got, names)
			return
		}
	}
}
