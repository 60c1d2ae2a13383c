package upstream

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/mcp-registry/updater/gitops/internal/truncate"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// RangeLimits bounds the work and memory of one range. Whatever a limit
// leaves out is listed in Range.Skipped. Zero fields take the defaults.
type RangeLimits struct {
	MaxCommits       int           // commits listed (default 2,000); TotalCommits counts all
	MaxWalk          int           // commits the ancestry walk may visit (default 100,000)
	MaxAuthorHistory int           // commits before Base searched for known authors (default 10,000)
	MaxFiles         int           // changed files inspected (default 5,000)
	MaxFileBytes     int64         // per file and side (default 1 MiB)
	MaxTotalBytes    int64         // all contents read (default 64 MiB)
	DiffTimeout      time.Duration // line diff of one file; past it the diff is coarser (default 2s)
}

// DefaultRangeLimits are the limits a zero RangeLimits stands for.
func DefaultRangeLimits() RangeLimits {
	return RangeLimits{
		MaxCommits:       2000,
		MaxWalk:          100_000,
		MaxAuthorHistory: 10_000,
		MaxFiles:         5000,
		MaxFileBytes:     1 << 20,
		MaxTotalBytes:    64 << 20,
		DiffTimeout:      2 * time.Second,
	}
}

func (l RangeLimits) withDefaults() RangeLimits {
	d := DefaultRangeLimits()
	if l.MaxCommits <= 0 {
		l.MaxCommits = d.MaxCommits
	}
	if l.MaxWalk <= 0 {
		l.MaxWalk = d.MaxWalk
	}
	if l.MaxAuthorHistory <= 0 {
		l.MaxAuthorHistory = d.MaxAuthorHistory
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.DiffTimeout <= 0 {
		l.DiffTimeout = d.DiffTimeout
	}
	return l
}

// maxSubjectBytes bounds a commit subject kept in a Range (they end up
// in PR bodies).
const maxSubjectBytes = 256

// RangeQuery names the range to compute and bounds the work.
type RangeQuery struct {
	Project   string // for the Range and for error messages
	Ref       string // the Resolution's Ref (full ref, or "HEAD"): what Cache.Range fetches
	Directory string // source.directory; "" or "." for the whole repository
	Base      string // the current pin
	Head      string // the proposed pin
	Limits    RangeLimits
	// Release: the range follows a tag (see Range.Release).
	Release bool
	// Dockerfile is source.dockerfile ("" for the directory's Dockerfile).
	Dockerfile string
}

// ComputeRange computes the facts of Base..Head from objects already in
// st (Cache.Range fetches them first). Head must be present.
//
// When Base is absent (BaseFound false: the old pin is gone upstream),
// there is nothing to compare against, and the Range says only that: no
// commits, no files, and a Skip explaining why. Listing Head's recent
// history or its whole tree instead would read as a range it is not; the
// review blocks such a bump anyway. When Base is present but not an
// ancestor (history rewritten), Commits are those reachable from Head and
// not from Base (git log Base..Head) and Files the tree diff Base->Head.
func ComputeRange(ctx context.Context, st storer.EncodedObjectStorer, q RangeQuery) (*ranges.Range, error) {
	limits := q.Limits.withDefaults()
	head, err := parseCommitArg("head", q.Head)
	if err != nil {
		return nil, err
	}
	base, err := parseCommitArg("base", q.Base)
	if err != nil {
		return nil, err
	}
	dir := normalizeDirectory(q.Directory)
	r := &ranges.Range{Project: q.Project, Directory: dir, Base: base.String(), Head: head.String(), Release: q.Release}
	headCommit, err := object.GetCommit(st, head)
	if err != nil {
		return nil, fmt.Errorf("head commit %s: %w", head, err)
	}
	baseCommit, err := object.GetCommit(st, base)
	if err != nil {
		r.Skipped = append(r.Skipped, ranges.Skip{Reason: fmt.Sprintf(
			"base commit %s not found upstream: no commit list or file changes can be computed", base)})
		return r, nil
	}
	r.BaseFound = true
	r.BaseSigned = baseCommit.PGPSignature != ""

	walk, err := walkRange(ctx, st, head, base, limits.MaxWalk)
	if err != nil {
		return nil, fmt.Errorf("walk %s..%s: %w", base, head, err)
	}
	r.Ancestor = walk.ancestor
	if walk.truncated {
		r.Skipped = append(r.Skipped, ranges.Skip{Reason: fmt.Sprintf(
			"history walk stopped after %d commits: commit list partial, ancestry of the base unknown", limits.MaxWalk)})
	}
	sortNewestFirst(walk.inRange)
	r.TotalCommits = len(walk.inRange)
	for i, c := range walk.inRange {
		if i == limits.MaxCommits {
			r.Skipped = append(r.Skipped, ranges.Skip{Reason: fmt.Sprintf(
				"commit list capped at %d of %d commits", limits.MaxCommits, r.TotalCommits)})
			break
		}
		r.Commits = append(r.Commits, commitFacts(c))
	}

	history, authorSkip, err := historyFacts(ctx, st, baseCommit, walk.inRange, dir, limits.MaxAuthorHistory)
	if err != nil {
		return nil, err
	}
	r.NewAuthors = history.emails
	r.SignedBefore, r.HistoryBefore = history.signed, history.checked
	if authorSkip != nil {
		r.Skipped = append(r.Skipped, *authorSkip)
	}

	from := baseCommit
	if q.Release && !r.Ancestor && !walk.truncated {
		mb, err := releaseMergeBase(baseCommit, headCommit)
		if err != nil {
			return nil, fmt.Errorf("merge base of %s and %s: %w", base, head, err)
		}
		if mb != nil {
			r.MergeBase = mb.Hash.String()
			from = mb
		}
	}
	baseTree, err := from.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", from.Hash, err)
	}
	headTree, err := headCommit.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of head %s: %w", head, err)
	}
	files, skipped, err := diffFiles(ctx, st, baseTree, headTree, dir, limits)
	if err != nil {
		return nil, err
	}
	r.Files = files
	r.Skipped = append(r.Skipped, skipped...)
	r.Dockerfile = readDockerfile(baseTree, headTree, dir, q.Dockerfile, limits.MaxFileBytes)
	return r, nil
}

