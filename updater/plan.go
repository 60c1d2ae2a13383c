package updater

import (
	"fmt"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/review"
)

// plan turns one server's resolution into its decision. Pure: the network
// has already been asked.
func plan(f *registry.File, res upstream.Resolution, resolveErr error) Decision {
	src := f.Server.Source
	d := Decision{
		Server:     f.Name,
		Path:       f.Path,
		Current:    src.Commit,
		project:    src.Project,
		upstream:   src.Upstream,
		directory:  src.Directory,
		dockerfile: src.Dockerfile,
		oldBranch:  src.Branch,
		res:        res,
	}
	switch {
	case resolveErr != nil:
		d.Action = ActionError
		d.Detail = resolveErr.Error()
		return d
	case res.Frozen != "":
		d.Action = ActionFrozen
		d.Ref = res.Ref
		d.Detail = res.Frozen
		return d
	}
	d.Ref = res.Ref
	d.Latest = res.Commit
	if res.Branch != "" && res.Branch != src.Branch {
		d.Branch = res.Branch
	}
	if res.Commit == src.Commit && d.Branch == "" {
		d.Action = ActionUpToDate
		d.Detail = refLabel(res)
		return d
	}
	d.Action = ActionBump
	d.Target = res.Commit
	d.Detail = bumpDetail(d, res)
	if res.PinnedTagCommit != "" && res.PinnedTagCommit != src.Commit {
		// Proposed still, so maintainers see it where they decide: the
		// review of this bump is critical and blocked.
		d.TagMoved = &review.TagMove{Tag: src.Branch, Pinned: src.Commit, Now: res.PinnedTagCommit}
		d.Detail += fmt.Sprintf("; TAG MOVED: %s now points at %s, not the pin %s", src.Branch, short(res.PinnedTagCommit), short(src.Commit))
	}
	return d
}

// applyBuildCheck carries what the new pin holds of the build inputs into
// a bump: a moved directory moves with the pin; missing inputs make the
// server an error, and no PR proposes a commit the registry cannot build.
// Pure.
func applyBuildCheck(d Decision, bc upstream.BuildCheck) Decision {
	if d.Action != ActionBump {
		return d
	}
	if bc.Problem != "" {
		d.Action = ActionError
		d.Detail = fmt.Sprintf("the build would break at %s: %s; no PR proposed", short(d.Target), bc.Problem)
		d.Target = ""
		return d
	}
	d.Directory, d.Dockerfile = bc.Directory, bc.Dockerfile
	if bc.Directory != "" {
		d.Detail += fmt.Sprintf("; source.directory moves %s -> %s", d.directory, bc.Directory)
	}
	if bc.Dockerfile != "" {
		d.Detail += fmt.Sprintf("; source.dockerfile moves %s -> %s", d.dockerfile, bc.Dockerfile)
	}
	return d
}

// refLabel names what the server follows, for people.
func refLabel(res upstream.Resolution) string {
	name := strings.TrimPrefix(strings.TrimPrefix(res.Ref, "refs/heads/"), "refs/tags/")
	switch res.Kind {
	case upstream.KindDefaultBranch:
		if name == "HEAD" { // resolved through the GitHub API, which does not name it
			return "default branch"
		}
		return "default branch " + name
	case upstream.KindTag:
		return "tag " + name
	default:
		return "branch " + name
	}
}

func bumpDetail(d Decision, res upstream.Resolution) string {
	if d.Branch != "" {
		return fmt.Sprintf("tag %s -> %s", d.oldBranch, d.Branch)
	}
	return refLabel(res)
}

// cooldown applies --min-age to a bump: candidate is the newest commit on
// the followed ref at least minAge old ("" when there is none), and
// behindPin says whether that candidate is the pin or older than it.
// The newest upstream commit's time tells when the bump becomes eligible.
// Pure.
func cooldown(d Decision, candidate string, behindPin bool, latestTime time.Time, minAge time.Duration) Decision {
	if d.Action != ActionBump || minAge <= 0 {
		return d
	}
	if candidate == d.Target {
		return d
	}
	if candidate == "" || candidate == d.Current || behindPin {
		until := latestTime.Add(minAge).UTC()
		d.Action = ActionHeld
		d.Target = ""
		d.CoolingUntil = &until
		d.Detail = "cooling down until " + until.Format(time.RFC3339)
		return d
	}
	d.Target = candidate
	d.Detail += fmt.Sprintf(" (newest commit older than %s; %s is cooling down)", minAge, short(d.Latest))
	return d
}

// short abbreviates a SHA for people; full SHAs stay in JSON.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
