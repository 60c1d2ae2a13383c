package gittree_test

import (
	"errors"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/mcp-registry/updater/gitops/internal/gittree"
)

// files lists path -> content of a tree.
func files(t *testing.T, s *memory.Storage, tree plumbing.Hash) map[string]string {
	t.Helper()
	tr, err := object.GetTree(s, tree)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = tr.Files().ForEach(func(f *object.File) error {
		c, err := f.Contents()
		out[f.Name] = c
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func blob(t *testing.T, s *memory.Storage, content string) plumbing.Hash {
	t.Helper()
	h, err := gittree.WriteBlob(s, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestEditTree(t *testing.T) {
	s := memory.NewStorage()
	edit := func(root plumbing.Hash, edits ...gittree.Edit) plumbing.Hash {
		t.Helper()
		h, err := gittree.EditTree(s, root, edits)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	file := func(path, content string) gittree.Edit {
		return gittree.Edit{Path: path, Mode: filemode.Regular, Hash: blob(t, s, content)}
	}
	root := edit(plumbing.ZeroHash, file("servers/a/server.yaml", "a"), file("servers/b/server.yaml", "b"), file("README.md", "r"))
	if got := files(t, s, root); len(got) != 3 || got["servers/a/server.yaml"] != "a" {
		t.Fatalf("built %v", got)
	}
	replaced := edit(root, file("servers/a/server.yaml", "a2"))
	if got := files(t, s, replaced); got["servers/a/server.yaml"] != "a2" || got["servers/b/server.yaml"] != "b" || got["README.md"] != "r" {
		t.Fatalf("replaced %v", got)
	}
	// Deleting the last file of a directory removes the directory.
	deleted := edit(replaced, gittree.Edit{Path: "servers/b/server.yaml"})
	tr, _ := object.GetTree(s, deleted)
	if _, err := tr.FindEntry("servers/b"); err == nil {
		t.Fatal("empty directory kept")
	}
	// Same content, same hash: trees are canonical.
	if again := edit(deleted, file("servers/b/server.yaml", "b"), file("servers/a/server.yaml", "a")); again != root {
		t.Fatalf("rebuilt tree %s, want %s", again, root)
	}
}

func TestEditTreeRejects(t *testing.T) {
	s := memory.NewStorage()
	h := blob(t, s, "x")
	for _, path := range []string{"", "/abs", "a//b", "../x", "a/../b", ".git/config", "a/.GIT/x", "a\\b", "nul\x00"} {
		if _, err := gittree.EditTree(s, plumbing.ZeroHash, []gittree.Edit{{Path: path, Mode: filemode.Regular, Hash: h}}); err == nil {
			t.Errorf("path %q accepted", path)
		}
	}
	if _, err := gittree.EditTree(s, plumbing.ZeroHash, []gittree.Edit{{Path: "d", Mode: filemode.Dir, Hash: h}}); err == nil {
		t.Error("a directory mode accepted for a file")
	}
}

func TestReadFile(t *testing.T) {
	s := memory.NewStorage()
	tree, err := gittree.EditTree(s, plumbing.ZeroHash, []gittree.Edit{
		{Path: "a/f", Mode: filemode.Regular, Hash: blob(t, s, "hello")},
		{Path: "link", Mode: filemode.Symlink, Hash: blob(t, s, "/etc/passwd")},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &object.Commit{Message: "m", TreeHash: tree}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	commit, err := s.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := gittree.ReadFile(s, commit, "a/f", 100); err != nil || string(got) != "hello" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	for _, path := range []string{"a", "missing", "a/f/g", "link"} {
		if _, err := gittree.ReadFile(s, commit, path, 100); !errors.Is(err, gittree.ErrNotFound) {
			t.Errorf("ReadFile(%q) err = %v, want ErrNotFound", path, err)
		}
	}
	if _, err := gittree.ReadFile(s, commit, "a/f", 3); err == nil {
		t.Error("a file over the cap was read")
	}
}
