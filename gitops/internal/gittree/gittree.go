// Package gittree edits git trees in an object store without a working
// tree: the bot's branch commit and the GitHub emulator's Git Data API
// both build a new tree from a base tree and a few path changes.
package gittree

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Edit sets Path to the object Hash with Mode, or deletes Path when Hash is
// the zero hash.
type Edit struct {
	Path string
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// ValidPath reports whether p is a relative slash-separated path git and
// every checkout can hold: no empty, ".", ".." or ".git" component, no NUL
// and no backslash.
func ValidPath(p string) error {
	if p == "" || len(p) > 4096 {
		return fmt.Errorf("path %q: empty or too long", p)
	}
	for _, part := range strings.Split(p, "/") {
		switch {
		case part == "", part == ".", part == "..", strings.EqualFold(part, ".git"):
			return fmt.Errorf("path %q: invalid component %q", p, part)
		case strings.ContainsAny(part, "\x00\\"):
			return fmt.Errorf("path %q: invalid character", p)
		}
	}
	return nil
}

// WriteBlob stores content as a blob and returns its hash.
func WriteBlob(s storer.EncodedObjectStorer, content []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(content); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// EditTree returns the hash of the tree root (the zero hash: an empty tree)
// with edits applied, writing every new tree into s. Directories left
// empty disappear, as git cannot hold them.
func EditTree(s storer.EncodedObjectStorer, root plumbing.Hash, edits []Edit) (plumbing.Hash, error) {
	for _, e := range edits {
		if err := ValidPath(e.Path); err != nil {
			return plumbing.ZeroHash, err
		}
		if !e.Hash.IsZero() && (e.Mode == filemode.Empty || e.Mode == filemode.Dir) {
			return plumbing.ZeroHash, fmt.Errorf("path %q: mode %s is not a file mode", e.Path, e.Mode)
		}
	}
	h, _, err := editTree(s, root, edits)
	return h, err
}

// editTree returns the new tree's hash and its number of entries.
func editTree(s storer.EncodedObjectStorer, root plumbing.Hash, edits []Edit) (plumbing.Hash, int, error) {
	entries := map[string]object.TreeEntry{}
	if !root.IsZero() {
		t, err := object.GetTree(s, root)
		if err != nil {
			return plumbing.ZeroHash, 0, fmt.Errorf("tree %s: %w", root, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	nested := map[string][]Edit{}
	var order []string
	for _, e := range edits {
		first, rest, isNested := strings.Cut(e.Path, "/")
		if !isNested {
			if e.Hash.IsZero() {
				delete(entries, first)
			} else {
				entries[first] = object.TreeEntry{Name: first, Mode: e.Mode, Hash: e.Hash}
			}
			continue
		}
		if _, seen := nested[first]; !seen {
			order = append(order, first)
		}
		nested[first] = append(nested[first], Edit{Path: rest, Mode: e.Mode, Hash: e.Hash})
	}
	for _, dir := range order {
		base := plumbing.ZeroHash
		if cur, ok := entries[dir]; ok && cur.Mode == filemode.Dir {
			base = cur.Hash
		}
		h, n, err := editTree(s, base, nested[dir])
		if err != nil {
			return plumbing.ZeroHash, 0, err
		}
		if n == 0 {
			delete(entries, dir)
		} else {
			entries[dir] = object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h}
		}
	}
	list := make([]object.TreeEntry, 0, len(entries))
	for _, e := range entries {
		list = append(list, e)
	}
	// git orders entries by name, directories compared as "name/".
	sort.Slice(list, func(i, j int) bool { return sortKey(list[i]) < sortKey(list[j]) })
	obj := s.NewEncodedObject()
	if err := (&object.Tree{Entries: list}).Encode(obj); err != nil {
		return plumbing.ZeroHash, 0, err
	}
	h, err := s.SetEncodedObject(obj)
	return h, len(list), err
}

func sortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// ErrNotFound is returned by ReadFile for a path that is not a file at the
// given tree.
var ErrNotFound = errors.New("file not found")

// ReadFile returns the content of the file at path in the tree of commit.
func ReadFile(s storer.EncodedObjectStorer, commit plumbing.Hash, path string, maxSize int64) ([]byte, error) {
	return NewReader(s).ReadFile(commit, path, maxSize)
}

// Reader reads files out of commits and keeps the trees it decoded, with
// their name index: a pass reads one server.yaml per server out of the
// same base tree, and decoding the servers/ tree once per read would make
// that quadratic in the number of servers. Not safe for concurrent use.
type Reader struct {
	s     storer.EncodedObjectStorer
	trees map[plumbing.Hash]*object.Tree
}

// maxCachedTrees bounds a Reader's memory: past it the cache starts over.
const maxCachedTrees = 4096

// NewReader reads from s.
func NewReader(s storer.EncodedObjectStorer) *Reader {
	return &Reader{s: s, trees: map[plumbing.Hash]*object.Tree{}}
}

func (r *Reader) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := r.trees[h]; ok {
		return t, nil
	}
	t, err := object.GetTree(r.s, h)
	if err != nil {
		return nil, err
	}
	if len(r.trees) >= maxCachedTrees {
		clear(r.trees)
	}
	r.trees[h] = t
	return t, nil
}

// ReadFile returns the content of the file at path in the tree of commit.
func (r *Reader) ReadFile(commit plumbing.Hash, path string, maxSize int64) ([]byte, error) {
	c, err := object.GetCommit(r.s, commit)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	tree, err := r.tree(c.TreeHash)
	if err != nil {
		return nil, fmt.Errorf("commit %s: tree: %w", commit, err)
	}
	entry, err := r.findEntry(tree, path)
	if err != nil {
		return nil, err
	}
	if !entry.Mode.IsFile() || entry.Mode == filemode.Symlink {
		return nil, ErrNotFound
	}
	blob, err := object.GetBlob(r.s, entry.Hash)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %s: %w", commit, path, err)
	}
	if blob.Size > maxSize {
		return nil, fmt.Errorf("commit %s: %s: %d bytes, more than %d", commit, path, blob.Size, maxSize)
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, fmt.Errorf("commit %s: %s: %w", commit, path, err)
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, maxSize))
}

// findEntry walks path one directory at a time, so that a path through a
// file is "not found" rather than an attempt to read a blob as a tree.
// Tree.FindEntry on a single name uses the tree's name index, built once
// per cached tree.
func (r *Reader) findEntry(tree *object.Tree, path string) (*object.TreeEntry, error) {
	parts := strings.Split(path, "/")
	for i, name := range parts {
		found, err := tree.FindEntry(name)
		if err != nil {
			return nil, ErrNotFound
		}
		if i == len(parts)-1 {
			return found, nil
		}
		if found.Mode != filemode.Dir {
			return nil, ErrNotFound
		}
		if tree, err = r.tree(found.Hash); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil, ErrNotFound
}
