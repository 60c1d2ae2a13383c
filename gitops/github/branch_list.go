package github

import (
	"errors"
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/internal/gittree"
	"github.com/mcp-registry/updater/registry/valid"
)

// maxListedDirs bounds ListDirs: a registry of tens of thousands of
// servers fits; a hostile tree does not make the bot allocate without end.
const maxListedDirs = 100_000

// ListDirs returns the names of the directories directly under dir at
// commit, sorted; none when dir does not exist there. A long-running
// daemon reads the registry's servers from the fetched base branch this
// way, so servers added or removed since it started are seen.
func (r *RegistryRemote) ListDirs(commit, dir string) ([]string, error) {
	if !valid.FullSHA(commit) {
		return nil, r.fail("list "+dir, fmt.Errorf("%q is not a full commit SHA", commit))
	}
	if err := gittree.ValidPath(dir); err != nil {
		return nil, r.fail("list", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := object.GetCommit(r.repo.Storer, plumbing.NewHash(commit))
	if err != nil {
		return nil, r.fail("list "+dir, err)
	}
	root, err := c.Tree()
	if err != nil {
		return nil, r.fail("list "+dir, err)
	}
	sub, err := root.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, r.fail("list "+dir, err)
	}
	var names []string
	for _, e := range sub.Entries {
		if e.Mode != filemode.Dir {
			continue
		}
		if len(names) == maxListedDirs {
			return nil, r.fail("list "+dir, fmt.Errorf("more than %d directories", maxListedDirs))
		}
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return names, nil
}
