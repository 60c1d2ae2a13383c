package review

import (
	"strings"
	"testing"
)

func TestSecret(t *testing.T) {
	// Built from parts so this file does not itself look like it holds secrets.
	ghToken := "gh" + "p_" + strings.Repeat("aB3dE5", 6)
	runRuleCases(t, RuleSecret, []ruleCase{
		{"nothing", newRange(addFile("src/a.ts", "const token = process.env.API_TOKEN;\n")), nil},
		{"private key", newRange(addFile("deploy/key.pem", "-----BEGIN OPENSSH "+"PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")),
			[]expect{{sev: Critical, title: "private key", evidence: []string{"deploy/key.pem:1"}}}},
		{"private key in test fixtures weighs less", newRange(addFile("testdata/tls/key.pem", "-----BEGIN RSA "+"PRIVATE KEY-----\n")),
			[]expect{{sev: High, title: "private key"}}},
		{"github token", newRange(addFile("src/gh.js", "const t = '"+ghToken+"';\n")),
			[]expect{{sev: High, title: "GitHub token", evidence: []string{"src/gh.js:1"}}}},
		{"aws and slack", newRange(addFile("src/cfg.py", "AWS = 'AKIA"+"ZZZZ7EXAMPLEQQQQ'\nHOOK = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX'\n")),
			[]expect{{sev: High, title: "AWS", evidence: []string{"src/cfg.py:1"}}, {sev: High, title: "Slack webhook", evidence: []string{"src/cfg.py:2"}}}},
		{"stripe live key", newRange(addFile("src/pay.ts", "const k = \"sk_"+"live_4eC39HqLyjWDarjtT1zdp7dc\";\n")),
			[]expect{{sev: High, title: "Stripe"}}},
		{"high-entropy credential", newRange(addFile("src/c.ts", "const apiKey = \"q8Zr4Lx0Vb2Nw7Kp5Ty9Hs3Jd6Mf1Gc\";\n")),
			[]expect{{sev: Medium, title: "credential assigned", evidence: []string{"src/c.ts:1"}}}},
		{"placeholders and low entropy", newRange(addFile("src/c.ts", "const apiKey = \"your-api-key-goes-here\";\nconst password = \"aaaaaaaaaaaaaaaaaaaa\";\nconst token = \"${TOKEN_FROM_ENVIRONMENT}\";\n")), nil},
	})
}

func TestSecretValueNeverInFinding(t *testing.T) {
	value := "q8Zr4Lx0Vb2Nw7Kp5Ty9Hs3Jd6Mf1Gc"
	res := Review(newRange(addFile("src/c.ts", "const secret = \""+value+"\";\n")), Options{})
	if len(res.Findings) == 0 {
		t.Fatal("no finding")
	}
	if md := res.Markdown(MetaFor("x", newRange())); strings.Contains(md, value) || strings.Contains(dumpFindings(res.Findings), value) {
		t.Errorf("secret value leaked into the findings or report")
	}
}

func TestShannonEntropy(t *testing.T) {
	for s, want := range map[string]float64{"": 0, "aaaa": 0, "abab": 1, "abcd": 2} {
		if got := shannonEntropy(s); got != want {
			t.Errorf("entropy(%q) = %v, want %v", s, got, want)
		}
	}
}
