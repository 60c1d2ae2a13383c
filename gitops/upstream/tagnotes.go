package upstream

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/mcp-registry/updater/gitops/internal/retry"
)

// TagNote is one release a tag bump crosses: its tag and, for an
// annotated tag, its message (untrusted upstream text).
type TagNote struct {
	Tag     string // short name, e.g. v1.2.0
	Commit  string
	Message string // "" for a lightweight tag
}

// ReleaseNotes is what TagNotes found: the newest releases first, at most
// the cap asked for, and how many there were in all.
type ReleaseNotes struct {
	Notes []TagNote
	Total int
}

// TagNotes lists the releases after fromTag up to and including toTag,
// newest first: the upstream's tags that are versions of the same family
// (semantic or calendar) between the two, prereleases only when toTag is
// one, as SelectRef picks them. Their tag objects are fetched into the
// cache (nothing else) and each annotated tag's message is returned, at
// most max of them (0: no cap). Tags may be names with or without
// "refs/tags/".
func (c *Cache) TagNotes(ctx context.Context, project, fromTag, toTag string, max int) (ReleaseNotes, error) {
	from, ok1 := parseTagVersion(strings.TrimPrefix(fromTag, "refs/tags/"))
	to, ok2 := parseTagVersion(strings.TrimPrefix(toTag, "refs/tags/"))
	if !ok1 || !ok2 {
		return ReleaseNotes{}, fmt.Errorf("tag notes: %q and %q must both be version tags", fromTag, toTag)
	}
	repo, done, err := c.open(ctx, project)
	if err != nil {
		return ReleaseNotes{}, err
	}
	defer done()
	ctx, cancel := context.WithTimeout(ctx, c.opts.FetchTimeout)
	defer cancel()
	defer repo.removeTempPacks()

	var out ReleaseNotes
	err = retry.Retry(ctx, *c.opts.Retry, func(ctx context.Context) error {
		fs, err := openFetch(ctx, repo.ep, c.uploadPackLimits())
		if err != nil {
			return err
		}
		defer fs.Close()
		type release struct {
			v           tagVersion
			obj, commit plumbing.Hash
		}
		var found []release
		for name, h := range fs.adv.References {
			short, ok := strings.CutPrefix(name, "refs/tags/")
			if !ok {
				continue
			}
			v, ok := parseTagVersion(short)
			if !ok || v.calendar() != to.calendar() || (v.prerelease() && !to.prerelease()) ||
				compareVersions(v, from) <= 0 || compareVersions(v, to) > 0 {
				continue
			}
			r := release{v: v, commit: h}
			if peeled, ok := fs.adv.Peeled[name]; ok {
				r.obj, r.commit = h, peeled
			}
			found = append(found, r)
		}
		sort.Slice(found, func(i, j int) bool {
			if c := compareVersions(found[i].v, found[j].v); c != 0 {
				return c > 0
			}
			return found[i].v.name < found[j].v.name
		})
		out = ReleaseNotes{Total: len(found)}
		if max > 0 && len(found) > max {
			found = found[:max]
		}
		var wants []plumbing.Hash
		for _, r := range found {
			if !r.obj.IsZero() && !hasObject(repo.st, r.obj) {
				wants = append(wants, r.obj)
			}
		}
		if len(wants) > 0 {
			haves, err := localHaves(repo.st)
			if err != nil {
				return retry.Permanent(err)
			}
			if err := fs.fetch(ctx, repo.st, wants, haves, c.fetchLimits()); err != nil {
				return err
			}
		}
		for _, r := range found {
			n := TagNote{Tag: r.v.name, Commit: r.commit.String()}
			if !r.obj.IsZero() {
				tag, err := object.GetTag(repo.st, r.obj)
				if err != nil && !errors.Is(err, plumbing.ErrObjectNotFound) {
					return retry.Permanent(err)
				}
				if tag != nil {
					n.Message = tag.Message
				}
			}
			out.Notes = append(out.Notes, n)
		}
		return nil
	})
	if err != nil {
		return ReleaseNotes{}, upstreamError(project, "tag notes", err)
	}
	return out, nil
}

// GitHubRepo splits an upstream's https://<host>/owner/repo URL into owner
// and repo when host (a GitHub web host) serves it.
func GitHubRepo(project, host string) (owner, repo string, ok bool) {
	return githubRepo(project, host)
}
