package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/dashboard"
)

// newDashboardFixture is a registry with one server of each kind the
// dashboard lists: alpha and held bump (PRs open), cool cools down under
// its own min_age, frozen follows a branch its upstream deleted, broken's
// upstream does not answer, skipme is ignored by the settings.
func newDashboardFixture(t *testing.T, withBroken bool) *registryFixture {
	t.Helper()
	f := newEmptyFixture(t)
	files := map[string]string{"README.md": "# registry\n", config.Path: `servers:
  cool:
    min_age: 100000h
  skipme:
    ignore: upstream archived
`}
	for _, name := range []string{"alpha", "held", "cool", "frozen", "skipme"} {
		up := newUpstream(t, f.git, "o/"+name, "main", 2)
		f.ups[name] = up
		branch := ""
		if name == "frozen" {
			branch = "vanished"
		}
		if name == "frozen" {
			up.repo.Tag("v1.4.0", up.commits[1], true)
		}
		files[registry.ServerPath(name)] = serverYAML(name, up.url, branch, up.commits[0], "src")
		f.names = append(f.names, name)
	}
	if withBroken {
		gone := gittest.ClosedURL(t, "http", "broken")
		files[registry.ServerPath("broken")] = serverYAML("broken", gone, "", f.ups["alpha"].commits[0], "src")
		f.names = append(f.names, "broken")
	}
	f.seed(files)
	return f
}

// dashboardIssue is the one dashboard issue (the test fails unless
// there is exactly one).
func (f *registryFixture) dashboardIssue() githubtest.Issue {
	f.t.Helper()
	var found []githubtest.Issue
	for _, is := range f.gh.Issues() {
		if is.Title == dashboard.Title {
			found = append(found, is)
		}
	}
	if len(found) != 1 {
		f.t.Fatalf("want one dashboard issue, have %d: %+v", len(found), found)
	}
	return found[0]
}

// tick ticks a checkbox as user would in the web editor.
func (f *registryFixture) tick(user string, act dashboard.Act, server string) {
	f.t.Helper()
	is := f.dashboardIssue()
	box := "- [ ] " + string(act) + ": **" + server + "**"
	if !strings.Contains(is.Body, box) {
		f.t.Fatalf("no box %q in the dashboard:\n%s", box, is.Body)
	}
	f.gh.EditIssueBody(is.Number, user, strings.Replace(is.Body, box, "- [x] "+string(act)+": **"+server+"**", 1))
}

// section returns the lines of the dashboard section whose heading starts
// with title.
func section(body, title string) string {
	_, rest, ok := strings.Cut(body, "\n### "+title)
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "\n### ")
	return rest
}

