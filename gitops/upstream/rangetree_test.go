package upstream

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// diffTrees lists what git diff-tree -r lists, ".git" directories at any
// depth included (go-git's DiffTree fails on them).
func TestDiffTrees(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("trees", "main")
	base := r.Commit("main", "base", []gittest.Change{
		{Path: "a.txt", Content: []byte("a\n")},
		{Path: "dir/b.txt", Content: []byte("b\n")},
		{Path: "gone.txt", Content: []byte("gone\n")},
		{Path: "mode/x.sh", Content: []byte("#!/bin/sh\n")},
		{Path: "swap", Content: []byte("a file, then a directory\n")},
	})
	head := r.Commit("main", "head", []gittest.Change{
		{Path: "a.txt", Content: []byte("a, changed\n")},
		{Path: "dir/c.txt", Content: []byte("c\n")},
		gittest.Delete("gone.txt"),
		{Path: "mode/x.sh", Content: []byte("#!/bin/sh\n"), Mode: filemode.Executable},
		gittest.Delete("swap"),
		{Path: "swap/inner.txt", Content: []byte("inner\n")},
		{Path: ".git/config", Content: []byte("[core]\n")},
		{Path: "sub/.git/hooks/pre-commit", Content: []byte("#!/bin/sh\n")},
		{Path: "sub/.GIT/x", Content: []byte("x\n")},
	})
	st := r.Git().Storer
	tree := func(sha string) *object.Tree {
		c, err := object.GetCommit(st, plumbing.NewHash(sha))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := c.Tree()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	changes, err := diffTrees(context.Background(), st, tree(base), tree(head))
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].path < changes[j].path })
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s %s %o->%o", c.action, c.path, uint32(c.from.Mode), uint32(c.to.Mode)))
	}
	want := []string{
		"Insert .git/config 0->100644",
		"Modify a.txt 100644->100644",
		"Insert dir/c.txt 0->100644",
		"Delete gone.txt 100644->0",
		"Modify mode/x.sh 100644->100755",
		"Insert sub/.GIT/x 0->100644",
		"Insert sub/.git/hooks/pre-commit 0->100644",
		"Delete swap 100644->0",
		"Insert swap/inner.txt 0->100644",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := diffTrees(ctx, st, tree(base), tree(head)); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}
