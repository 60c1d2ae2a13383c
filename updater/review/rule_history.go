package review

import (
	"fmt"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Rules about the range as a whole rather than any file: where it starts,
// who wrote it, and what the caps left out.

func commitRef(sha string) string { return "commit " + shortSHA(sha, 12) }

func shortSHA(sha string, n int) string {
	if len(sha) > n {
		return sha[:n]
	}
	return sha
}

func checkHistoryRewritten(r *ranges.Range) []Finding {
	if !r.BaseFound || r.Ancestor {
		return nil
	}
	return []Finding{{
		Severity: Critical,
		Blocks:   true,
		Title:    "Upstream history was rewritten: the old pin is not an ancestor of the new one",
		Evidence: []string{commitRef(r.Base), commitRef(r.Head)},
		Detail: "The pinned commit still exists but the new head does not descend from it: the branch was force-pushed or reset. " +
			"The commits listed in this range do not describe everything that changed since the pin.",
		Recommendation: "Find out from the upstream why history was rewritten, then review the full tree diff between the two commits before merging.",
	}}
}

func checkBaseMissing(r *ranges.Range) []Finding {
	if r.BaseFound {
		return nil
	}
	return []Finding{{
		Severity: Critical,
		Blocks:   true,
		Title:    "The old pin no longer exists upstream",
		Evidence: []string{commitRef(r.Base)},
		Detail: "The pinned commit cannot be fetched from the upstream any more, so nothing connects the reviewed code to the proposed one. " +
			"History was rewritten or the repository was replaced.",
		Recommendation: "Treat the new commit as a new submission: review it in full and confirm the repository still belongs to the same owner.",
	}}
}

func checkFirstTimeAuthor(r *ranges.Range) []Finding {
	if len(r.NewAuthors) == 0 {
		return nil
	}
	newAuthor := make(map[string]bool, len(r.NewAuthors))
	for _, a := range r.NewAuthors {
		newAuthor[a] = true
	}
	var ev evidence
	for _, c := range r.Commits {
		if newAuthor[c.AuthorEmail] {
			ev.add(commitRef(c.SHA))
		}
	}
	return []Finding{{
		Severity: Low,
		Title:    fmt.Sprintf("%d first-time author%s in the range", len(r.NewAuthors), plural(len(r.NewAuthors))),
		Evidence: ev.items,
		Detail:   "Authors never seen at or before the old pin: " + listed(r.NewAuthors, 10) + "." + ev.note(),
		Recommendation: "Read their commits with extra care; a new maintainer or a compromised account is how " +
			"most package takeovers start.",
	}}
}

func checkSigningStopped(r *ranges.Range) []Finding {
	if !r.BaseSigned {
		return nil
	}
	var ev evidence
	unsigned := 0
	for _, c := range r.Commits {
		if !c.Signed {
			unsigned++
			ev.add(commitRef(c.SHA))
		}
	}
	if unsigned == 0 {
		return nil
	}
	return []Finding{{
		Severity: Medium,
		Title:    fmt.Sprintf("%d unsigned commit%s after a signed old pin", unsigned, plural(unsigned)),
		Evidence: ev.items,
		Detail:   "The pinned commit carries a signature but commits in this range do not." + ev.note(),
		Recommendation: "Check whether the upstream changed how it signs commits; unsigned commits " +
			"from a project that signs can come from a stolen token.",
	}}
}

func checkSkippedContent(r *ranges.Range) []Finding {
	if len(r.Skipped) == 0 {
		return nil
	}
	inDir := make(map[string]bool, len(r.Files))
	for i := range r.Files {
		inDir[r.Files[i].Path] = r.Files[i].InDirectory
	}
	findings := make([]Finding, 0, len(r.Skipped))
	for _, s := range r.Skipped {
		f := Finding{
			Severity:       Low,
			Detail:         "Left out of the review: " + s.Reason + ".",
			Recommendation: "Review what was left out by hand, or raise the review caps for this server.",
		}
		switch in, known := inDir[s.Path]; {
		case s.Path == "":
			f.Severity = Medium
			f.Title = "Part of the range was not reviewed"
		case known && in, !known && inDirectory(r.Directory, s.Path):
			f.Severity = Medium
			f.Title = "A file inside the server directory was not reviewed"
			f.Evidence = []string{s.Path}
		default:
			f.Title = "A file outside the server directory was not reviewed"
			f.Evidence = []string{s.Path}
		}
		findings = append(findings, f)
	}
	return findings
}
