package upstream

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// maxCheckoutCommits bounds how much history a review checkout carries
// when head does not descend from base (a rewritten history).
const maxCheckoutCommits = 10_000

// BaseRef is the ref a review checkout names the old pin by.
const BaseRef = "refs/review/base"

// Checkout writes a git checkout of commit head into dst, an existing
// empty directory, for an agent reviewer: the files as ExportTree writes
// them (same skips), plus a .git holding only the commits from base to
// head (a shallow repository: base is reachable, nothing older is), their
// trees and blobs. HEAD is head, detached; base is BaseRef. The
// repository's config is the bot's (no hooks, no upstream config), and
// files ExportTree left out show as deleted in git status.
func (c *Cache) Checkout(ctx context.Context, project, base, head, dst string) ([]ranges.Skip, error) {
	hb, err := parseCommitArg("base", base)
	if err != nil {
		return nil, err
	}
	hh, err := parseCommitArg("head", head)
	if err != nil {
		return nil, err
	}
	repo, done, err := c.openForExport(ctx, project, "checkout", dst, hb, hh)
	if err != nil {
		return nil, err
	}
	defer done()
	skips, err := exportTree(ctx, repo.st, hh, dst, c.opts.Export)
	if err != nil {
		return skips, err
	}
	if err := writeReviewRepo(ctx, repo.st, hb, hh, filepath.Join(dst, ".git")); err != nil {
		return skips, upstreamError(project, "checkout", err)
	}
	return skips, nil
}

func writeReviewRepo(ctx context.Context, src storer.EncodedObjectStorer, base, head plumbing.Hash, gitDir string) error {
	commits, shallow, err := rangeCommits(ctx, src, base, head)
	if err != nil {
		return err
	}
	objects, err := reachableObjects(ctx, src, commits)
	if err != nil {
		return err
	}
	st := filesystem.NewStorage(osfs.New(gitDir), cache.NewObjectLRUDefault())
	r, err := git.Init(st, nil)
	if err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	cfg, err := r.Config()
	if err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	cfg.Core.IsBare = false
	if err := r.SetConfig(cfg); err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	w, err := st.PackfileWriter()
	if err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	if _, err := packfile.NewEncoder(w, src, false).Encode(objects, 0); err != nil {
		w.Close()
		return fmt.Errorf("review repository: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	if err := st.SetShallow(shallow); err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	for _, ref := range []*plumbing.Reference{
		plumbing.NewHashReference(plumbing.HEAD, head),
		plumbing.NewHashReference(BaseRef, base),
	} {
		if err := st.SetReference(ref); err != nil {
			return fmt.Errorf("review repository: %w", err)
		}
	}
	idx, err := headIndex(src, head)
	if err != nil {
		return err
	}
	if err := st.SetIndex(idx); err != nil {
		return fmt.Errorf("review repository: %w", err)
	}
	return nil
}

// rangeCommits lists the commits from head back to base (both included)
// and the shallow boundary: included commits with a parent left out.
func rangeCommits(ctx context.Context, src storer.EncodedObjectStorer, base, head plumbing.Hash) ([]*object.Commit, []plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{}
	var commits []*object.Commit
	queue := []plumbing.Hash{head, base}
	for len(queue) > 0 && len(commits) < maxCheckoutCommits {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h := queue[0]
		queue = queue[1:]
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := object.GetCommit(src, h)
		if err != nil {
			return nil, nil, fmt.Errorf("commit %s: %w", h, err)
		}
		commits = append(commits, c)
		if h != base {
			queue = append(queue, c.ParentHashes...)
		}
	}
	var shallow []plumbing.Hash
	for _, c := range commits {
		for _, p := range c.ParentHashes {
			if !seen[p] {
				shallow = append(shallow, c.Hash)
				break
			}
		}
	}
	// Commits queued but not taken past the cap are not in seen; their
	// children are marked shallow above.
	return commits, shallow, nil
}

// reachableObjects lists the commits and every tree and blob of theirs,
// each once.
func reachableObjects(ctx context.Context, src storer.EncodedObjectStorer, commits []*object.Commit) ([]plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	var walk func(h plumbing.Hash) error
	walk = func(h plumbing.Hash) error {
		if seen[h] {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		seen[h] = true
		out = append(out, h)
		t, err := object.GetTree(src, h)
		if err != nil {
			return fmt.Errorf("tree %s: %w", h, err)
		}
		for _, e := range t.Entries {
			switch e.Mode {
			case filemode.Dir:
				if err := walk(e.Hash); err != nil {
					return err
				}
			case filemode.Submodule:
			default:
				if !seen[e.Hash] {
					seen[e.Hash] = true
					out = append(out, e.Hash)
				}
			}
		}
		return nil
	}
	for _, c := range commits {
		out = append(out, c.Hash)
		if err := walk(c.TreeHash); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// headIndex is the index of head's tree, so git status compares the
// checkout with head rather than showing every file as new.
func headIndex(src storer.EncodedObjectStorer, head plumbing.Hash) (*index.Index, error) {
	c, err := object.GetCommit(src, head)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", head, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", head, err)
	}
	idx := &index.Index{Version: 2}
	walker := object.NewTreeWalker(t, true, nil)
	defer walker.Close()
	for {
		name, e, err := walker.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tree of %s: %w", head, err)
		}
		if e.Mode == filemode.Dir || strings.ContainsRune(name, 0) {
			continue
		}
		idx.Entries = append(idx.Entries, &index.Entry{Name: name, Hash: e.Hash, Mode: e.Mode})
	}
	return idx, nil
}
