package updater

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// FuzzReviewArtifact: whatever bytes an artifact holds, decoding and
// validation never panic; an accepted artifact names only the PR's
// servers and the review's labels, and its sanitized text holds no HTML,
// no mention and no link.
func FuzzReviewArtifact(f *testing.F) {
	head := strings.Repeat("a", 40)
	good := ReviewArtifact{Schema: ArtifactSchema, PR: 7, HeadSHA: head, BaseSHA: strings.Repeat("b", 40), Servers: []ServerVerdict{{
		Server: "tool", Change: string(ChangePin), Risk: "high", Conclusion: "failure", Title: "Risk: high, 1 finding",
		Summary: "- **HIGH** hook\n", Report: "# Security Review Report\n\ncc @x <b>[y](https://z.test)</b>\n", Labels: []string{"security-risk:high"},
	}}}
	raw, _ := json.Marshal(good)
	f.Add(raw)
	good.Servers[0].Title = "Risk: high <img src=x> @admin"
	raw, _ = json.Marshal(good)
	f.Add(raw)
	f.Add([]byte(`{"schema":1,"pr":7,"head_sha":"` + head + `","servers":[{"server":"../x"}]}`))
	f.Add([]byte(`{"schema":1} {}`))
	want := map[string]ChangeKind{"tool": ChangePin}
	mention := regexp.MustCompile(`@[A-Za-z0-9]`)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decodeReviewArtifact(data)
		if err != nil {
			return
		}
		if err := checkArtifact(a, 7, head, want); err != nil {
			return
		}
		for _, v := range a.Servers {
			if _, ok := want[v.Server]; !ok {
				t.Fatalf("accepted server %q", v.Server)
			}
			for _, l := range v.Labels {
				if !riskLabel(l) {
					t.Fatalf("accepted label %q", l)
				}
			}
			s := sanitizeVerdict(v)
			for _, text := range []string{s.Report, s.Summary, s.Title} {
				if strings.Contains(text, "<") || mention.MatchString(text) || strings.Contains(text, "](") || strings.Contains(text, "://") {
					t.Fatalf("unsafe text survived: %q", text)
				}
			}
		}
	})
}
