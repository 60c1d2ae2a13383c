package upstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrNoCommitOldEnough means no commit on the first-parent chain from head
// (within the walk's bound) is as old as the cutoff: the server is cooling
// down.
var ErrNoCommitOldEnough = errors.New("no commit old enough")

// maxCooldownSteps bounds the first-parent walk of NewestBefore.
const maxCooldownSteps = 10_000

// NewestBefore returns the newest commit on the first-parent chain from
// head whose committer time is at or before cutoff, and that time (for
// --min-age: propose what has been public long enough). The first-parent
// chain is the branch's own history as its maintainers merged it; commits
// of merged side branches may be older than their merge and are not
// candidates on their own. ref is fetched first when head is missing.
// When nothing qualifies the error wraps ErrNoCommitOldEnough.
func (c *Cache) NewestBefore(ctx context.Context, project, ref, head string, cutoff time.Time) (string, time.Time, error) {
	h, err := parseCommitArg("head", head)
	if err != nil {
		return "", time.Time{}, err
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return "", time.Time{}, err
	}
	defer done()
	missing, err := repo.ensure(ctx, ref, h)
	if err != nil {
		return "", time.Time{}, err
	}
	if len(missing) > 0 {
		return "", time.Time{}, upstreamError(project, "cooldown", fmt.Errorf("head commit %s not found upstream", h))
	}
	sha, when, err := newestBefore(ctx, repo.st, h, cutoff, maxCooldownSteps)
	if err != nil {
		return "", time.Time{}, upstreamError(project, "cooldown", err)
	}
	return sha.String(), when, nil
}

func newestBefore(ctx context.Context, st storer.EncodedObjectStorer, head plumbing.Hash, cutoff time.Time, maxSteps int) (plumbing.Hash, time.Time, error) {
	h := head
	for range maxSteps {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, time.Time{}, err
		}
		c, err := object.GetCommit(st, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			break // history cut short
		}
		if err != nil {
			return plumbing.ZeroHash, time.Time{}, fmt.Errorf("commit %s: %w", h, err)
		}
		if !c.Committer.When.After(cutoff) {
			return c.Hash, c.Committer.When, nil
		}
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	return plumbing.ZeroHash, time.Time{}, fmt.Errorf("%w: nothing on the first-parent history of %s is from before %s",
		ErrNoCommitOldEnough, head, cutoff.UTC().Format(time.RFC3339))
}

// CommitTime is the committer time of sha, fetching ref when the commit
// is not in the cache yet (when a cooldown ends is measured from it).
func (c *Cache) CommitTime(ctx context.Context, project, ref, sha string) (time.Time, error) {
	h, err := parseCommitArg("commit", sha)
	if err != nil {
		return time.Time{}, err
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return time.Time{}, err
	}
	defer done()
	if missing, err := repo.ensure(ctx, ref, h); err != nil {
		return time.Time{}, err
	} else if len(missing) > 0 {
		return time.Time{}, upstreamError(project, "commit time", fmt.Errorf("commit %s not found upstream", h))
	}
	commit, err := object.GetCommit(repo.st, h)
	if err != nil {
		return time.Time{}, upstreamError(project, "commit time", err)
	}
	return commit.Committer.When, nil
}

// IsAncestor reports whether ancestor is reachable from descendant (a
// commit is its own ancestor). A descendant or ancestor missing upstream
// (history rewritten) is not an ancestry: false, no error.
func (c *Cache) IsAncestor(ctx context.Context, project, ref, ancestor, descendant string) (bool, error) {
	a, err := parseCommitArg("ancestor", ancestor)
	if err != nil {
		return false, err
	}
	d, err := parseCommitArg("descendant", descendant)
	if err != nil {
		return false, err
	}
	if a == d {
		return true, nil
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return false, err
	}
	defer done()
	missing, err := repo.ensure(ctx, ref, a, d)
	if err != nil {
		return false, err
	}
	if len(missing) > 0 {
		return false, nil
	}
	walk, err := walkRange(ctx, repo.st, d, a, DefaultRangeLimits().MaxWalk)
	if err != nil {
		return false, upstreamError(project, "ancestry", err)
	}
	if walk.truncated {
		return false, upstreamError(project, "ancestry", fmt.Errorf("history between %s and %s too long to walk", a, d))
	}
	return walk.ancestor, nil
}
