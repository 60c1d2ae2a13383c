package review

import (
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

func rangeWith(edit func(r *ranges.Range), files ...ranges.FileChange) *ranges.Range {
	r := newRange(files...)
	edit(r)
	return r
}

func TestHistoryRewritten(t *testing.T) {
	runRuleCases(t, RuleHistoryRewritten, []ruleCase{
		{"fast-forward", newRange(), nil},
		{"force-pushed", rangeWith(func(r *ranges.Range) { r.Ancestor = false }), []expect{{
			sev: Critical, blocks: true, title: "rewritten", evidence: []string{"commit 111111111111", "commit 222222222222"}}}},
		{"base gone is the other rule", rangeWith(func(r *ranges.Range) { r.BaseFound, r.Ancestor = false, false }), nil},
	})
}

func TestBaseMissing(t *testing.T) {
	runRuleCases(t, RuleBaseMissing, []ruleCase{
		{"base found", newRange(), nil},
		{"base gone", rangeWith(func(r *ranges.Range) { r.BaseFound, r.Ancestor = false, false }), []expect{{
			sev: Critical, blocks: true, title: "no longer exists", evidence: []string{"commit 111111111111"}}}},
		{"empty range", &ranges.Range{}, []expect{{sev: Critical, blocks: true, title: "no longer exists", evidence: []string{"commit "}}}},
	})
}

func TestFirstTimeAuthor(t *testing.T) {
	runRuleCases(t, RuleFirstTimeAuthor, []ruleCase{
		{"known authors", newRange(), nil},
		{"one newcomer", rangeWith(func(r *ranges.Range) {
			r.Commits[1].AuthorEmail = "eve@evil.test"
			r.NewAuthors = []string{"eve@evil.test"}
		}), []expect{{sev: Low, title: "1 first-time author", evidence: []string{"commit 333333333333"}, detail: "eve@evil.test"}}},
		{"newcomer whose commits were capped away", rangeWith(func(r *ranges.Range) {
			r.NewAuthors = []string{"a@x.test", "b@x.test"}
		}), []expect{{sev: Low, title: "2 first-time authors", evidence: []string{}, detail: "a@x.test, b@x.test"}}},
	})
}

func TestSigningStopped(t *testing.T) {
	runRuleCases(t, RuleSigningStopped, []ruleCase{
		{"all signed", newRange(), nil},
		{"base unsigned, range unsigned", rangeWith(func(r *ranges.Range) {
			r.BaseSigned = false
			r.Commits[0].Signed, r.Commits[1].Signed = false, false
		}), nil},
		{"one unsigned after signed base", rangeWith(func(r *ranges.Range) { r.Commits[0].Signed = false }),
			[]expect{{sev: Medium, title: "1 unsigned commit", evidence: []string{"commit 222222222222"}}}},
	})
}

func TestSkippedContent(t *testing.T) {
	big := ranges.FileChange{Path: "src/weather/bundle.js", Status: ranges.FileModified, InDirectory: true, NewSize: 5 << 20}
	runRuleCases(t, RuleSkippedContent, []ruleCase{
		{"nothing skipped", newRange(), nil},
		{"range-wide cap", rangeWith(func(r *ranges.Range) {
			r.Skipped = []ranges.Skip{{Reason: "file-count cap of 1000 reached; 212 files not reviewed"}}
		}), []expect{{sev: Medium, title: "Part of the range", detail: "212 files"}}},
		{"inside and outside the directory", withDirectory(rangeWith(func(r *ranges.Range) {
			r.Skipped = []ranges.Skip{
				{Path: "src/weather/bundle.js", Reason: "over the per-file cap"},
				{Path: "src/other/data.json", Reason: "over the per-file cap"},
				{Path: "src/weather/not-listed.bin", Reason: "total size cap"},
			}
		}, big), "src/weather"), []expect{
			{sev: Medium, title: "inside", evidence: []string{"src/weather/bundle.js"}},
			{sev: Medium, title: "inside", evidence: []string{"src/weather/not-listed.bin"}},
			{sev: Low, title: "outside", evidence: []string{"src/other/data.json"}},
		}},
	})
}

func TestLicenseChanged(t *testing.T) {
	runRuleCases(t, RuleLicenseChanged, []ruleCase{
		{"license added", newRange(addFile("LICENSE", "MIT\n")), nil},
		{"license modified", newRange(modFile("LICENSE.md", "MIT\n", "BUSL-1.1\n")),
			[]expect{{sev: Low, title: "modified", evidence: []string{"LICENSE.md"}}}},
		{"license removed", newRange(delFile("COPYING", "GPL\n")),
			[]expect{{sev: Medium, title: "removed", evidence: []string{"COPYING"}}}},
		{"another package's license in a monorepo", withDirectory(newRange(modFile("src/other/LICENSE", "MIT\n", "ISC\n")), "src/weather"), nil},
		{"root license covers the directory", withDirectory(newRange(modFile("LICENSE", "MIT\n", "ISC\n")), "src/weather"),
			[]expect{{sev: Low, evidence: []string{"LICENSE"}}}},
		{"not a license", newRange(modFile("src/license_check.go", "a\n", "b\n")), nil},
	})
}
