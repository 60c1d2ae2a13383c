package upstream

import (
	"bytes"
	"container/heap"
	"context"
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The ancestry walk behind ranges and pin checks: which commits are
// reachable from head and not from base (git rev-list base..head), and is
// base an ancestor of head. Both sides are painted at once, newest commit
// first, and the walk stops when every commit still queued is reachable
// from base: nothing older can be new. Cost is the size of the range plus
// the width of the graph, not the length of the history.

type paint uint8

const (
	fromHead paint = 1 << iota
	fromBase
)

// walkSlop is how many commits the walk goes on after it could stop, to
// correct the paint where committer clocks were skewed (git uses the same
// idea).
const walkSlop = 5

type walkNode struct {
	commit *object.Commit
	paint  paint
	queued bool
	index  int // in the heap
}

type walkResult struct {
	inRange   []*object.Commit // reachable from head, not from base; unordered
	ancestor  bool             // base reachable from head
	truncated bool             // stopped at maxVisit: inRange is partial, ancestor unknown
}

// walkRange paints from head and base (base may be zero: then every
// commit reachable from head is in range, up to maxVisit).
func walkRange(ctx context.Context, st storer.EncodedObjectStorer, head, base plumbing.Hash, maxVisit int) (walkResult, error) {
	w := &walker{st: st, nodes: map[plumbing.Hash]*walkNode{}}
	if err := w.add(head, fromHead); err != nil {
		return walkResult{}, err
	}
	if !base.IsZero() {
		if err := w.add(base, fromBase); err != nil {
			return walkResult{}, err
		}
	}
	var res walkResult
	slop := walkSlop
	visited := 0
	for w.queue.Len() > 0 {
		if visited%256 == 0 && ctx.Err() != nil {
			return walkResult{}, ctx.Err()
		}
		if w.onlyBaseQueued() {
			if slop == 0 {
				break
			}
			slop--
		} else {
			slop = walkSlop
		}
		if visited >= maxVisit {
			res.truncated = true
			break
		}
		n := heap.Pop(&w.queue).(*walkNode)
		n.queued = false
		visited++
		for _, p := range n.commit.ParentHashes {
			if err := w.add(p, n.paint); err != nil {
				return walkResult{}, err
			}
		}
	}
	for _, n := range w.nodes {
		if n.paint == fromHead {
			res.inRange = append(res.inRange, n.commit)
		}
	}
	if bn := w.nodes[base]; bn != nil && !base.IsZero() {
		res.ancestor = bn.paint&fromHead != 0
	}
	return res, nil
}

type walker struct {
	st    storer.EncodedObjectStorer
	nodes map[plumbing.Hash]*walkNode
	queue walkQueue
}

// add paints h (loading it on first sight). Paint reaching a commit that
// was already walked is pushed on to its known ancestors, so a late
// discovery that something is reachable from base is not lost. A parent
// missing from the store (history cut short) ends that line of the walk.
func (w *walker) add(h plumbing.Hash, p paint) error {
	n := w.nodes[h]
	if n == nil {
		c, err := object.GetCommit(w.st, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		n = &walkNode{commit: c, paint: p, queued: true}
		w.nodes[h] = n
		heap.Push(&w.queue, n)
		return nil
	}
	if n.paint&p == p {
		return nil
	}
	n.paint |= p
	if n.queued {
		return nil
	}
	// Already walked: spread the new paint to its walked ancestors.
	stack := []*walkNode{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, ph := range cur.commit.ParentHashes {
			pn := w.nodes[ph]
			if pn == nil || pn.paint&p == p {
				continue
			}
			pn.paint |= p
			if !pn.queued {
				stack = append(stack, pn)
			}
		}
	}
	return nil
}

func (w *walker) onlyBaseQueued() bool {
	for _, n := range w.queue {
		if n.paint&fromBase == 0 {
			return false
		}
	}
	return true
}

// walkQueue is a max-heap on committer time (ties by hash, for
// deterministic walks).
type walkQueue []*walkNode

func (q walkQueue) Len() int { return len(q) }
func (q walkQueue) Less(i, j int) bool {
	ti, tj := q[i].commit.Committer.When, q[j].commit.Committer.When
	if !ti.Equal(tj) {
		return ti.After(tj)
	}
	return bytes.Compare(q[i].commit.Hash[:], q[j].commit.Hash[:]) < 0
}
func (q walkQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *walkQueue) Push(x any) {
	n := x.(*walkNode)
	n.index = len(*q)
	*q = append(*q, n)
}
func (q *walkQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}
