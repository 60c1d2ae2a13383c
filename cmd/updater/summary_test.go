package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
)

// TestSummaryGolden writes the Markdown pass summary of a real pass
// against the GitHub emulator, one server per kind of line: a PR opened,
// a PR already up to date, a bump deferred by --max-new-prs, a bump held
// by a maintainer's close, up to date, skipped, and an unreachable
// upstream. GITHUB_STEP_SUMMARY receives the same text.
func TestSummaryGolden(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0, "charlie": -1, "delta": 0, "echo": 0}, 2)
	gone := gittest.ClosedURL(t, "http", "gone")
	for name, content := range map[string]string{
		"gone":   serverYAML("gone", gone, "", f.ups["alpha"].commits[0], ""),
		"remote": "name: remote\ntype: remote\nremote:\n  transport_type: sse\n  url: https://example.com/sse\n",
	} {
		f.gh.PushFile("main", registry.ServerPath(name), content, "add "+name)
		f.names = append(f.names, name)
	}

	// No dashboard issue here: it would take a PR number of the golden file.
	// Pass 1 opens alpha's and delta's PRs (one inspection at a time, so
	// in name order: the numbers are in the golden file); a maintainer
	// closes delta's.
	f.pass(exitFailed, "--server", "alpha,delta,gone", "--concurrency", "1", "--no-dashboard")
	delta, ok := f.openPRs()["delta"]
	if !ok {
		t.Fatal("pass 1 opened no PR for delta")
	}
	f.gh.ClosePR(delta.Number)

	// Pass 2 writes the summary: bravo opens, echo waits for the next pass.
	dir := t.TempDir()
	summary, stepSummary := filepath.Join(dir, "summary.md"), filepath.Join(dir, "step-summary.md")
	f.env["GITHUB_STEP_SUMMARY"] = stepSummary
	defer delete(f.env, "GITHUB_STEP_SUMMARY")
	f.pass(exitFailed, "--summary", summary, "--max-new-prs", "1", "--timeout", "20s", "--no-dashboard")

	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	step, err := os.ReadFile(stepSummary)
	if err != nil {
		t.Fatalf("nothing written to $GITHUB_STEP_SUMMARY: %v", err)
	}
	if string(step) != string(got) {
		t.Errorf("$GITHUB_STEP_SUMMARY differs from --summary:\n%s\n---\n%s", step, got)
	}
	text := strings.NewReplacer(
		f.gh.URL, "http://GITHUB",
		strings.TrimSuffix(strings.TrimPrefix(gone, "http://"), "/gone.git"), "CLOSED",
	).Replace(string(got))
	// The request tally depends on retries and pagination, not on what
	// the summary is for.
	text = regexp.MustCompile(`(?m)^GitHub API: .*$`).ReplaceAllStringFunc(text, func(line string) string {
		return regexp.MustCompile(`[0-9]+`).ReplaceAllString(line, "N")
	})
	golden(t, "summary.md", text)

	// Stated once more in code, so a careless -update cannot bless a
	// summary that lost a line.
	for _, want := range []string{
		"## Pin update pass\n\n7 servers: 2 to bump, 1 up to date, 1 held, 1 deferred, 0 frozen, 1 skipped, 1 error.",
		"| alpha | `" + f.ups["alpha"].commits[0][:7] + "` | `" + f.ups["alpha"].commits[1][:7] + "` | [PR #1 up to date](http://GITHUB/",
		"| bravo | `" + f.ups["bravo"].commits[0][:7] + "` | `" + f.ups["bravo"].commits[1][:7] + "` | [opened PR #3](http://GITHUB/registry-owner/registry/pull/3) | info |",
		"| delta | held | closed by a maintainer",
		"| echo | deferred | --max-new-prs 1 reached in this pass |",
		// Not a link: error text is untrusted (a word joiner breaks "://").
		"### Errors\n\n| Server | Error |\n|---|---|\n| gone | list refs http:\u2060//CLOSED/gone.git: ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
}
