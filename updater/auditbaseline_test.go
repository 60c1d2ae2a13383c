package updater

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/updater/review"
)

func TestFingerprintSurvivesLineMoves(t *testing.T) {
	f := review.Finding{Rule: "install-hook", Title: "postinstall runs at line 3", Evidence: []string{"pkg/package.json:3"}}
	moved := f
	moved.Title, moved.Evidence = "postinstall runs at line 9", []string{"pkg/package.json:9"}
	other := f
	other.Evidence = []string{"lib/package.json:3"}
	if Fingerprint(f) != Fingerprint(moved) {
		t.Error("a moved line changed the fingerprint")
	}
	if Fingerprint(f) == Fingerprint(other) {
		t.Error("another file has the same fingerprint")
	}
	numbered := review.Finding{Rule: "binary", Evidence: []string{"docs/001.md"}}
	if Fingerprint(numbered) == Fingerprint(review.Finding{Rule: "binary", Evidence: []string{"docs/002.md"}}) {
		t.Error("digits in a path were folded")
	}
}

func TestParseBaselineRefuses(t *testing.T) {
	fp := "sha256:" + strings.Repeat("a", 64)
	for name, doc := range map[string]string{
		"no reason":     `{"version":1,"accepted":[{"server":"x","rule":"r","fingerprint":"` + fp + `","reason":" "}]}`,
		"unknown field": `{"version":1,"accepted":[],"extra":1}`,
		"bad server":    `{"version":1,"accepted":[{"server":"../x","rule":"r","fingerprint":"` + fp + `","reason":"ok"}]}`,
		"bad print":     `{"version":1,"accepted":[{"server":"x","rule":"r","fingerprint":"md5:1","reason":"ok"}]}`,
		"version":       `{"version":2,"accepted":[]}`,
	} {
		if _, err := ParseBaseline([]byte(doc)); err == nil || !strings.Contains(err.Error(), BaselinePath) {
			t.Errorf("%s: %v, want an error naming %s", name, err, BaselinePath)
		}
	}
	if _, err := ParseBaseline([]byte(`{"version":1,"accepted":[{"server":"x","rule":"r","fingerprint":"` + fp + `","reason":"ok"}]}`)); err != nil {
		t.Errorf("a good baseline: %v", err)
	}
}
