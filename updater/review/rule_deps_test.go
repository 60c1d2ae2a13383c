package review

import (
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

const npmDepsBase = `{
  "name": "weather-mcp",
  "dependencies": {
    "@modelcontextprotocol/sdk": "^1.0.0",
    "zod": "^3.23.0"
  }
}
`

func TestDependencies(t *testing.T) {
	runRuleCases(t, RuleDependencies, []ruleCase{
		{"manifest edited without dependency change", newRange(modFile("package.json", npmDepsBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"description\": \"forecasts\",\n  \"dependencies\": {\n    \"@modelcontextprotocol/sdk\": \"^1.0.0\",\n    \"zod\": \"^3.23.0\"\n  }\n}\n")), nil},
		{"npm dependency added and one removed", newRange(modFile("package.json", npmDepsBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"dependencies\": {\n    \"@modelcontextprotocol/sdk\": \"^1.0.0\",\n    \"axios\": \"^1.7.0\"\n  }\n}\n")),
			[]expect{{sev: Medium, title: "1 added, 1 removed, 0 changed", evidence: []string{"package.json:5"}, detail: "Added: axios ^1.7.0. Removed: zod."}}},
		{"only a version bump", newRange(modFile("package.json", npmDepsBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"dependencies\": {\n    \"@modelcontextprotocol/sdk\": \"^1.1.0\",\n    \"zod\": \"^3.23.0\"\n  }\n}\n")),
			[]expect{{sev: Low, title: "0 added, 0 removed, 1 changed", evidence: []string{"package.json:4"}, detail: "@modelcontextprotocol/sdk ^1.0.0 → ^1.1.0"}}},
		{"dependency from git", newRange(modFile("package.json", npmDepsBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"dependencies\": {\n    \"@modelcontextprotocol/sdk\": \"^1.0.0\",\n    \"zod\": \"github:evil/zod\"\n  }\n}\n")),
			[]expect{{sev: High, detail: "rather than the registry: zod"}}},
		{"new package index in requirements", newRange(modFile("requirements.txt", "mcp==1.2.0\n", "--extra-index-url https://pypi.evil.test/simple\nmcp==1.2.0\n")),
			[]expect{{sev: High, evidence: []string{"requirements.txt:1"}, detail: "index https://pypi.evil.test/simple"}}},
		{"new manifest lists everything as added", newRange(addFile("go.mod", "module x\n\nrequire github.com/a/b v1.0.0\n")),
			[]expect{{sev: Medium, title: "1 added", evidence: []string{"go.mod:3"}}}},
		{"manifest removed", newRange(delFile("Cargo.toml", "[dependencies]\nserde = \"1\"\n")),
			[]expect{{sev: Low, title: "removed", evidence: []string{"Cargo.toml"}}}},
		{"over the cap: not parsed", newRange(ranges.FileChange{Path: "package.json", Status: ranges.FileModified, InDirectory: true, Added: 3, Removed: 1}),
			[]expect{{sev: Low, title: "not parsed", detail: "over the size cap; 3 lines added, 1 removed"}}},
		{"does not parse", newRange(modFile("composer.json", "{}\n", "{\n")),
			[]expect{{sev: Low, title: "not parsed", detail: "does not parse"}}},
		{"setup.py is code", newRange(modFile("setup.py", "setup()\n", "setup(install_requires=['x'])\n")),
			[]expect{{sev: Low, title: "not parsed", detail: "code, not data"}}},
		{"lockfile churn alone is info", newRange(
			modFile("go.sum", "a v1 h1:x\n", "a v2 h1:y\n"),
			modFile("package-lock.json", "{\"a\":1}\n", "{\"a\":2}\n")),
			[]expect{{sev: Info, title: "Lockfiles changed", evidence: []string{"go.sum", "package-lock.json"}}}},
		{"submodule added", newRange(ranges.FileChange{Path: "vendor/lib", Status: ranges.FileAdded, InDirectory: true, Mode: "submodule"}),
			[]expect{{sev: Medium, title: "submodule", evidence: []string{"vendor/lib"}}}},
		{"another package's manifest in a monorepo weighs less", withDirectory(newRange(modFile("src/other/requirements.txt", "a\n", "a\nb\n")), "src/weather"),
			[]expect{{sev: Low, title: "1 added"}}},
		{"root manifest of a workspace counts fully", withDirectory(newRange(modFile("package.json", "{}\n", "{\"dependencies\":{\"left-pad\":\"1\"}}\n")), "src/weather"),
			[]expect{{sev: Medium, title: "1 added"}}},
	})
}

func TestIsRemoteSpec(t *testing.T) {
	for spec, want := range map[string]bool{
		"^1.2.0": false, "github:evil/x": true, "evil/x#main": true, "git+ssh://git@x/y.git": true,
		"https://x.test/y.tgz": true, `{ git = "https://x/y" }`: true, "workspace:*": false, "1.0": false,
		"@ https://x.test/f.whl": true, "file:../local": false,
	} {
		if got := isRemoteSpec(spec); got != want {
			t.Errorf("isRemoteSpec(%q) = %v, want %v", spec, got, want)
		}
	}
}
