package review

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// checkDependencies lists dependencies added, removed and changed in each
// manifest, reports git submodules, and notes lockfile churn as info.
func checkDependencies(r *ranges.Range) []Finding {
	var findings []Finding
	var locks evidence
	for i := range r.Files {
		f := &r.Files[i]
		switch {
		case isLockfile(f.Path):
			locks.add(f.Path)
		case f.Mode == "submodule" && f.Status != ranges.FileDeleted:
			findings = append(findings, Finding{
				Severity:       weigh(r, f, Medium),
				Title:          "Git submodule added or moved",
				Evidence:       []string{f.Path},
				Detail:         "A submodule pulls in code from another repository at a commit this review does not cover.",
				Recommendation: "Review the submodule's repository and commit as you would a new dependency.",
			})
		case manifestKind(f.Path) != "":
			if fd, ok := manifestFinding(r, f); ok {
				findings = append(findings, fd)
			}
		}
	}
	if !locks.empty() {
		findings = append(findings, Finding{
			Severity:       Info,
			Title:          "Lockfiles changed",
			Evidence:       locks.items,
			Detail:         "Resolved versions moved; manifest changes, if any, are reported separately." + locks.note(),
			Recommendation: "Nothing to do unless a manifest finding asks for it.",
		})
	}
	return findings
}

// depDiff is what changed between two dependency sets; each list is sorted.
type depDiff struct {
	added, removed, changed []string // keys
	remote                  []string // added or changed keys whose spec fetches from a URL or VCS
}

func diffDeps(before, after depSet) depDiff {
	var d depDiff
	for k, n := range after {
		o, had := before[k]
		switch {
		case !had:
			d.added = append(d.added, k)
		case o.Spec != n.Spec:
			d.changed = append(d.changed, k)
		default:
			continue
		}
		if isRemoteSpec(n.Spec) && (!had || !isRemoteSpec(o.Spec) || o.Spec != n.Spec) {
			d.remote = append(d.remote, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			d.removed = append(d.removed, k)
		}
	}
	sort.Strings(d.added)
	sort.Strings(d.removed)
	sort.Strings(d.changed)
	sort.Strings(d.remote)
	return d
}

var githubShorthand = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#\S*)?$`)

// isRemoteSpec reports a dependency fetched from a URL, a VCS or a custom
// index rather than the ecosystem's registry by name.
func isRemoteSpec(spec string) bool {
	s := strings.Trim(strings.TrimSpace(spec), `"'`)
	if strings.Contains(s, "://") || githubShorthand.MatchString(s) {
		return true
	}
	for _, p := range []string{"git+", "git@", "github:", "gitlab:", "bitbucket:", "git="} {
		if strings.HasPrefix(s, p) || strings.Contains(s, " "+p) || strings.Contains(s, "{ "+p) {
			return true
		}
	}
	return false
}

func manifestFinding(r *ranges.Range, f *ranges.FileChange) (Finding, bool) {
	base := Finding{
		Evidence:       []string{f.Path},
		Recommendation: "Check each new dependency: who publishes it, how old it is, and whether it runs code at install.",
	}
	if f.Status == ranges.FileDeleted {
		base.Severity = weigh(r, f, Low)
		base.Title = "Dependency manifest removed"
		return base, true
	}
	kind := manifestKind(f.Path)
	var before depSet
	var beforeErr error
	if f.Status == ranges.FileModified {
		if f.Old == nil {
			beforeErr = errNotParsed
		} else {
			before, beforeErr = parseDeps(kind, f.Old)
		}
	}
	var after depSet
	afterErr := errNotParsed
	if f.New != nil {
		after, afterErr = parseDeps(kind, f.New)
	}
	if beforeErr != nil || afterErr != nil {
		reason := "it is over the size cap"
		if kind == kindSetup {
			reason = "setup.py and setup.cfg are code, not data"
		} else if f.New != nil && (f.Old != nil || f.Status == ranges.FileAdded) {
			reason = "it does not parse"
		}
		base.Severity = weigh(r, f, Low)
		base.Title = "Dependency manifest changed (not parsed)"
		base.Detail = fmt.Sprintf("%s was not parsed because %s; %d lines added, %d removed.", path.Base(f.Path), reason, f.Added, f.Removed)
		return base, true
	}
	d := diffDeps(before, after)
	if len(d.added)+len(d.removed)+len(d.changed) == 0 {
		return Finding{}, false
	}
	var ev evidence
	for _, k := range append(append([]string(nil), d.added...), d.changed...) {
		name := after[k].Name
		if no := addedLineWith(f, name); no > 0 {
			ev.addLine(f.Path, no)
		} else if no := lineOf(f.New, name); no > 0 {
			ev.addLine(f.Path, no)
		}
	}
	if ev.empty() {
		ev.add(f.Path)
	}
	base.Evidence = ev.items
	base.Severity = Low
	if len(d.added) > 0 {
		base.Severity = Medium
	}
	if len(d.remote) > 0 {
		base.Severity = High
	}
	base.Severity = weigh(r, f, base.Severity)
	base.Title = fmt.Sprintf("Dependencies changed in %s: %d added, %d removed, %d changed",
		path.Base(f.Path), len(d.added), len(d.removed), len(d.changed))
	base.Detail = describeDepDiff(d, before, after) + ev.note()
	return base, true
}

const maxDepsListed = 15

func describeDepDiff(d depDiff, before, after depSet) string {
	var parts []string
	if len(d.added) > 0 {
		items := make([]string, len(d.added))
		for i, k := range d.added {
			items[i] = depLabel(k, after[k].Spec)
		}
		parts = append(parts, "Added: "+listed(items, maxDepsListed)+".")
	}
	if len(d.removed) > 0 {
		parts = append(parts, "Removed: "+listed(d.removed, maxDepsListed)+".")
	}
	if len(d.changed) > 0 {
		items := make([]string, len(d.changed))
		for i, k := range d.changed {
			items[i] = fmt.Sprintf("%s %s → %s", k, truncate(before[k].Spec, 60), truncate(after[k].Spec, 60))
		}
		parts = append(parts, "Changed: "+listed(items, maxDepsListed)+".")
	}
	if len(d.remote) > 0 {
		parts = append(parts, "Fetched from a URL, VCS or custom index rather than the registry: "+listed(d.remote, maxDepsListed)+".")
	}
	return strings.Join(parts, " ")
}

func depLabel(key, spec string) string {
	if spec == "" {
		return key
	}
	return key + " " + truncate(spec, 60)
}
