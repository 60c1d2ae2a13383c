package upstream

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/utils/merkletrie"
)

// Rename and copy detection for ranges, as git diff -M -C does it: a
// file moved or copied is compared with its previous version, so a
// restructuring release that moves a directory shows what changed in the
// files, not every file deleted and added again.
//
// A deleted and an added file are one move when their contents are
// identical, or when they share a base name and at least half of their
// lines (git's default similarity threshold). An added file whose
// contents equal a deleted or modified file's old contents is a copy of
// it. Cost stays bounded: exact matches go by blob hash, and inexact ones
// only compare files of the same name, at most maxRenameCompares times.

const (
	// renameSimilarity is the share of lines two files must have in
	// common (percent) to be one file moved.
	renameSimilarity = 50
	// maxRenameCompares bounds the content comparisons of one range,
	// maxRenameCandidates those of one added file, and maxRenameBytes
	// the contents read for them: a hostile tree of many same-named
	// files costs no more than an ordinary range.
	maxRenameCompares   = 2000
	maxRenameCandidates = 8
	maxRenameBytes      = 16 << 20
)

// pairRenames folds each detected move (a Delete and an Insert) into one
// Modify carrying oldPath, and marks copies (an Insert with from and
// oldPath set). Other changes are returned as they are.
func pairRenames(ctx context.Context, st storer.EncodedObjectStorer, changes []treeChange, limits RangeLimits) ([]treeChange, error) {
	var deleted, added []int
	sources := map[plumbing.Hash]int{} // old blob -> index of a deleted or modified change
	for i, ch := range changes {
		switch ch.action {
		case merkletrie.Delete:
			if renameable(ch.from.Mode) {
				deleted = append(deleted, i)
				if _, ok := sources[ch.from.Hash]; !ok {
					sources[ch.from.Hash] = i
				}
			}
		case merkletrie.Insert:
			if renameable(ch.to.Mode) {
				added = append(added, i)
			}
		default:
			if renameable(ch.from.Mode) {
				if _, ok := sources[ch.from.Hash]; !ok {
					sources[ch.from.Hash] = i
				}
			}
		}
	}
	if len(added) == 0 {
		return changes, nil
	}
	paired := map[int]int{} // added index -> deleted index
	used := map[int]bool{}  // deleted indexes taken

	// Exact moves: same blob; files keeping their base name first, so a
	// copy under another name does not take the move's place. Each
	// queue is consumed from the front: linear in the number of files.
	type exactKey struct {
		hash plumbing.Hash
		name string // "" in the second round: any name
	}
	queues := map[exactKey][]int{}
	for _, d := range deleted {
		h := changes[d].from.Hash
		queues[exactKey{h, path.Base(changes[d].path)}] = append(queues[exactKey{h, path.Base(changes[d].path)}], d)
		queues[exactKey{h, ""}] = append(queues[exactKey{h, ""}], d)
	}
	for _, sameName := range []bool{true, false} {
		for _, a := range added {
			if _, ok := paired[a]; ok {
				continue
			}
			k := exactKey{hash: changes[a].to.Hash}
			if sameName {
				k.name = path.Base(changes[a].path)
			}
			q := queues[k]
			for len(q) > 0 && used[q[0]] {
				q = q[1:]
			}
			if len(q) > 0 {
				paired[a], used[q[0]] = q[0], true
				q = q[1:]
			}
			queues[k] = q
		}
	}

	// Inexact moves: same base name, similar lines.
	byName := map[string][]int{}
	for _, d := range deleted {
		if !used[d] {
			name := path.Base(changes[d].path)
			byName[name] = append(byName[name], d)
		}
	}
	lines := &lineCache{st: st, max: limits.MaxFileBytes, budget: maxRenameBytes, sets: map[plumbing.Hash]map[string]int{}}
	compares := 0
	for _, a := range added {
		if _, ok := paired[a]; ok {
			continue
		}
		if compares >= maxRenameCompares {
			break
		}
		name := path.Base(changes[a].path)
		cands := byName[name]
		for len(cands) > 0 && used[cands[0]] {
			cands = cands[1:]
		}
		byName[name] = cands
		best, bestScore := -1, renameSimilarity-1
		for i, d := range cands {
			if i == maxRenameCandidates || compares >= maxRenameCompares {
				break
			}
			if used[d] {
				continue
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			compares++
			score, err := lines.similarity(changes[d].from.Hash, changes[a].to.Hash)
			if err != nil {
				return nil, err
			}
			if score > bestScore {
				best, bestScore = d, score
			}
		}
		if best >= 0 {
			paired[a], used[best] = best, true
		}
	}

	out := make([]treeChange, 0, len(changes)-len(paired))
	for i, ch := range changes {
		if used[i] {
			continue // folded into its move
		}
		if d, ok := paired[i]; ok {
			ch.action = merkletrie.Modify
			ch.from = changes[d].from
			ch.oldPath = changes[d].path
		} else if ch.action == merkletrie.Insert && renameable(ch.to.Mode) {
			if src, ok := sources[ch.to.Hash]; ok {
				ch.from = changes[src].from
				ch.oldPath = changes[src].path
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// renameable: regular files, executables and symlinks move; submodules
// and trees do not.
func renameable(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Deprecated || m == filemode.Executable || m == filemode.Symlink
}

// lineCache reads blobs (up to max bytes, text only) as line multisets.
type lineCache struct {
	st     storer.EncodedObjectStorer
	max    int64 // per blob
	budget int64 // bytes left to read in all
	sets   map[plumbing.Hash]map[string]int
}

func (c *lineCache) lines(h plumbing.Hash) (map[string]int, error) {
	if set, ok := c.sets[h]; ok {
		return set, nil
	}
	var set map[string]int // nil: unreadable, too large or binary
	size, err := c.st.EncodedObjectSize(h)
	if err == nil && size <= c.max && size <= c.budget {
		c.budget -= size
		data, err := readBlob(c.st, h, c.max+1)
		if err != nil {
			return nil, err
		}
		if !isBinary(data) && len(data) > 0 {
			set = map[string]int{}
			for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
				set[strings.TrimSpace(l)]++
			}
		}
	}
	c.sets[h] = set
	return set, nil
}

// similarity is the percentage of lines the two blobs share (0 when
// either cannot be compared).
func (c *lineCache) similarity(a, b plumbing.Hash) (int, error) {
	la, err := c.lines(a)
	if err != nil || la == nil {
		return 0, err
	}
	lb, err := c.lines(b)
	if err != nil || lb == nil {
		return 0, err
	}
	na, nb, common := 0, 0, 0
	for l, n := range la {
		na += n
		common += min(n, lb[l])
	}
	for _, n := range lb {
		nb += n
	}
	return 200 * common / (na + nb), nil
}

// movedPaths lists, sorted, the old and new paths of the moves among
// changes (for directory move detection).
func movedPaths(changes []treeChange) [][2]string {
	var out [][2]string
	for _, ch := range changes {
		if ch.oldPath != "" && ch.action == merkletrie.Modify {
			out = append(out, [2]string{ch.oldPath, ch.path})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
