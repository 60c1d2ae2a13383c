package config

import (
	"strings"
	"testing"
	"time"
)

const example = `publishers:                 # by the owner of source.project
  verified: [stripe, awslabs, GitHub]
  known: [modelcontextprotocol]
automerge:
  verified: low
  known: info
  community: none
  min_age: 72h
  method: rebase
  skip_label: hold
`

func TestParseExample(t *testing.T) {
	c, err := Parse(Path, []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	a := c.AutoMerge
	if a == nil || a.Limit(Verified) != UpToLow || a.Limit(Known) != UpToInfo || a.Limit(Community) != MergeNever {
		t.Fatalf("limits: %+v", a)
	}
	if a.MinAge != 72*time.Hour || a.Method != Rebase || a.SkipLabel != "hold" {
		t.Fatalf("automerge: %+v", a)
	}
	if got := c.Publishers.Level("github"); got != Verified {
		t.Errorf("github (listed as GitHub) = %v, want verified", got)
	}
}

func TestAbsentAndEmptyMeanDefaults(t *testing.T) {
	for _, raw := range []string{"", "# nothing\n", "~\n"} {
		c, err := Parse(Path, []byte(raw))
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if c.AutoMerge != nil || c.PublisherOf("https://github.com/stripe/x", "").Trust != Community {
			t.Errorf("%q: not the defaults: %+v", raw, c)
		}
	}
}

func TestAutoMergeDefaults(t *testing.T) {
	c, err := Parse(Path, []byte("automerge:\n  verified: medium\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := c.AutoMerge
	if a.Method != Squash || a.SkipLabel != DefaultSkipLabel || a.MinAge != 0 || a.Limit(Known) != MergeNever {
		t.Fatalf("defaults: %+v", a)
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"publisher:\n  verified: [a]\n", `.github/updater.yaml:1: unknown key "publisher" in the file (did you mean "publishers"?)`},
		{"automerge:\n  verifed: low\n", `.github/updater.yaml:2: unknown key "verifed" in automerge (did you mean "verified"?)`},
		{"automerge:\n  known: huge\n", `.github/updater.yaml:2: automerge.known: "huge" is not one of none, info, low, medium, high`},
		{"automerge:\n  known: critical\n", `"critical" is not one of`},
		{"automerge:\n  min_age: 3 days\n", `.github/updater.yaml:2: automerge.min_age: "3 days" is not a duration`},
		{"automerge:\n  method: fast-forward\n", `automerge.method: "fast-forward" is not squash, merge or rebase`},
		{"publishers:\n  verified: [a]\n  known: [A]\n", `.github/updater.yaml:3: publishers.known: "A" is already listed under verified`},
		{"publishers:\n  verified: stripe\n", `publishers.verified must be a list of owners`},
		{"publishers:\n  verified: [\"../x\"]\n", `is not an owner name`},
		{"automerge: [1]\n", `automerge must be a mapping`},
		{"publishers: {verified: [a]}\npublishers: {}\n", `:2: key "publishers" repeated`},
		{"automerge:\n  known: [\n", `.github/updater.yaml:`},
		{"zzz: 1\n", `unknown key "zzz" in the file` + "\n"},
	}
	for _, c := range cases {
		_, err := Parse(Path, []byte(c.raw))
		if err == nil {
			t.Errorf("%q: no error", c.raw)
			continue
		}
		if !strings.Contains(err.Error()+"\n", c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.raw, err, c.want)
		}
	}
}

func TestAllProblemsReported(t *testing.T) {
	_, err := Parse(Path, []byte("automerge:\n  known: x\n  method: y\n"))
	if err == nil || strings.Count(err.Error(), Path) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
}

func TestPublisherOf(t *testing.T) {
	c, err := Parse(Path, []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		project, upstream string
		want              Publisher
		body              string
	}{
		{"https://github.com/stripe/agent-toolkit", "", Publisher{Owner: "stripe", Trust: Verified}, "stripe — verified"},
		{"https://gitlab.com/Stripe/x.git", "", Publisher{Owner: "stripe", Trust: Verified}, "stripe — verified"},
		{"https://github.com/modelcontextprotocol/servers", "", Publisher{Owner: "modelcontextprotocol", Trust: Known}, "modelcontextprotocol — known"},
		{"https://github.com/someone/x", "", Publisher{Owner: "someone", Trust: Community}, "someone — community"},
		// A verified fork of a known project is known; a fork by a
		// stranger of a verified project is community.
		{"https://github.com/stripe/servers", "https://github.com/modelcontextprotocol/servers", Publisher{Owner: "stripe", Upstream: "modelcontextprotocol", Trust: Known}, "stripe (fork of modelcontextprotocol) — known"},
		{"https://github.com/someone/agent-toolkit", "https://github.com/stripe/agent-toolkit", Publisher{Owner: "someone", Upstream: "stripe", Trust: Community}, "someone (fork of stripe) — community"},
		{"not a url", "", Publisher{Trust: Community}, "unknown — community"},
	}
	for _, tc := range cases {
		got := c.PublisherOf(tc.project, tc.upstream)
		if got != tc.want || got.String() != tc.body {
			t.Errorf("%s (upstream %q) = %+v %q, want %+v %q", tc.project, tc.upstream, got, got.String(), tc.want, tc.body)
		}
	}
	if l := (Publisher{Trust: Known}).Label(); l != "publisher:known" {
		t.Errorf("label %q", l)
	}
}

func TestRiskLimitAllows(t *testing.T) {
	if !UpToLow.Allows("info") || !UpToLow.Allows("low") || UpToLow.Allows("medium") {
		t.Error("low limit")
	}
	if MergeNever.Allows("info") || UpToHigh.Allows("critical") || UpToHigh.Allows("bogus") {
		t.Error("never, critical or unknown risk allowed")
	}
}
