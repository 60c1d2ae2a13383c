package config

import (
	"strings"
	"testing"
	"time"
)

const serversExample = `servers:
  legacy-tool:
    ignore: upstream archived; replaced by new-tool
  busy-server:
    min_age: 168h
    schedule: weekly
    automerge: false
    labels: [needs-security-review]
    reviewers: [alice, acme/security]
    assignees: [bob]
`

func TestParseServers(t *testing.T) {
	c, err := Parse(Path, []byte(serversExample))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Of("legacy-tool").Ignore; got != "upstream archived; replaced by new-tool" {
		t.Errorf("ignore = %q", got)
	}
	b := c.Of("busy-server")
	if b.MinAge == nil || *b.MinAge != 168*time.Hour || b.Schedule != Weekly || !b.NoAutoMerge {
		t.Errorf("busy-server: %+v", b)
	}
	if strings.Join(b.Labels, ",") != "needs-security-review" || strings.Join(b.Reviewers, ",") != "alice,acme/security" ||
		strings.Join(b.Assignees, ",") != "bob" {
		t.Errorf("people: %+v", b)
	}
	if z := c.Of("other"); z.Ignore != "" || z.MinAge != nil || z.Schedule != Always || z.NoAutoMerge {
		t.Errorf("unlisted server has settings: %+v", z)
	}
	var none *Config
	if none.Of("x").Schedule != Always {
		t.Error("absent file: not the defaults")
	}
}

func TestServersErrors(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"servers:\n  a:\n    ignroe: x\n", `unknown key "ignroe" in servers.a (did you mean "ignore"?)`},
		{"servers:\n  ../x:\n    ignore: x\n", `"../x" is not a server name`},
		{"servers:\n  a:\n    ignore: \"\"\n", "servers.a.ignore: give the reason"},
		{"servers:\n  a:\n    min_age: soon\n", `servers.a.min_age: "soon" is not a duration`},
		{"servers:\n  a:\n    schedule: hourly\n", `servers.a.schedule: "hourly" is not one of always, weekly, monthly`},
		{"servers:\n  a:\n    automerge: true\n", "servers.a.automerge: only false is allowed"},
		{"servers:\n  a:\n    automerge: \"false\"\n", "servers.a.automerge: only false is allowed"},
		{"servers:\n  a:\n    reviewers: alice\n", "servers.a.reviewers must be a list"},
		{"servers:\n  a:\n    reviewers: [\"al ice\"]\n", `"al ice" is not a valid GitHub login`},
		{"servers:\n  a:\n    labels: [\"a,b\"]\n", `"a,b" is not a valid label name`},
		{"servers:\n  a: {}\n  a: {}\n", `servers: "a" repeated`},
		{"servers: [a]\n", "servers must be a mapping"},
	} {
		_, err := Parse(Path, []byte(tc.raw))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.raw, err, tc.want)
		}
	}
}

func TestScheduleAllows(t *testing.T) {
	monday := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC) // a Monday
	first := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)    // a Tuesday, the 1st
	for _, tc := range []struct {
		s    Schedule
		now  time.Time
		want bool
	}{
		{Always, first, true},
		{Weekly, monday, true},
		{Weekly, first, false},
		{Weekly, monday.In(time.FixedZone("east", 2*3600)), true}, // Tuesday locally, Monday in UTC
		{Monthly, first, true},
		{Monthly, monday, false},
	} {
		if got := tc.s.Allows(tc.now); got != tc.want {
			t.Errorf("%v.Allows(%v) = %v", tc.s, tc.now, got)
		}
	}
}

func TestUnknownServers(t *testing.T) {
	c, err := Parse(Path, []byte("servers:\n  known: {}\n  gone:\n    ignore: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	errs := c.UnknownServers(Path, func(n string) bool { return n == "known" })
	if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Error(), `"gone" is not a server of the registry`) {
		t.Fatalf("got %v", errs)
	}
	// An allow-list entry of a server the registry no longer holds is
	// stale too: it would silently apply to a new server of that name.
	c, err = Parse(Path, []byte("allow:\n  known:\n    - rule: process-exec\n      reason: its CLI\n  gone:\n    - rule: process-exec\n      reason: its CLI\n"))
	if err != nil {
		t.Fatal(err)
	}
	errs = c.UnknownServers(Path, func(n string) bool { return n == "known" })
	if len(errs) != 1 || errs[0].Line != 6 || !strings.Contains(errs[0].Error(), `allow: "gone" is not a server of the registry`) {
		t.Fatalf("allow: got %v", errs)
	}
}
