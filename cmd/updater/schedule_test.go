package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/dashboard"
)

// withClock runs the passes started with the returned context at now.
func withClock(now time.Time) context.Context {
	return context.WithValue(context.Background(), clockKey{}, func() time.Time { return now })
}

// Schedule windows through the command line: a weekly server is deferred
// on a Tuesday, considered on a Monday, and a "propose now" tick brings it
// in on a Tuesday.
func TestScheduleWindowsAndProposeNow(t *testing.T) {
	f := newEmptyFixture(t)
	files := map[string]string{"README.md": "# registry\n", config.Path: "servers:\n  weekly:\n    schedule: weekly\n  monday:\n    schedule: weekly\n"}
	for _, name := range []string{"weekly", "monday"} {
		up := newUpstream(t, f.git, "o/"+name, "main", 2)
		f.ups[name] = up
		files[registry.ServerPath(name)] = serverYAML(name, up.url, "", up.commits[0], "src")
		f.names = append(f.names, name)
	}
	f.seed(files)
	f.gh.SetPermission("alice", "admin")
	tuesday := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

	f.now = tuesday
	rep := f.pass(exitOK)
	if d, detail := rep.detailOf("weekly"); d != "deferred" || detail != "schedule weekly: considered on Mondays (UTC)" {
		t.Fatalf("weekly on a Tuesday: %s %q", d, detail)
	}
	if !strings.Contains(section(f.dashboardIssue().Body, "Deferred"), "- [ ] propose now: **weekly** — schedule weekly") {
		t.Errorf("dashboard:\n%s", f.dashboardIssue().Body)
	}

	f.tick("alice", dashboard.ProposeNow, "weekly")
	rep = f.pass(exitOK)
	if d, _ := rep.detailOf("weekly"); d != "bump" {
		t.Errorf("weekly ticked on a Tuesday: %s", d)
	}
	if d, _ := rep.detailOf("monday"); d != "deferred" {
		t.Errorf("monday on a Tuesday: %s", d)
	}
	if _, ok := f.botPR("weekly"); !ok {
		t.Error("propose now opened no PR")
	}

	f.now = monday
	rep = f.pass(exitOK)
	if d, _ := rep.detailOf("monday"); d != "bump" {
		t.Errorf("monday on a Monday: %s", d)
	}
}
