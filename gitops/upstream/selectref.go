package upstream

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mcp-registry/updater/registry/valid"
)

// RefKind says what a server's source.branch follows.
type RefKind string

const (
	KindBranch        RefKind = "branch"         // a named branch
	KindDefaultBranch RefKind = "default-branch" // no branch given: the upstream's HEAD
	KindTag           RefKind = "tag"            // a release tag: follow the newest release
)

// Resolution is where a server's pin should point now.
type Resolution struct {
	Kind RefKind
	// Ref is the full ref followed now ("refs/heads/main",
	// "refs/tags/v1.3.0"), for the cache to fetch exactly that. It is
	// "HEAD" when the default branch was resolved through the GitHub API,
	// which does not say which branch HEAD is.
	Ref string
	// Commit is the commit Ref points at (tags peeled); "" when Frozen.
	Commit string
	// Branch is the value source.branch must take, or "" to leave the
	// field as it is. Set only when a tag-tracking server moves to a newer
	// tag, in the style of the current value ("v1.3.0" or
	// "refs/tags/v1.3.0").
	Branch string
	// PinnedTagCommit is, for a server following a tag, the commit the
	// tag source.branch names points at now (peeled), whether or not a
	// newer tag is followed. It differs from source.commit when that tag
	// was moved upstream (deleted and recreated elsewhere): only a commit
	// hash is immutable. "" for branches.
	PinnedTagCommit string
	// Frozen, when not empty, says why no bump can be planned.
	Frozen string
	// NewestRelease is, for a frozen server, the upstream's newest stable
	// version tag ("v1.4.0"), when the listing has one: where a
	// maintainer could move it by hand.
	NewestRelease string
	// Via is how the upstream was asked: "git" or "api"; "" when no
	// question was needed (a pull-request ref is frozen as it is).
	Via string
}

// Frozen reasons are stable texts the report shows.
const (
	frozenPullRequest   = "follows pull request ref %s"
	frozenGone          = "ref %s no longer exists upstream"
	frozenOtherRef      = "follows ref %s, which is neither a branch nor a tag"
	frozenHeadElsewhere = "the upstream's HEAD points at %s, not at a branch"
)

// ErrNoDefaultBranch means the upstream did not say which branch its HEAD
// points at (or HEAD points at a branch with no commits), and the server
// has no source.branch to fall back on.
var ErrNoDefaultBranch = errors.New("upstream does not advertise a default branch (HEAD)")

// followed is what source.branch names, before tags are promoted.
type followed struct {
	kind   RefKind
	ref    string // full ref name
	frozen string
}

// isPullRequestRef matches GitHub's refs/pull/N/{head,merge} and GitLab's
// refs/merge-requests/N/head: proposals, never something to pin to.
func isPullRequestRef(branch string) bool {
	return strings.HasPrefix(branch, "refs/pull/") || strings.HasPrefix(branch, "refs/merge-requests/")
}

// looksLikeTag reports whether source.branch names a tag by its shape
// alone (refs/tags/..., or a version such as v1.2.3 or 2025.4.24), which
// is what the resolver can tell without listing refs.
func looksLikeTag(branch string) bool {
	if strings.HasPrefix(branch, "refs/tags/") {
		return true
	}
	_, ok := parseTagVersion(branch)
	return ok
}

// validateBranch rejects source.branch values that are no ref names at
// all (control characters, "..", "~", ...): they come from a registry file
// and end up in URLs and API paths.
func validateBranch(branch string) error {
	if !valid.RefName(branch) {
		return fmt.Errorf("source.branch %q is not a valid git ref name", printableText(branch, 200))
	}
	return nil
}

