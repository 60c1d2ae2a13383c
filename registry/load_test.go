package registry_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

func serverYAML(name string) string { return registrytest.ServerYAML(name, registrytest.Commit) }

// writeFile writes root/rel, creating directories.
func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	writeFile(t, outside, "server.yaml", serverYAML("escape"))
	writeFile(t, outside, "escape2/server.yaml", serverYAML("escape2"))

	writeFile(t, root, "servers/b-good/server.yaml", serverYAML("b-good"))
	writeFile(t, root, "servers/SQLite/server.yaml", serverYAML("SQLite"))
	writeFile(t, root, "servers/a-good/server.yaml", serverYAML("a-good"))
	writeFile(t, root, "servers/LICENSE-corpus", "MIT\n") // a plain file: not a server
	writeFile(t, root, "servers/mismatch/server.yaml", serverYAML("other"))
	writeFile(t, root, "servers/empty-dir/.keep", "")
	writeFile(t, root, "servers/.hidden/server.yaml", serverYAML(".hidden"))
	huge := serverYAML("huge") + "# " + strings.Repeat("x", 2<<20) + "\n"
	writeFile(t, root, "servers/huge/server.yaml", huge)
	writeFile(t, root, "servers/dir-yaml/server.yaml/x", "")
	if err := os.MkdirAll(filepath.Join(root, "servers", "link-file"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(outside, "server.yaml"), filepath.Join(root, "servers", "link-file", "server.yaml"))
	symlink(t, filepath.Join(outside, "escape2"), filepath.Join(root, "servers", "escape2"))
	symlink(t, "a-good", filepath.Join(root, "servers", "twin"))

	files, errs := registry.Load(root)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		if f.Path != registry.ServerPath(f.Name) {
			t.Errorf("%s: path %q", f.Name, f.Path)
		}
	}
	if got, want := strings.Join(names, " "), "SQLite a-good b-good"; got != want {
		t.Errorf("loaded %q, want %q (name order, bad ones left out)", got, want)
	}
	wantErrs := []string{
		`servers/.hidden/server.yaml: directory name ".hidden" is not a valid server name`,
		"servers/dir-yaml/server.yaml: is not a regular file",
		"servers/empty-dir/server.yaml: no such file or directory",
		"servers/escape2/server.yaml: servers/escape2 is a symlink; a server directory must be a real directory",
		fmt.Sprintf("servers/huge/server.yaml: file is %d bytes, over the 1048576-byte limit", len(huge)),
		"servers/link-file/server.yaml: is a symlink; a server.yaml must be a regular file",
		`servers/mismatch/server.yaml:1: name "other" does not match its directory "mismatch"`,
		"servers/twin/server.yaml: servers/twin is a symlink; a server directory must be a real directory",
	}
	var got []string
	for _, err := range errs {
		var fe *registry.FileError
		if !errors.As(err, &fe) {
			t.Errorf("error %v is %T, want *FileError", err, err)
		}
		got = append(got, err.Error())
	}
	if strings.Join(got, "\n") != strings.Join(wantErrs, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
}

func TestLoadUnusableRoot(t *testing.T) {
	noServers := t.TempDir()
	serversFile := t.TempDir()
	writeFile(t, serversFile, "servers", "not a directory")
	linkedOut := t.TempDir()
	symlink(t, t.TempDir(), filepath.Join(linkedOut, "servers"))

	for name, root := range map[string]string{
		"missing root":        filepath.Join(t.TempDir(), "nope"),
		"no servers":          noServers,
		"servers is a file":   serversFile,
		"servers links out":   linkedOut,
		"root is a file":      filepath.Join(serversFile, "servers"),
		"empty root argument": "",
	} {
		files, errs := registry.Load(root)
		if len(files) != 0 || len(errs) != 1 {
			t.Errorf("%s: %d files, errors %v; want one error", name, len(files), errs)
			continue
		}
		var fe *registry.FileError
		if errors.As(errs[0], &fe) {
			t.Errorf("%s: %v is a *FileError; an unusable root is not a file's problem", name, errs[0])
		}
		if _, err := registry.LoadFile(root, "demo"); err == nil || errors.As(err, &fe) {
			t.Errorf("%s: LoadFile err = %v, want a non-FileError", name, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "servers/demo/server.yaml", serverYAML("demo"))
	writeFile(t, root, "servers/broken/server.yaml", "name: broken\n\ttype: server\n")
	writeFile(t, root, "servers/no-file/README", "")

	f, err := registry.LoadFile(root, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "demo" || f.Path != "servers/demo/server.yaml" || string(f.Raw) != serverYAML("demo") {
		t.Errorf("LoadFile = %+v", f)
	}

	if _, err := registry.LoadFile(root, "unknown"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown server: err = %v, want fs.ErrNotExist", err)
	}
	var fe *registry.FileError
	if _, err := registry.LoadFile(root, "no-file"); !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("directory without server.yaml: err = %v, want a *FileError wrapping fs.ErrNotExist", err)
	}
	if _, err := registry.LoadFile(root, "broken"); !errors.As(err, &fe) || fe.Line != 2 {
		t.Errorf("broken file: err = %v, want a *FileError at line 2", err)
	}
	for _, bad := range []string{"../demo", "demo/../demo", "", ".", "/etc"} {
		if _, err := registry.LoadFile(root, bad); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadFile(%q) err = %v, want an invalid-name error", bad, err)
		}
	}
}