func TestDashboardListsAndActs(t *testing.T) {
	f := newDashboardFixture(t, true)
	f.gh.SetPermission("alice", "write")
	f.gh.SetPermission("bob", "read")

	f.pass(exitFailed)
	is := f.dashboardIssue()
	if !strings.HasPrefix(is.Body, dashboard.Marker+"\n") || len(is.Labels) != 1 || is.Labels[0] != dashboard.Label {
		t.Fatalf("dashboard #%d labels %v:\n%s", is.Number, is.Labels, is.Body)
	}
	for title, want := range map[string]string{
		"Open pull requests": "- [ ] re-review: **alpha** #",
		"Cooling down":       "- [ ] propose now: **cool** — until 2",
		"Frozen":             "- **frozen** — ",
		"Failing":            "- [ ] retry: **broken** — ",
		"Ignored":            "- **skipme** — upstream archived",
	} {
		if !strings.Contains(section(is.Body, title), want) {
			t.Errorf("section %s lacks %q:\n%s", title, want, is.Body)
		}
	}
	if s := section(is.Body, "Frozen"); !strings.Contains(s, "vanished no longer exists upstream; newest release v1.4.0") {
		t.Errorf("frozen without its reason:\n%s", s)
	}
	if s := section(is.Body, "Failing"); !strings.Contains(s, "connection refused") || !strings.Contains(s, "(1 pass in a row)") {
		t.Errorf("failing without its reason or count:\n%s", s)
	}
	if _, ok := f.botPR("skipme"); ok {
		t.Error("an ignored server was proposed")
	}

	// A maintainer rejects held's commit: the next pass lists it as held.
	heldPR, _ := f.botPR("held")
	f.gh.ClosePR(heldPR.Number)
	f.pass(exitFailed)
	is2 := f.dashboardIssue()
	if is2.Number != is.Number {
		t.Fatalf("the dashboard moved from #%d to #%d", is.Number, is2.Number)
	}
	if s := section(is2.Body, "Held"); !strings.Contains(s, "- [ ] unhold: **held** #") || !strings.Contains(s, "rejected since 2") {
		t.Errorf("held section:\n%s", is2.Body)
	}
	if s := section(is2.Body, "Failing"); !strings.Contains(s, "(2 passes in a row)") {
		t.Errorf("the failure count did not grow:\n%s", s)
	}

	// alice (write) ticks unhold, propose now and retry: the next pass acts
	// on each, unticks them and says what came of it.
	f.tick("alice", dashboard.Unhold, "held")
	f.tick("alice", dashboard.ProposeNow, "cool")
	f.tick("alice", dashboard.Retry, "broken")
	rep := f.pass(exitFailed)
	is3 := f.dashboardIssue()
	if strings.Contains(is3.Body, "[x]") {
		t.Errorf("ticks left ticked:\n%s", is3.Body)
	}
	newHeld, ok := f.botPR("held")
	if !ok || newHeld.Number == heldPR.Number || newHeld.State != "open" {
		t.Fatalf("unhold opened no new PR for held: %+v", newHeld)
	}
	if d, _ := rep.detailOf("cool"); d != "bump" {
		t.Errorf("propose now: cool is %s", d)
	}
	coolPR, ok := f.botPR("cool")
	if !ok || coolPR.State != "open" {
		t.Fatal("propose now opened no PR for cool")
	}
	recent := section(is3.Body, "Recent actions")
	for _, want := range []string{
		"unhold **held**: proposed in #",
		"propose now **cool**: proposed in #",
		"retry **broken**: failed: ",
	} {
		if !strings.Contains(recent, want) {
			t.Errorf("recent actions lack %q:\n%s", want, is3.Body)
		}
	}

	// The unheld PR stands on the next pass: it is no longer held, and
	// cool's PR is kept though its cooldown has not passed.
	rep = f.pass(exitFailed)
	if d, _ := rep.detailOf("held"); d != "bump" {
		t.Errorf("held after unhold: %s", d)
	}
	if pr, _ := f.botPR("held"); pr.Number != newHeld.Number || pr.State != "open" {
		t.Errorf("held's PR: %+v", pr)
	}

	// bob (read access) ticks re-review: ignored, unticked, and said so.
	f.tick("bob", dashboard.ReReview, "alpha")
	f.gh.ResetLog()
	f.pass(exitFailed)
	if n := f.gh.Count("", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/check-runs"); n != 0 {
		t.Errorf("a tick without write access re-reviewed (%d check-run writes)", n)
	}
	is5 := f.dashboardIssue()
	if strings.Contains(is5.Body, "[x]") || !strings.Contains(section(is5.Body, "Recent actions"), "re-review **alpha**: ignored: edited by bob (read) without write access") {
		t.Errorf("bob's tick:\n%s", is5.Body)
	}

	// alice ticks it: the review runs again on the PR's head.
	f.tick("alice", dashboard.ReReview, "alpha")
	f.gh.ResetLog()
	f.pass(exitFailed)
	if n := f.gh.Count("", "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/check-runs"); n == 0 {
		t.Error("re-review published no check run")
	}
	if !strings.Contains(section(f.dashboardIssue().Body, "Recent actions"), "re-review **alpha**: reviewed: risk ") {
		t.Errorf("re-review result missing:\n%s", f.dashboardIssue().Body)
	}
}

// A pass with nothing new leaves the dashboard alone: no edit, no new
// issue; the next pass finds the same issue.
func TestDashboardWrittenOnlyWhenChanged(t *testing.T) {
	f := newDashboardFixture(t, false)
	f.pass(exitOK)
	is := f.dashboardIssue()
	f.gh.ResetLog()
	f.pass(exitOK)
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("an idle pass wrote: %+v", w)
	}
	if f.dashboardIssue().Number != is.Number {
		t.Fatal("another dashboard issue")
	}
}

// An issue a maintainer labels by hand is not the dashboard (no marker):
// the bot opens its own and leaves theirs alone.
func TestDashboardIgnoresUnmarkedIssues(t *testing.T) {
	f := newDashboardFixture(t, false)
	mine := f.gh.OpenIssue(githubtest.MaintainerLogin, dashboard.Title, "my notes", dashboard.Label)
	f.pass(exitOK)
	for _, is := range f.gh.Issues() {
		if is.Number == mine && is.Body != "my notes" {
			t.Fatalf("the maintainer's issue was edited:\n%s", is.Body)
		}
	}
	bot := 0
	for _, is := range f.gh.Issues() {
		if dashboard.IsDashboard(is.Body) {
			bot++
		}
	}
	if bot != 1 {
		t.Fatalf("%d dashboards", bot)
	}
}

