package review

import (
	"fmt"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// ExportSkipped is the agent reviewer's finding about what its copy of the
// code left out (names no file system takes, symlinks, submodules, size
// caps): the agent never saw those entries, so the review says so rather
// than pass over them. nil when nothing was left out.
func ExportSkipped(skips []ranges.Skip) *Result {
	if len(skips) == 0 {
		return nil
	}
	var ev evidence
	reasons := map[string]int{}
	for _, s := range skips {
		if s.Path != "" {
			ev.add(s.Path)
		}
		reasons[s.Reason]++
	}
	detail := fmt.Sprintf("%d entr%s of the new head were not in the copy the agent reviewed, for example: %s.%s",
		len(skips), pluralY(len(skips)), skips[0].Reason, ev.note())
	return newResult([]Finding{{
		Rule:           RuleSkippedContent,
		Severity:       Low,
		Title:          "Parts of the code were left out of the agent reviewer's copy",
		Evidence:       ev.items,
		Detail:         detail,
		Recommendation: "Look at the entries left out by hand; the built-in rules still read the whole range.",
	}}, ModeAgent)
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
