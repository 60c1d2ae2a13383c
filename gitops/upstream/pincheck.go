package upstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/mcp-registry/updater/gitops/internal/retry"
)

// Pin check failures, for validate --online to tell apart.
var (
	ErrPinNotFound    = errors.New("pinned commit not found upstream")
	ErrPinNotOnBranch = errors.New("pinned commit is not on the followed ref")
)

// CheckPin proves that commit exists upstream and is reachable from the
// followed branch (the default branch when branch is empty, any ref for
// refs/pull/...), or, when branch names a tag, that it is exactly the
// tag's commit. A branch or tag gone upstream is an error too: the pin
// can no longer be checked against it.
func (c *Cache) CheckPin(ctx context.Context, project, branch, commit string) error {
	pin, err := parseCommitArg("commit", commit)
	if err != nil {
		return err
	}
	var refs *Refs
	err = retry.Retry(ctx, *c.opts.Retry, func(ctx context.Context) error {
		var err error
		refs, err = ListRefs(ctx, project, c.opts.List)
		return err
	})
	if err != nil {
		return upstreamError(project, "check pin", err)
	}
	f, err := followRef(refs, branch)
	if err != nil {
		return upstreamError(project, "check pin", err)
	}
	tip, ok := refs.Refs[f.ref]
	if !ok {
		return upstreamError(project, "check pin", fmt.Errorf("%s: %w", f.frozen, ErrPinNotOnBranch))
	}
	if f.kind == KindTag {
		if tip != pin.String() {
			return upstreamError(project, "check pin", fmt.Errorf("%w: tag %s is commit %s, not %s", ErrPinNotOnBranch, f.ref, tip, pin))
		}
		return nil
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return err
	}
	defer done()
	tipHash := plumbing.NewHash(tip)
	missing, err := repo.ensure(ctx, f.ref, tipHash, pin)
	if err != nil {
		return err
	}
	for _, h := range missing {
		if h == pin {
			return upstreamError(project, "check pin", fmt.Errorf("%w: %s", ErrPinNotFound, pin))
		}
		return upstreamError(project, "check pin", fmt.Errorf("tip of %s (%s) could not be fetched", f.ref, h))
	}
	walk, err := walkRange(ctx, repo.st, tipHash, pin, DefaultRangeLimits().MaxWalk)
	if err != nil {
		return upstreamError(project, "check pin", err)
	}
	if !walk.ancestor {
		return upstreamError(project, "check pin", fmt.Errorf("%w: %s is not reachable from %s", ErrPinNotOnBranch, pin, f.ref))
	}
	return nil
}
