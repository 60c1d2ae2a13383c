package upstream

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// emptyTreeHash is git's empty tree: the "before" of a full review, so
// the snapshot at the head reads as a range in which every file is added.
var emptyTreeHash = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// ComputeFull computes the facts of a full review of q.Head (q.Base is
// ignored): the range empty-tree..Head, in which every file of the head's
// tree is added, so the same rules see all the code. It has no commits,
// no authors and no ancestry to judge (Range.Full).
func ComputeFull(ctx context.Context, st storer.EncodedObjectStorer, q RangeQuery) (*ranges.Range, error) {
	limits := q.Limits.withDefaults()
	head, err := parseCommitArg("head", q.Head)
	if err != nil {
		return nil, err
	}
	dir := normalizeDirectory(q.Directory)
	r := &ranges.Range{Project: q.Project, Directory: dir, Head: head.String(), Full: true, BaseFound: true, Ancestor: true}
	headCommit, err := object.GetCommit(st, head)
	if err != nil {
		return nil, fmt.Errorf("head commit %s: %w", head, err)
	}
	headTree, err := headCommit.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of head %s: %w", head, err)
	}
	files, skipped, err := diffFiles(ctx, st, &object.Tree{Hash: emptyTreeHash}, headTree, dir, limits)
	if err != nil {
		return nil, err
	}
	r.Files = files
	r.Skipped = append(r.Skipped, skipped...)
	r.Dockerfile = readDockerfile(nil, headTree, dir, q.Dockerfile, limits.MaxFileBytes)
	return r, nil
}

// FullRange computes the full review of q.Head for q.Project (see
// ComputeFull), fetching q.Ref, or the head by SHA, as needed.
func (c *Cache) FullRange(ctx context.Context, q RangeQuery) (*ranges.Range, error) {
	return c.computeAt(ctx, q, "full review", ComputeFull)
}
