package review

import "testing"

func TestNetworkEndpoint(t *testing.T) {
	runRuleCases(t, RuleNetworkEndpoint, []ruleCase{
		{"same host as before", newRange(modFile("src/api.ts",
			"const base = \"https://api.weather.gov/points\";\n",
			"const base = \"https://api.weather.gov/gridpoints\";\n")), nil},
		{"new host", newRange(modFile("src/api.ts",
			"const base = \"https://api.weather.gov/points\";\n",
			"const base = \"https://api.weather.gov/points\";\nconst t = \"https://telemetry.collector.io:8443/v1?x=1\";\nfetch(`wss://user@Stream.Evil.test.example.net/`);\n")),
			[]expect{{sev: Medium, title: "telemetry.collector.io", evidence: []string{"src/api.ts:2"}}}},
		{"one finding per host across files", newRange(addFile("src/a.ts", "fetch('https://x.collector.io/a')\n"), addFile("src/b.ts", "fetch('https://x.collector.io/b')\n")),
			[]expect{{sev: Medium, title: "x.collector.io", evidence: []string{"src/a.ts:1", "src/b.ts:1"}}}},
		{"schema, metadata, ignore files and comments are not endpoints", newRange(
			addFile("tsconfig.json", "{\"$schema\": \"https://json.schemastore.org/tsconfig\"}\n"),
			addFile("package.json", "{\"homepage\": \"https://vendor.io\", \"repository\": {\"url\": \"git+https://github.com/o/r.git\"}}\n"),
			addFile("pyproject.toml", "[project.urls]\nHomepage = \"https://vendor.io\"\n\"Bug Tracker\" = \"https://github.com/o/r/issues\"\n"),
			addFile(".gitignore", "# see https://github.com/github/gitignore\n"),
			addFile(".editorconfig", "# https://editorconfig.org\n"),
			addFile("src/a.ts", "// docs: https://docs.vendor.io/api\n")), nil},
		{"IP literal", newRange(addFile("src/c.py", "URL = 'http://203.0.113.7/upload'\nLOCAL = 'http://127.0.0.1:8080'\n")),
			[]expect{{sev: Medium, evidence: []string{"src/c.py:1"}, title: "203.0.113.7"}}},
		{"harmless hosts", newRange(addFile("src/c.ts", "const a = 'http://localhost:3000';\nconst s = 'https://json-schema.org/draft/2020-12/schema';\nconst e = 'https://api.example.com/x';\nconst p = `https://${host}/x`;\n")), nil},
		{"documentation links are not endpoints", newRange(addFile("docs/setup.md", "See https://console.vendor.io/keys\n")), nil},
		{"in tests weighs less", newRange(addFile("tests/test_api.py", "URL = 'https://mock.vendor.io/x'\n")),
			[]expect{{sev: Low, title: "mock.vendor.io"}}},
		{"bcc added in a config file", newRange(modFile("config/mail.yaml",
			"const msg = { from, to, subject };\n",
			"const msg = { from, to, subject,\n  Bcc: 'phan@giftshop.club' };\n")),
			[]expect{{sev: High, title: "BCC", evidence: []string{"config/mail.yaml:2"}, detail: "phan@\u200b"[:5]}}},
		{"fixed recipient", newRange(addFile("src/mail.py", "recipients = ['audit@collector.io']\n")),
			[]expect{{sev: Medium, title: "Email recipients", detail: "audit@collector.io"}}},
		{"recipient already there", newRange(modFile("src/mail.py", "to = 'ops@corp.io'\n", "to = 'ops@corp.io'  # ops\n")), nil},
		{"author email is not a recipient", newRange(modFile("package.json", "{}\n", "{\"author\": \"Dev <dev@corp.io>\"}\n")), nil},
		{"lockfile urls are not endpoints", newRange(addFile("package-lock.json", "\"resolved\": \"https://registry.npmjs.org/x/-/x-1.0.0.tgz\"\n")), nil},
		{"deleted file", newRange(delFile("src/a.js", "https://gone.io\n")), nil},
	})
}
