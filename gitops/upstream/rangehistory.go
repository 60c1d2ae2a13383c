package upstream

import (
	"github.com/go-git/go-git/v5/plumbing/object"
)

// signingWindow is how many commits before the base the signing habit is
// judged on: enough to see a project's practice, few enough to follow a
// change of it.
const signingWindow = 50

// touchesDirectory reports whether c changes anything under dir compared
// with its first parent (a root commit touches everything). Only the
// subtree hashes are compared, so no file is read. dir "" is the whole
// repository.
func touchesDirectory(c *object.Commit, dir string) bool {
	if dir == "" || c.NumParents() == 0 {
		return true
	}
	parent, err := c.Parent(0)
	if err != nil {
		return true // unknown: count it, never hide an author
	}
	return subtreeHash(c, dir) != subtreeHash(parent, dir)
}

// subtreeHash is the hash of dir in c's tree, "" when absent or unreadable.
func subtreeHash(c *object.Commit, dir string) string {
	t, err := c.Tree()
	if err != nil {
		return ""
	}
	e, err := t.FindEntry(dir)
	if err != nil {
		return ""
	}
	return e.Hash.String()
}
