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
	if !r.BaseFound || r.Ancestor || r.OffLine() {
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

// checkReleaseOffLine says how a release cut off the branch was compared:
// no rewrite (a tag's commit need not descend from the previous tag's),
// but the reader must know the commits are merge-base..new.
func checkReleaseOffLine(r *ranges.Range) []Finding {
	if !r.OffLine() {
		return nil
	}
	return []Finding{{
		Severity: Info,
		Title:    "The new release is off the old pin's line: compared through their merge base",
		Evidence: []string{commitRef(r.MergeBase), commitRef(r.Head)},
		Detail: fmt.Sprintf("The old pin %s is not an ancestor of the new release %s, as happens when releases are cut on their own commits. "+
			"The review covers the %d commit%s from the merge base %s to the new release and the files changed between them; "+
			"this is not a history rewrite.", shortSHA(r.Base, 12), shortSHA(r.Head, 12), r.TotalCommits, plural(r.TotalCommits), shortSHA(r.MergeBase, 12)),
		Recommendation: "Nothing to do for the ancestry itself; review the findings of the range as usual.",
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

// signingHabit is the share of commits before the base (of the last 50,
// base included) that must be signed for unsigned commits in the range to
// mean something: 90%. Below it the project signs only sometimes, and an
// unsigned commit is its normal practice.
const signingHabitPercent = 90

// signedHabitually reports whether the history before the base was
// consistently signed. A range without that history (built by hand)
// falls back to the base's own signature.
func signedHabitually(r *ranges.Range) bool {
	if !r.BaseSigned {
		return false
	}
	if r.HistoryBefore == 0 {
		return true
	}
	return r.SignedBefore*100 >= r.HistoryBefore*signingHabitPercent
}

func checkSigningStopped(r *ranges.Range) []Finding {
	if !signedHabitually(r) {
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
		Detail: fmt.Sprintf("The history before the old pin is signed (%d of the last %d commits, threshold %d%%) but commits in this range are not.",
			r.SignedBefore, r.HistoryBefore, signingHabitPercent) + ev.note(),
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

// tagMovedFinding reports a pinned tag pointing at another commit than
// the pin: the release the registry reviewed was replaced under the same
// name (only a commit hash is immutable).
func tagMovedFinding(m TagMove) Finding {
	now := "was deleted upstream"
	ev := []string{commitRef(m.Pinned)}
	if m.Now != "" {
		now = "now points at " + shortSHA(m.Now, 12)
		ev = append(ev, commitRef(m.Now))
	}
	return Finding{
		Rule:     RuleTagMoved,
		Severity: Critical,
		Blocks:   true,
		Title:    fmt.Sprintf("Tag %s was moved upstream: pinned at %s, it %s", m.Tag, shortSHA(m.Pinned, 12), now),
		Evidence: ev,
		Detail: "A release tag was deleted and recreated on another commit. Nothing about the pinned commit changed, " +
			"but the upstream rewrote a published release, which is what a compromised account or a supply-chain attack does.",
		Recommendation: "Do not merge until the upstream explains the moved tag; compare the two commits in full.",
	}
}
