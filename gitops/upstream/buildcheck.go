package upstream

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Build integrity at a new pin: the registry builds a server from
// source.directory and source.dockerfile, so a bump whose commit lacks
// them breaks the build. A directory that moved (most of its files now
// under one new place, by rename detection) moves with the pin instead.

// BuildInputs are the paths of the upstream the registry builds from, as
// source.directory and source.dockerfile say ("" when unset). The
// registry builds the context `project#commit:directory` with `-f
// dockerfile`, so Dockerfile is relative to Directory (the repository
// root when Directory is unset), as Docker reads it.
type BuildInputs struct {
	Directory  string
	Dockerfile string
}

// BuildCheck is what the new pin holds of a server's build inputs.
type BuildCheck struct {
	// Directory and Dockerfile are the values source.directory and
	// source.dockerfile must take at the new pin because they moved; ""
	// when they stay as they are.
	Directory  string
	Dockerfile string
	// Problem says why the build would break at the new pin; "" when it
	// would not. A Problem is never paired with a move.
	Problem string
}

// Moved reports whether the pin must rewrite the build inputs.
func (b BuildCheck) Moved() bool { return b.Directory != "" || b.Dockerfile != "" }

// CheckBuild checks in at head, following moves from base (which may be
// absent from st: then a missing path has no successor).
func CheckBuild(ctx context.Context, st storer.EncodedObjectStorer, base, head plumbing.Hash, in BuildInputs, limits RangeLimits) (BuildCheck, error) {
	var out BuildCheck
	headCommit, err := object.GetCommit(st, head)
	if err != nil {
		return out, fmt.Errorf("head commit %s: %w", head, err)
	}
	headTree, err := headCommit.Tree()
	if err != nil {
		return out, fmt.Errorf("tree of head %s: %w", head, err)
	}
	dir := normalizeDirectory(in.Directory)
	df := normalizeDirectory(in.Dockerfile) // relative to dir
	// Only what is missing needs the moves: base..head is diffed lazily.
	var moves [][2]string
	var baseTree *object.Tree
	movesLoaded := false
	loadMoves := func() error {
		if movesLoaded {
			return nil
		}
		movesLoaded = true
		baseCommit, err := object.GetCommit(st, base)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("base commit %s: %w", base, err)
		}
		if baseTree, err = baseCommit.Tree(); err != nil {
			return fmt.Errorf("tree of base %s: %w", base, err)
		}
		changes, err := diffTrees(ctx, st, baseTree, headTree)
		if err != nil {
			return fmt.Errorf("diff trees: %w", err)
		}
		if changes, err = pairRenames(ctx, st, changes, limits.withDefaults()); err != nil {
			return fmt.Errorf("rename detection: %w", err)
		}
		moves = movedPaths(changes)
		return nil
	}

	if dir != "" && !hasEntry(headTree, dir, true) {
		if err := loadMoves(); err != nil {
			return out, err
		}
		to, ok := directorySuccessor(moves, dir, baseTree)
		if !ok {
			out.Problem = fmt.Sprintf("source.directory %q does not exist at %s", dir, shortHash(head))
			if base != head {
				out.Problem += "; it did not move to one new place"
			}
			return out, nil
		}
		if !writablePath(to) {
			out.Problem = fmt.Sprintf("source.directory %q moved to %.200q, which a server.yaml cannot hold", dir, to)
			return out, nil
		}
		out.Directory = to
		dir = to // the Dockerfile, relative to it, moves with it
	}
	switch dockerfile := path.Join(dir, df); {
	case df != "" && !hasEntry(headTree, dockerfile, false):
		if err := loadMoves(); err != nil {
			return out, err
		}
		for _, m := range moves {
			// A Dockerfile renamed within its (unmoved) context moves
			// with the pin; one moved out of the context cannot.
			rel, inContext := relativeTo(dir, m[1])
			if m[0] == dockerfile && out.Directory == "" && inContext && writablePath(rel) {
				out.Dockerfile = rel
				return out, nil
			}
		}
		out.Problem = fmt.Sprintf("source.dockerfile %q does not exist at %s", dockerfile, shortHash(head))
		out.Directory, out.Dockerfile = "", ""
	case df == "" && dir != "" && !hasEntry(headTree, dir+"/Dockerfile", false):
		// The default Dockerfile counts only where the old pin had one:
		// some servers build another way.
		if err := loadMoves(); err != nil {
			return out, err
		}
		oldDir := normalizeDirectory(in.Directory)
		if baseTree != nil && hasEntry(baseTree, oldDir+"/Dockerfile", false) {
			out.Problem = fmt.Sprintf("%s/Dockerfile (the default dockerfile) does not exist at %s", dir, shortHash(head))
			out.Directory, out.Dockerfile = "", ""
		}
	}
	return out, nil
}

