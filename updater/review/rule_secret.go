package review

import (
	"math"
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// secretPattern is a credential format. hint is a literal every match
// contains, checked before the regexp runs.
type secretPattern struct {
	kind     string
	hint     string
	re       *regexp.Regexp
	severity Severity
}

var secretPatterns = []secretPattern{
	{"private key", "PRIVATE KEY", regexp.MustCompile(`-----BEGIN ((RSA|DSA|EC|OPENSSH|PGP|ENCRYPTED) )?PRIVATE KEY( BLOCK)?-----`), Critical},
	{"AWS access key id", "IA", regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), High},
	{"GitHub token", "gh", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), High},
	{"GitHub fine-grained token", "github_pat_", regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}`), High},
	{"Slack token", "xox", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`), High},
	{"Slack webhook", "hooks.slack.com", regexp.MustCompile(`hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+`), High},
	{"Stripe live key", "_live_", regexp.MustCompile(`\b[sr]k_live_[A-Za-z0-9]{16,}`), High},
	{"Google API key", "AIza", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`), High},
	{"OpenAI key", "sk-", regexp.MustCompile(`\bsk-(proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}`), High},
	{"Anthropic key", "sk-ant-", regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{80,}`), High},
	{"npm token", "npm_", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`), High},
}

// credentialAssignment is a quoted literal assigned to a name that says
// it is a credential; entropy decides whether the literal looks real.
var credentialAssignment = regexp.MustCompile(`(?i)\b[\w.-]*(token|secret|passwd|password|api_?key|apikey|access_?key|private_?key|client_?secret|auth)[\w.-]*["']?\s*[:=]{1,2}\s*["']([^"'\s]{16,})["']`)

var credentialHints = newHints("token", "secret", "passw", "key", "auth")

// placeholders are values people write in place of a credential.
var placeholders = []string{"xxx", "your", "example", "changeme", "placeholder", "dummy", "sample", "redacted", "test", "fake", "<", "${", "{{", "process.env", "environ", "getenv", "secrets."}

// checkSecret reports credentials committed in added lines. The finding
// says what kind and where, never the value: the report is public.
func checkSecret(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary {
			continue
		}
		findings = append(findings, secretFindings(r, f)...)
	}
	return findings
}

func secretFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	type hit struct {
		ev       evidence
		severity Severity
	}
	var order []string
	hits := map[string]*hit{}
	record := func(kind string, sev Severity, no int) {
		h := hits[kind]
		if h == nil {
			h = &hit{severity: sev}
			hits[kind] = h
			order = append(order, kind)
		}
		h.ev.addLine(f.Path, no)
	}
	var lower []byte
	for _, l := range f.AddedLines {
		for _, p := range secretPatterns {
			if strings.Contains(l.Text, p.hint) && p.re.MatchString(l.Text) {
				record(p.kind, p.severity, l.No)
			}
		}
		lower = appendLower(lower[:0], l.Text)
		if !credentialHints.in(lower) {
			continue
		}
		for _, m := range credentialAssignment.FindAllStringSubmatch(l.Text, -1) {
			if looksLikeCredential(m[2]) {
				record("credential assigned in code", Medium, l.No)
			}
		}
	}
	findings := make([]Finding, 0, len(order))
	for _, kind := range order {
		h := hits[kind]
		findings = append(findings, Finding{
			Severity:       weighDocs(r, f, h.severity),
			Title:          "Possible " + kind + " committed",
			Evidence:       h.ev.items,
			Detail:         "An added line matches the format of a " + kind + ". The value is not repeated here." + h.ev.note(),
			Recommendation: "Tell the upstream privately; a real credential must be revoked, not just deleted. Make sure none ends up in the image.",
		})
	}
	return findings
}

// looksLikeCredential rejects placeholders and low-entropy words.
func looksLikeCredential(v string) bool {
	lv := strings.ToLower(v)
	for _, p := range placeholders {
		if strings.Contains(lv, p) {
			return false
		}
	}
	return shannonEntropy(v) >= 3.5
}

// shannonEntropy is the bits per byte of s.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	e := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}