// releaseMergeBase is the newest merge base of a and b (git merge-base
// picks one of several the same way), or nil when they share no history.
func releaseMergeBase(a, b *object.Commit) (*object.Commit, error) {
	bases, err := a.MergeBase(b)
	if err != nil || len(bases) == 0 {
		return nil, err
	}
	sortNewestFirst(bases)
	return bases[0], nil
}

// normalizeDirectory turns source.directory into a clean relative path
// ("" for the whole repository). A value escaping the repository ("../x")
// matches nothing.
func normalizeDirectory(dir string) string {
	dir = strings.Trim(path.Clean("/"+strings.TrimSpace(dir)), "/")
	if dir == "." {
		return ""
	}
	return dir
}

// inDirectory reports whether p lies under dir ("" holds everything).
func inDirectory(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

func sortNewestFirst(cs []*object.Commit) {
	sort.Slice(cs, func(i, j int) bool {
		ti, tj := cs[i].Committer.When, cs[j].Committer.When
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return bytes.Compare(cs[i].Hash[:], cs[j].Hash[:]) < 0
	})
}

func commitFacts(c *object.Commit) ranges.Commit {
	subject, _, _ := strings.Cut(c.Message, "\n")
	return ranges.Commit{
		SHA:         c.Hash.String(),
		Subject:     truncate.UTF8(strings.TrimSpace(subject), maxSubjectBytes),
		AuthorName:  truncate.UTF8(c.Author.Name, maxSubjectBytes),
		AuthorEmail: truncate.UTF8(c.Author.Email, maxSubjectBytes),
		When:        c.Committer.When,
		Signed:      c.PGPSignature != "",
	}
}

// historyBefore is what the commits before the base say about the range:
// its first-time authors and the project's signing habit.
type historyBefore struct {
	emails          []string
	signed, checked int
}

// historyFacts returns the author emails of range commits touching dir
// never seen in the last maxHistory commits at or before base, sorted,
// and how many of the signingWindow commits at or before base are signed.
// When the history is longer, an author seen only earlier may be reported
// as new; a Skip says so.
func historyFacts(ctx context.Context, st storer.EncodedObjectStorer, base *object.Commit, inRange []*object.Commit, dir string, maxHistory int) (historyBefore, *ranges.Skip, error) {
	var h historyBefore
	known := map[string]bool{}
	seen := map[plumbing.Hash]bool{}
	iter := object.NewCommitIterCTime(base, seen, nil)
	defer iter.Close()
	var skip *ranges.Skip
	n := 0
	for {
		c, err := iter.Next()
		if err != nil {
			break // io.EOF, or history cut short: what we saw is what we know
		}
		if n++; n > maxHistory {
			skip = &ranges.Skip{Reason: fmt.Sprintf(
				"first-time authors checked against the %d commits before the base only", maxHistory)}
			break
		}
		if n%256 == 0 && ctx.Err() != nil {
			return h, nil, ctx.Err()
		}
		known[normalizeEmail(c.Author.Email)] = true
		if n <= signingWindow {
			h.checked++
			if c.PGPSignature != "" {
				h.signed++
			}
		}
	}
	added := map[string]bool{}
	for _, c := range inRange {
		e := normalizeEmail(c.Author.Email)
		if !known[e] && !added[e] && touchesDirectory(c, dir) {
			added[e] = true
			h.emails = append(h.emails, truncate.UTF8(e, maxSubjectBytes))
		}
	}
	sort.Strings(h.emails)
	return h, skip, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// Range computes the facts of q.Base..q.Head for q.Project, fetching
// q.Ref into the cache as needed, and the old pin by SHA when the ref's
// history lacks it.
func (c *Cache) Range(ctx context.Context, q RangeQuery) (*ranges.Range, error) {
	baseHash, err := parseCommitArg("base", q.Base)
	if err != nil {
		return nil, err
	}
	// A base missing upstream is a fact of the range (BaseFound), not an error.
	return c.computeAt(ctx, q, "range", ComputeRange, baseHash)
}

// computeAt fetches q.Head (and also) into the cache and computes what
// compute makes of it: the one path of Range and FullRange. Only a head
// missing upstream is an error.
func (c *Cache) computeAt(ctx context.Context, q RangeQuery, what string,
	compute func(context.Context, storer.EncodedObjectStorer, RangeQuery) (*ranges.Range, error), also ...plumbing.Hash) (*ranges.Range, error) {
	project := q.Project
	headHash, err := parseCommitArg("head", q.Head)
	if err != nil {
		return nil, err
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return nil, err
	}
	defer done()
	missing, err := repo.ensure(ctx, q.Ref, append([]plumbing.Hash{headHash}, also...)...)
	if err != nil {
		return nil, err
	}
	for _, h := range missing {
		if h == headHash {
			return nil, upstreamError(project, what, fmt.Errorf("head commit %s not found upstream", h))
		}
	}
	q.Project = RedactURL(project)
	q.Release = strings.HasPrefix(q.Ref, "refs/tags/")
	r, err := compute(ctx, repo.st, q)
	if err != nil {
		return nil, upstreamError(project, what, err)
	}
	return r, nil
}