// relativeTo is p relative to dir (the repository root when dir is ""),
// and whether p is under dir at all.
func relativeTo(dir, p string) (string, bool) {
	if dir == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, dir+"/")
	return rest, ok
}

// pathSegmentRE is what a moved directory's path segments may hold to be
// written into a server.yaml (registry.SetPin refuses anything else): an
// upstream names its directories, and those names reach terminals and PRs.
var pathSegmentRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$`)

func writablePath(p string) bool {
	if len(p) > 400 {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if !pathSegmentRE.MatchString(seg) {
			return false
		}
	}
	return true
}

func shortHash(h plumbing.Hash) string { return h.String()[:12] }

// hasEntry reports whether t holds p as a directory (dir) or as a file.
func hasEntry(t *object.Tree, p string, dir bool) bool {
	e, err := t.FindEntry(p)
	if err != nil {
		return false
	}
	if dir {
		return e.Mode == filemode.Dir
	}
	return e.Mode != filemode.Dir && e.Mode != filemode.Submodule
}

// directorySuccessor finds where dir went: the one prefix under which
// more than half of dir's files at base now live, each at the same path
// relative to it. A move into the repository root has no directory to
// name and is not followed.
func directorySuccessor(moves [][2]string, dir string, baseTree *object.Tree) (string, bool) {
	if baseTree == nil {
		return "", false
	}
	sub, err := baseTree.Tree(dir)
	if err != nil {
		return "", false
	}
	total := 0
	_ = sub.Files().ForEach(func(*object.File) error { total++; return nil })
	if total == 0 {
		return "", false
	}
	votes := map[string]int{}
	for _, m := range moves {
		rest, ok := strings.CutPrefix(m[0], dir+"/")
		if !ok {
			continue
		}
		prefix, ok := strings.CutSuffix(m[1], "/"+rest)
		if !ok || prefix == "" {
			continue
		}
		votes[prefix]++
	}
	best, n := "", 0
	for p, v := range votes {
		if v > n || v == n && p < best {
			best, n = p, v
		}
	}
	if 2*n <= total {
		return "", false
	}
	return path.Clean(best), true
}

// CheckBuild checks a server's build inputs at head, fetching ref (and
// base, for its moves) into the cache as needed. Nothing to check (no
// directory, no dockerfile) costs nothing.
func (c *Cache) CheckBuild(ctx context.Context, project, ref, base, head string, in BuildInputs) (BuildCheck, error) {
	if normalizeDirectory(in.Directory) == "" && normalizeDirectory(in.Dockerfile) == "" {
		return BuildCheck{}, nil
	}
	headHash, err := parseCommitArg("head", head)
	if err != nil {
		return BuildCheck{}, err
	}
	baseHash, err := parseCommitArg("base", base)
	if err != nil {
		return BuildCheck{}, err
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return BuildCheck{}, err
	}
	defer done()
	missing, err := repo.ensure(ctx, ref, headHash, baseHash)
	if err != nil {
		return BuildCheck{}, err
	}
	for _, h := range missing {
		if h == headHash {
			return BuildCheck{}, upstreamError(project, "build check", fmt.Errorf("commit %s not found upstream", h))
		}
	}
	bc, err := CheckBuild(ctx, repo.st, baseHash, headHash, in, RangeLimits{})
	if err != nil {
		return BuildCheck{}, upstreamError(project, "build check", err)
	}
	return bc, nil
}
