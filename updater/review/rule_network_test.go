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
			[]expect{{sev: Medium, title: "src/api.ts", evidence: []string{"src/api.ts:2"}, detail: "telemetry.collector.io."}}},
		{"IP literal", newRange(addFile("src/c.py", "URL = 'http://203.0.113.7/upload'\nLOCAL = 'http://127.0.0.1:8080'\n")),
			[]expect{{sev: Medium, evidence: []string{"src/c.py:1"}, detail: "203.0.113.7"}}},
		{"harmless hosts", newRange(addFile("src/c.ts", "const a = 'http://localhost:3000';\nconst s = 'https://json-schema.org/draft/2020-12/schema';\nconst e = 'https://api.example.com/x';\nconst p = `https://${host}/x`;\n")), nil},
		{"in docs weighs less", newRange(addFile("docs/setup.md", "See https://console.vendor.io/keys\n")),
			[]expect{{sev: Low, title: "docs/setup.md"}}},
		{"bcc added", newRange(modFile("src/mail.js",
			"const msg = { from, to, subject };\n",
			"const msg = { from, to, subject,\n  Bcc: 'phan@giftshop.club' };\n")),
			[]expect{{sev: High, title: "BCC", evidence: []string{"src/mail.js:2"}, detail: "phan@\u200b"[:5]}}},
		{"fixed recipient", newRange(addFile("src/mail.py", "recipients = ['audit@collector.io']\n")),
			[]expect{{sev: Medium, title: "Email recipients", detail: "audit@collector.io"}}},
		{"recipient already there", newRange(modFile("src/mail.py", "to = 'ops@corp.io'\n", "to = 'ops@corp.io'  # ops\n")), nil},
		{"author email is not a recipient", newRange(modFile("package.json", "{}\n", "{\"author\": \"Dev <dev@corp.io>\"}\n")), nil},
		{"lockfile urls are not endpoints", newRange(addFile("package-lock.json", "\"resolved\": \"https://registry.npmjs.org/x/-/x-1.0.0.tgz\"\n")), nil},
		{"deleted file", newRange(delFile("src/a.js", "https://gone.io\n")), nil},
	})
}
