package upstream

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// MissingCommits returns those of shas that are not commits upstream:
// ref is fetched when any is not cached yet, then each missing one is
// asked for by SHA. An SHA naming a tree or a blob is missing too. The
// error is for an upstream that could not be fetched from at all, so a
// caller can tell "no such commit" (a bad argument) from "no answer".
func (c *Cache) MissingCommits(ctx context.Context, project, ref string, shas ...string) ([]string, error) {
	hashes := make([]plumbing.Hash, len(shas))
	for i, sha := range shas {
		h, err := parseCommitArg("commit", sha)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return nil, err
	}
	defer done()
	if _, err := repo.ensure(ctx, ref, hashes...); err != nil {
		return nil, err
	}
	var out []string
	for i, h := range hashes {
		if _, err := object.GetCommit(repo.st, h); err != nil {
			out = append(out, shas[i])
		}
	}
	return out, nil
}
