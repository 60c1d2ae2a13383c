package ranges

import "time"

// Range is what changed upstream between the pinned commit (Base) and the
// proposed one (Head). The PR body shows it to reviewers and the
// differential review reads it; it is computed once per bump.
type Range struct {
	Project   string
	Directory string // source.directory; "" means the whole repository
	Base      string // the current pin
	Head      string // the proposed pin

	// BaseFound is false when the old pin no longer exists upstream.
	BaseFound bool
	// Ancestor is true when Base is an ancestor of Head. BaseFound and not
	// Ancestor means the upstream history was rewritten (force-push).
	Ancestor bool
	// Release is true when the range follows a tag. Releases may be cut
	// off the branch, so a Base that is not an ancestor is no rewrite:
	// MergeBase is then the newest common ancestor of Base and Head,
	// Commits are those of MergeBase..Head, and Files the tree diff
	// MergeBase->Head. MergeBase is "" when Base is an ancestor, or for a
	// release sharing no history with Base.
	Release   bool
	MergeBase string
	// Full marks a full review of the code at Head (a new server, a
	// changed project, the audit): Base is "", Files are every file of
	// Head's tree as added, and there are no commits or authors.
	// BaseFound and Ancestor are true: nothing is missing or rewritten.
	Full bool

	// Commits are those reachable from Head and not from Base, newest
	// first, at most the configured cap; TotalCommits counts all of them.
	Commits      []Commit
	TotalCommits int
	// NewAuthors are the author emails of commits in the range never seen
	// at or before Base (first-time contributors), sorted. Only commits
	// that change something under Directory count: an author elsewhere in
	// a monorepo is not the server's contributor.
	NewAuthors []string
	// SignedBefore of HistoryBefore commits just before Base (Base
	// included, at most 50) carry a signature: the review calls unsigned
	// commits a change only where signing was the habit.
	SignedBefore, HistoryBefore int
	// BaseSigned says whether the Base commit carries a signature, so the
	// review can notice signing stopping.
	BaseSigned bool

	// Files changed between Base and Head (tree diff), sorted by path.
	Files []FileChange
	// Skipped lists what the size, count and time caps left out; the
	// review reports each as a finding rather than passing silently.
	Skipped []Skip

	// Dockerfile is the server's Dockerfile at both ends of the range, so
	// the review can follow what the build reads from its context
	// (Directory); nil when there is none at either end.
	Dockerfile *BuildFile
}

// BuildFile is a build definition read at both ends of a range, whether
// or not it changed. Old is from the base side (the merge base of a
// release off the line; nil for a full review), New from Head; each is
// nil where the file is absent or past the per-file cap (TooBig says so).
type BuildFile struct {
	Path     string
	Old, New []byte
	TooBig   bool
}

// Comparable reports whether Commits and Files describe the change from
// the old pin: Head descends from Base, or is a release off the old pin's
// line compared through their merge base.
func (r *Range) Comparable() bool { return r.BaseFound && (r.Ancestor || r.MergeBase != "") }

// OffLine reports whether Head is a release off the old pin's line.
func (r *Range) OffLine() bool { return r.BaseFound && !r.Ancestor && r.MergeBase != "" }

// Commit is one upstream commit in a range.
type Commit struct {
	SHA         string
	Subject     string
	AuthorName  string
	AuthorEmail string
	When        time.Time // committer time
	Signed      bool      // has a PGP/SSH signature (not verified)
}

// FileStatus is how a file changed between Base and Head.
type FileStatus string

const (
	FileAdded    FileStatus = "added"
	FileModified FileStatus = "modified"
	FileDeleted  FileStatus = "deleted"
)

// FileChange is one changed path between Base and Head.
type FileChange struct {
	Path string
	// OldPath is the path the file had at Base when it was moved there
	// (Status FileModified) or copied from there (Status FileAdded); ""
	// otherwise. Old, RemovedLines and OldSize then describe that file,
	// so a moved file shows only what changed in it.
	OldPath     string
	Status      FileStatus
	InDirectory bool   // under source.directory (always true when Directory is "")
	Mode        string // "", "executable", "symlink" or "submodule" (of the new side, or old for deletions)
	Binary      bool

	Added, Removed int // line counts; 0 for binary files

	// AddedLines are the lines added, numbered as in the new file;
	// RemovedLines the lines removed, numbered as in the old file. Capped:
	// a file past the per-file cap has none and a Skip says so.
	AddedLines   []Line
	RemovedLines []Line

	// Old and New are the whole contents where within the per-file cap and
	// not binary; nil otherwise. Rules that parse manifests use them.
	Old, New         []byte
	OldSize, NewSize int64
}

// Line is one line of a file and its 1-based number.
type Line struct {
	No   int
	Text string
}

// Skip records something a cap left out of the range, and why.
type Skip struct {
	Path   string // "" when it is about the range as a whole
	Reason string
}