// When GitHub cannot say who edited the issue, ticks are ignored and the
// dashboard says why.
func TestDashboardTicksWithoutEditorAreIgnored(t *testing.T) {
	f := newDashboardFixture(t, false)
	f.gh.SetPermission("alice", "write")
	f.pass(exitOK)
	f.tick("alice", dashboard.ProposeNow, "cool")
	f.gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/graphql" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":null,"errors":[{"message":"Something went wrong"}]}`))
		return true
	})
	rep := f.pass(exitOK)
	if d, _ := rep.detailOf("cool"); d != "held" {
		t.Errorf("cool was acted on: %s", d)
	}
	body := f.dashboardIssue().Body
	if !strings.Contains(body, "could not be established") || strings.Contains(body, "[x]") {
		t.Errorf("dashboard:\n%s", body)
	}
}

// A dry run prints the dashboard it would write and writes nothing.
func TestDashboardDryRun(t *testing.T) {
	f := newDashboardFixture(t, false)
	f.gh.ResetLog()
	code, stdout, stderr := cli(context.Background(), f.env, "run", "--registry", f.checkout(), "--cache-dir", f.cache, "--dry-run", "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var doc struct{ Dashboard string }
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if !dashboard.IsDashboard(doc.Dashboard) || !strings.Contains(section(doc.Dashboard, "Ignored"), "**skipme**") {
		t.Errorf("dashboard in the report:\n%s", doc.Dashboard)
	}
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("a dry run wrote: %+v", w)
	}
	if len(f.gh.Issues()) != 0 {
		t.Fatal("a dry run opened an issue")
	}
	// --no-dashboard: not even read.
	f.gh.ResetLog()
	f.pass(exitOK, "--no-dashboard")
	for _, r := range f.gh.Requests() {
		if r.Path == "/repos/"+f.gh.Owner+"/"+f.gh.Repo+"/issues" {
			t.Fatalf("--no-dashboard: %s %s", r.Method, r.Path)
		}
	}
	if len(f.gh.Issues()) != 0 {
		t.Fatal("--no-dashboard opened an issue")
	}
}

// --ticked-only (the issues: edited workflow) passes over the ticked
// servers alone; the dashboard keeps every other line as it was.
func TestDashboardTickedOnly(t *testing.T) {
	f := newDashboardFixture(t, false)
	f.gh.SetPermission("alice", "write")
	f.pass(exitOK)
	before := f.dashboardIssue().Body

	// Nothing ticked: no server is passed over, nothing written.
	f.gh.ResetLog()
	if rep := f.pass(exitOK, "--ticked-only"); len(rep.Decisions) != 0 {
		t.Fatalf("untouched dashboard, yet decisions: %+v", rep.Decisions)
	}
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("wrote: %+v", w)
	}

	f.tick("alice", dashboard.ProposeNow, "cool")
	rep := f.pass(exitOK, "--ticked-only")
	if len(rep.Decisions) != 1 || rep.Decisions[0].Server != "cool" || rep.Decisions[0].Decision != "bump" {
		t.Fatalf("decisions: %+v", rep.Decisions)
	}
	after := f.dashboardIssue().Body
	if strings.Contains(after, "[x]") || !strings.Contains(after, "propose now **cool**: proposed in #") {
		t.Errorf("dashboard:\n%s", after)
	}
	for _, keep := range []string{"Frozen", "Ignored"} {
		if section(after, keep) != section(before, keep) {
			t.Errorf("section %s changed:\n%s\n---\n%s", keep, section(before, keep), section(after, keep))
		}
	}
	if !strings.Contains(section(after, "Open pull requests"), "**cool** #") {
		t.Errorf("cool's PR not listed:\n%s", after)
	}
}

// A refused tick on a server a partial pass does not cover is not
// written back ticked: the bot's own write would vouch for it.
func TestDashboardRefusedTickNotCarried(t *testing.T) {
	f := newDashboardFixture(t, false)
	f.gh.SetPermission("bob", "read")
	f.pass(exitOK)
	f.tick("bob", dashboard.ProposeNow, "cool")
	f.pass(exitOK, "--server", "alpha")
	body := f.dashboardIssue().Body
	if strings.Contains(body, "[x]") || !strings.Contains(body, "propose now **cool**: ignored: edited by bob (read) without write access") {
		t.Fatalf("dashboard:\n%s", body)
	}
	// Next full pass: cool still cools down; nothing acted.
	if d, _ := f.pass(exitOK).detailOf("cool"); d != "held" {
		t.Errorf("cool: %s", d)
	}
}

// PRs the merge policy keeps are listed with its reason.
func TestDashboardAwaitingMerge(t *testing.T) {
	f := newMergeFixture(t, time.Time{})
	f.pass(exitOK)
	s := section(f.dashboardIssue().Body, "Awaiting merge")
	if !strings.Contains(s, "**toolkit** #") || !strings.Contains(s, "**tool** #") || !strings.Contains(s, "not allowed") {
		t.Errorf("awaiting merge:\n%s", f.dashboardIssue().Body)
	}
	if s := section(f.dashboardIssue().Body, "Open pull requests"); !strings.Contains(s, "trust verified") {
		t.Errorf("open PRs without trust:\n%s", s)
	}
}
