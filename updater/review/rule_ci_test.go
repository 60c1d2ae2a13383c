package review

import (
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

const workflowBase = `name: ci
on:
  push:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
`

func TestCIWorkflow(t *testing.T) {
	runRuleCases(t, RuleCIWorkflow, []ruleCase{
		{"not a workflow", newRange(modFile(".github/dependabot.yml", "a: 1\n", "a: 2\n")), nil},
		{"harmless edit", newRange(modFile(".github/workflows/ci.yml", workflowBase,
			workflowBase+"      - run: npm test\n")),
			[]expect{{sev: Low, title: "CI workflow changed", evidence: []string{".github/workflows/ci.yml"}}}},
		{"new workflow", newRange(addFile(".github/workflows/lint.yaml", workflowBase)),
			[]expect{{sev: Low, title: "CI workflow added"}}},
		{"workflow removed", newRange(delFile(".github/workflows/codeql.yml", workflowBase)),
			[]expect{{sev: Low, title: "removed"}}},
		{"pull_request_target added", newRange(modFile(".github/workflows/ci.yml", workflowBase,
			"name: ci\non:\n  push:\n  pull_request_target:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")),
			[]expect{{sev: High, title: "pull_request_target", evidence: []string{".github/workflows/ci.yml:4"}}}},
		{"pull_request_target already there", newRange(modFile(".github/workflows/ci.yml",
			"on: [pull_request_target]\njobs: {}\n", "on: [pull_request_target]\njobs: {a: 1}\n")),
			[]expect{{sev: Low, title: "CI workflow changed"}}},
		{"write permissions and secrets", newRange(modFile(".github/workflows/release.yml", workflowBase,
			"name: ci\non:\n  push:\npermissions:\n  contents: write\n  id-token: write\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./publish.sh\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n          GH: ${{ secrets.GITHUB_TOKEN }}\n")),
			[]expect{
				{sev: Medium, title: "write permissions", evidence: []string{".github/workflows/release.yml:5", ".github/workflows/release.yml:6"}},
				{sev: Medium, title: "secrets", evidence: []string{".github/workflows/release.yml:14"}, detail: "NPM_TOKEN"},
			}},
		{"secret already used is not new", newRange(modFile(".github/workflows/ci.yml",
			workflowBase+"        env: {T: \"${{ secrets.NPM_TOKEN }}\"}\n",
			workflowBase+"        env: {T: \"${{ secrets.NPM_TOKEN }}\", U: 1}\n")),
			[]expect{{sev: Low, title: "CI workflow changed"}}},
		{"composite action", newRange(modFile(".github/actions/setup/action.yml", "a: 1\n", "a: 2\n")),
			[]expect{{sev: Low}}},
		{"workflow outside the directory still counts", withDirectory(newRange(addFile(".github/workflows/x.yml", "on:\n  workflow_run:\n")), "src/weather"),
			[]expect{{sev: High, title: "workflow_run"}}},
		{"deleted workflow text is not read", newRange(ranges.FileChange{Path: ".github/workflows/old.yml", Status: ranges.FileDeleted}),
			[]expect{{sev: Low, title: "removed"}}},
	})
}
