package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/utils/merkletrie"
	"github.com/go-git/go-git/v5/utils/merkletrie/noder"
)

// The tree diff behind ranges. go-git's own (object.DiffTree) reaches a
// subtree by looking its name up in the parent through Tree.Tree, which
// refuses ".git" and every other name unsafe to check out: a range over
// an upstream holding a ".git" directory failed whole ("directory not
// found"), hiding from the review the very thing it must see. A diff only
// reads, so here every name git accepts is kept and subtrees are read by
// hash; names are judged where files are written (ExportTree) and by the
// review.

// treeChange is one entry that differs between two trees.
type treeChange struct {
	path     string
	action   merkletrie.Action
	from, to object.TreeEntry // zero on the side where it is absent
	// oldPath is where from lives when the entry was moved or copied
	// there (pairRenames); "" otherwise.
	oldPath string
}

// diffTrees lists the entries (not directories) that differ between two
// trees, as git diff-tree -r does: a changed mode is a modification.
func diffTrees(ctx context.Context, st storer.EncodedObjectStorer, from, to *object.Tree) ([]treeChange, error) {
	changes, err := merkletrie.DiffTreeContext(ctx, treeRootNode(st, from), treeRootNode(st, to), sameTreeNode)
	if err != nil {
		if errors.Is(err, merkletrie.ErrCanceled) && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	out := make([]treeChange, 0, len(changes))
	for _, ch := range changes {
		action, err := ch.Action()
		if err != nil {
			return nil, err
		}
		c := treeChange{action: action, from: treeEntryOf(ch.From), to: treeEntryOf(ch.To)}
		if action == merkletrie.Delete {
			c.path = ch.From.String()
		} else {
			c.path = ch.To.String()
		}
		out = append(out, c)
	}
	return out, nil
}

func treeEntryOf(p noder.Path) object.TreeEntry {
	if len(p) == 0 {
		return object.TreeEntry{}
	}
	n := p.Last().(*treeNode)
	return object.TreeEntry{Name: n.name, Mode: n.mode, Hash: n.hash}
}

func sameTreeNode(a, b noder.Hasher) bool { return bytes.Equal(a.Hash(), b.Hash()) }

// treeNode is a tree entry as the merkletrie diff sees it.
type treeNode struct {
	st       storer.EncodedObjectStorer
	name     string // "" for the root
	mode     filemode.FileMode
	hash     plumbing.Hash
	children []noder.Noder // read once
}

func treeRootNode(st storer.EncodedObjectStorer, t *object.Tree) *treeNode {
	return &treeNode{st: st, mode: filemode.Dir, hash: t.Hash}
}

// Hash includes the mode, so a mode change reads as a change (as it does
// in go-git's and git's diffs); the deprecated group-writable mode is a
// regular file.
func (n *treeNode) Hash() []byte {
	mode := n.mode
	if mode == filemode.Deprecated {
		mode = filemode.Regular
	}
	return append(n.hash[:len(n.hash):len(n.hash)], mode.Bytes()...)
}

func (n *treeNode) String() string { return "treeNode <" + n.name + ">" }
func (n *treeNode) Name() string   { return n.name }
func (n *treeNode) IsDir() bool    { return n.mode == filemode.Dir }
func (n *treeNode) Skip() bool     { return false }

func (n *treeNode) Children() ([]noder.Noder, error) {
	if n.mode != filemode.Dir || n.hash == emptyTreeHash {
		return noder.NoChildren, nil
	}
	if n.children != nil {
		return n.children, nil
	}
	t, err := object.GetTree(n.st, n.hash)
	if err != nil {
		return nil, fmt.Errorf("tree %s (%q): %w", n.hash, printableText(n.name, 256), err)
	}
	n.children = make([]noder.Noder, 0, len(t.Entries))
	for _, e := range t.Entries {
		n.children = append(n.children, &treeNode{st: n.st, name: e.Name, mode: e.Mode, hash: e.Hash})
	}
	return n.children, nil
}

func (n *treeNode) NumChildren() (int, error) {
	children, err := n.Children()
	return len(children), err
}