// followRef decides which ref source.branch names in this listing. A short
// name is a branch when refs/heads/<name> exists, else a tag when
// refs/tags/<name> does (git clone --branch looks in the same order).
func followRef(refs *Refs, branch string) (followed, error) {
	if branch == "" {
		if refs.Head == "" {
			return followed{}, ErrNoDefaultBranch
		}
		// A HEAD aimed at a proposal or another namespace is no default
		// branch: frozen, as source.branch naming the same ref would be.
		switch {
		case isPullRequestRef(refs.Head):
			return followed{kind: KindDefaultBranch, ref: refs.Head, frozen: fmt.Sprintf(frozenPullRequest, refs.Head)}, nil
		case !strings.HasPrefix(refs.Head, "refs/heads/"):
			return followed{kind: KindDefaultBranch, ref: refs.Head, frozen: fmt.Sprintf(frozenHeadElsewhere, refs.Head)}, nil
		}
		if _, ok := refs.Refs[refs.Head]; !ok {
			return followed{}, fmt.Errorf("%w: HEAD points at %s, which has no commits", ErrNoDefaultBranch, refs.Head)
		}
		return followed{kind: KindDefaultBranch, ref: refs.Head}, nil
	}
	if err := validateBranch(branch); err != nil {
		return followed{}, err
	}
	if isPullRequestRef(branch) {
		return followed{kind: KindBranch, ref: branch, frozen: fmt.Sprintf(frozenPullRequest, branch)}, nil
	}
	var f followed
	switch {
	case strings.HasPrefix(branch, "refs/heads/"):
		f = followed{kind: KindBranch, ref: branch}
	case strings.HasPrefix(branch, "refs/tags/"):
		f = followed{kind: KindTag, ref: branch}
	case strings.HasPrefix(branch, "refs/"):
		return followed{kind: KindBranch, ref: branch, frozen: fmt.Sprintf(frozenOtherRef, branch)}, nil
	default:
		f = followed{kind: KindBranch, ref: "refs/heads/" + branch}
		if _, ok := refs.Refs[f.ref]; !ok {
			if _, ok := refs.Refs["refs/tags/"+branch]; ok || looksLikeTag(branch) {
				f = followed{kind: KindTag, ref: "refs/tags/" + branch}
			}
		}
	}
	if _, ok := refs.Refs[f.ref]; !ok {
		f.frozen = fmt.Sprintf(frozenGone, branch)
	}
	return f, nil
}

// SelectRef decides, from an upstream's listing and a server's
// source.branch, what the pin should follow and where that points now.
// It does no I/O. Errors are for listings it cannot decide on (no default
// branch advertised) and invalid branch values; everything a server can
// simply not be bumped for is a Resolution with Frozen set.
func SelectRef(refs *Refs, branch string) (Resolution, error) {
	if refs == nil {
		return Resolution{}, errors.New("no ref listing")
	}
	f, err := followRef(refs, branch)
	if err != nil {
		return Resolution{}, err
	}
	if f.frozen != "" {
		res := Resolution{Kind: f.kind, Ref: f.ref, Frozen: f.frozen}
		if newest, ok := newestRelease(refs, tagVersion{nums: []int{0}}); ok { // any stable semantic version
			res.NewestRelease = newest.name
		}
		return res, nil
	}
	res := Resolution{Kind: f.kind, Ref: f.ref, Commit: refs.Refs[f.ref]}
	if f.kind != KindTag {
		return res, nil
	}
	res.PinnedTagCommit = res.Commit
	current, ok := parseTagVersion(strings.TrimPrefix(f.ref, "refs/tags/"))
	if !ok {
		// A tag that is not a version ("stable") is followed as it is.
		return res, nil
	}
	newest, ok := newestRelease(refs, current)
	if !ok || compareVersions(newest, current) <= 0 {
		return res, nil
	}
	res.Ref = "refs/tags/" + newest.name
	res.Commit = refs.Refs[res.Ref]
	res.Branch = newest.name
	if strings.HasPrefix(branch, "refs/tags/") {
		res.Branch = res.Ref
	}
	return res, nil
}

// newestRelease is the highest version among the listing's tags that may
// replace current: of the same family (calendar or semantic) and not a
// prerelease unless current is one. Equal versions spelled differently
// ("v1.2.0", "1.2.0", "1.2") prefer current's spelling, then the
// shortest, then byte order, so the choice never depends on map order.
func newestRelease(refs *Refs, current tagVersion) (tagVersion, bool) {
	var best tagVersion
	found := false
	for name := range refs.Refs {
		short, ok := strings.CutPrefix(name, "refs/tags/")
		if !ok {
			continue
		}
		v, ok := parseTagVersion(short)
		if !ok || v.calendar() != current.calendar() || (v.prerelease() && !current.prerelease()) {
			continue
		}
		if !found || betterRelease(v, best, current) {
			best, found = v, true
		}
	}
	return best, found
}

func betterRelease(v, best, current tagVersion) bool {
	if c := compareVersions(v, best); c != 0 {
		return c > 0
	}
	if vs, bs := v.vPrefix == current.vPrefix, best.vPrefix == current.vPrefix; vs != bs {
		return vs
	}
	if len(v.name) != len(best.name) {
		return len(v.name) < len(best.name)
	}
	return v.name < best.name
}
