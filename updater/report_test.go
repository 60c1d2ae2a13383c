package updater

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleReport has a decision of every kind, a PR of several outcomes, a
// review, and API statistics.
func sampleReport() *Report {
	cur, latest, older := testSHA('1'), testSHA('3'), testSHA('2')
	until := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	return &Report{
		Started: time.Date(2026, 11, 23, 3, 17, 0, 0, time.UTC),
		DryRun:  false,
		Shard:   "2/7",
		Decisions: []Decision{
			{Server: "broken", Path: "servers/broken/server.yaml", Action: ActionError,
				Detail: "servers/broken/server.yaml:3: mapping values | are <b>not</b> allowed\nhere @octocat"},
			{Server: "cooling", Path: "servers/cooling/server.yaml", Action: ActionHeld, Current: cur, Latest: latest,
				Detail: "cooling down until 2026-11-26T03:00:00Z", CoolingUntil: &until},
			{Server: "deferred", Path: "servers/deferred/server.yaml", Action: ActionDeferred, Current: cur, Latest: latest, Target: latest,
				Detail: "--max-new-prs 1 reached in this pass", PR: &PRResult{Outcome: "deferred"}},
			{Server: "fetch", Path: "servers/fetch/server.yaml", Action: ActionBump, Current: cur, Latest: latest, Target: latest,
				Ref: "refs/heads/main", Detail: "branch main", Commits: 12,
				PR:     &PRResult{Number: 41, URL: "https://github.com/acme/registry/pull/41", Outcome: "opened", Pushed: true},
				Review: &ReviewResult{Risk: "medium", Findings: 3, Check: "neutral"}},
			{Server: "heroku", Path: "servers/heroku/server.yaml", Action: ActionFrozen, Current: cur, Ref: "refs/pull/7/merge",
				Detail: "follows pull request ref refs/pull/7/merge"},
			{Server: "remote", Path: "servers/remote/server.yaml", Action: ActionSkipped, Detail: "remote server: nothing is built from source"},
			{Server: "slow", Path: "servers/slow/server.yaml", Action: ActionBump, Current: cur, Latest: latest, Target: older,
				Ref: "refs/heads/main", Detail: "branch main (newest commit older than 72h0m0s; 3333333 is cooling down)",
				PR:     &PRResult{Number: 7, URL: "https://github.com/acme/registry/pull/7", Outcome: "updated"},
				Review: &ReviewResult{Risk: "critical", Blocked: true, Findings: 1, Check: "failure"}},
			{Server: "tagged", Path: "servers/tagged/server.yaml", Action: ActionBump, Current: cur, Latest: latest, Target: latest,
				Ref: "refs/tags/v1.3.0", Branch: "v1.3.0", Detail: "tag v1.2.3 -> v1.3.0", PR: &PRResult{Outcome: "would-open"}},
			{Server: "uptodate", Path: "servers/uptodate/server.yaml", Action: ActionUpToDate, Current: cur, Latest: cur,
				Ref: "refs/heads/master", Detail: "default branch master"},
		},
		GitHub: &APIStats{Reads: 7, Writes: 5, Retries: 1, Waits: 2, LongestWait: "3s"},
	}
}

func TestReportWriteTable(t *testing.T) {
	var out bytes.Buffer
	if err := sampleReport().WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report/table.txt", out.String())
}

func TestReportWriteMarkdown(t *testing.T) {
	for _, tc := range []struct {
		golden string
		rep    *Report
	}{
		{"summary.md", sampleReport()},
		{"summary-dry-empty.md", &Report{DryRun: true}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var out bytes.Buffer
			if err := tc.rep.WriteMarkdown(&out); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "report/"+tc.golden, out.String())
		})
	}
}

// hostileName is a server name only a broken registry directory can
// carry: Load reports it as an error named after the directory.
const hostileName = "x|y\n<img src=x onerror=alert(1)>\x1b[2J"

func TestReportWriteMarkdownHostileNames(t *testing.T) {
	rep := &Report{Decisions: []Decision{
		{Server: hostileName, Action: ActionError, Detail: "servers/" + hostileName + "/server.yaml: directory name is not a valid server name"},
		{Server: "held|one", Action: ActionHeld, Detail: "closed by a maintainer (#12)"},
	}}
	var out bytes.Buffer
	if err := rep.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, bad := range []string{"<img", "\x1b", "#12"} {
		if strings.Contains(md, bad) {
			t.Errorf("the summary keeps %q:\n%s", bad, md)
		}
	}
	// Every table row keeps its column count: a name can neither end the
	// row early nor add a cell.
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") && strings.Contains(line, "onerror") {
			t.Errorf("a server name broke out of its table row: %q", line)
		}
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Decision") && !strings.HasPrefix(line, "| Server") {
			if cells := unescapedPipes(line); cells != 3 && cells != 4 {
				t.Errorf("row %q has %d unescaped pipes", line, cells)
			}
		}
	}
}

func unescapedPipes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '|' && (i == 0 || s[i-1] != '\\') {
			n++
		}
	}
	return n
}

func TestReportWriteTableHostileNames(t *testing.T) {
	rep := &Report{Decisions: []Decision{
		{Server: hostileName, Action: ActionError, Detail: "servers/" + hostileName + "/server.yaml: directory name is not a valid server name"},
	}}
	var out bytes.Buffer
	if err := rep.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	// A terminal must not receive escape sequences, and one server is one
	// line (plus the header and the summary).
	if strings.ContainsAny(out.String(), "\x1b\r") {
		t.Errorf("the table passes control characters to the terminal: %q", out.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Errorf("the table has %d lines for one server, want 3: %q", n, out.String())
	}
}

// TestReportWriteJSONFields pins the field names of `updater run --json`:
// they are a documented contract (README, "--json").
func TestReportWriteJSONFields(t *testing.T) {
	var out bytes.Buffer
	if err := sampleReport().WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out.String())
	}
	assertKeys(t, "document", doc, "summary", "started", "dry_run", "shard", "decisions", "github_requests")
	assertKeys(t, "summary", doc["summary"], "servers", "bump", "up_to_date", "held", "deferred", "frozen", "skipped", "errors")
	assertKeys(t, "github_requests", doc["github_requests"], "reads", "writes", "retries", "rate_limit_waits", "longest_wait")
	if doc["started"] != "2026-11-23T03:17:00Z" || doc["dry_run"] != false || doc["shard"] != "2/7" {
		t.Errorf("started %v, dry_run %v, shard %v", doc["started"], doc["dry_run"], doc["shard"])
	}
	wantSummary := map[string]any{"servers": 9.0, "bump": 3.0, "up_to_date": 1.0, "held": 1.0, "deferred": 1.0, "frozen": 1.0, "skipped": 1.0, "errors": 1.0}
	if !reflect.DeepEqual(doc["summary"], wantSummary) {
		t.Errorf("summary = %v, want %v", doc["summary"], wantSummary)
	}

	decisions := doc["decisions"].([]any)
	byServer := map[string]map[string]any{}
	for _, d := range decisions {
		m := d.(map[string]any)
		byServer[m["server"].(string)] = m
	}
	// Empty fields are left out; full SHAs, never short ones.
	assertKeys(t, "fetch", byServer["fetch"], "server", "path", "decision", "current", "latest", "target", "ref", "detail", "commits", "pr", "review")
	assertKeys(t, "fetch.pr", byServer["fetch"]["pr"], "number", "url", "outcome", "pushed")
	assertKeys(t, "fetch.review", byServer["fetch"]["review"], "risk", "findings", "check")
	assertKeys(t, "slow.review", byServer["slow"]["review"], "risk", "blocked", "findings", "check")
	assertKeys(t, "tagged", byServer["tagged"], "server", "path", "decision", "current", "latest", "target", "ref", "branch", "detail", "pr")
	assertKeys(t, "cooling", byServer["cooling"], "server", "path", "decision", "current", "latest", "detail", "cooling_until")
	assertKeys(t, "remote", byServer["remote"], "server", "path", "decision", "detail")
	if got := byServer["fetch"]["target"]; got != testSHA('3') {
		t.Errorf("fetch target %v, want the full SHA", got)
	}
	if got := byServer["fetch"]["decision"]; got != "bump" {
		t.Errorf("fetch decision %v", got)
	}
	if got := byServer["cooling"]["cooling_until"]; got != "2026-11-26T03:00:00Z" {
		t.Errorf("cooling_until %v", got)
	}
	// HTML is not escaped: a reader sees "<b>", not "\u003cb\u003e".
	if !strings.Contains(out.String(), "<b>not</b>") {
		t.Error("WriteJSON escapes HTML")
	}

	// A dry run without GitHub has no request counts and no shard.
	out.Reset()
	if err := (&Report{DryRun: true}).WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	doc = nil
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	assertKeys(t, "empty document", doc, "summary", "started", "dry_run", "decisions")
}

// assertKeys checks that v is a JSON object with exactly the keys want.
func assertKeys(t *testing.T, what string, v any, want ...string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s is %T, want an object", what, v)
		return
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s keys = %v, want %v", what, got, want)
	}
}

func TestCountsSummaryLine(t *testing.T) {
	for _, tc := range []struct {
		c    Counts
		want string
	}{
		{Counts{}, "0 servers: 0 to bump, 0 up to date, 0 frozen, 0 skipped, 0 errors"},
		{Counts{Servers: 328, Bump: 12, UpToDate: 290, Frozen: 3, Skipped: 20, Errors: 3},
			"328 servers: 12 to bump, 290 up to date, 3 frozen, 20 skipped, 3 errors"},
		{Counts{Servers: 1, Errors: 1}, "1 server: 0 to bump, 0 up to date, 0 frozen, 0 skipped, 1 error"},
		{Counts{Servers: 5, Bump: 1, Held: 2, Deferred: 1, Errors: 1},
			"5 servers: 1 to bump, 0 up to date, 2 held, 1 deferred, 0 frozen, 0 skipped, 1 error"},
	} {
		if got := tc.c.SummaryLine(); got != tc.want {
			t.Errorf("SummaryLine(%+v) =\n %q, want\n %q", tc.c, got, tc.want)
		}
	}
	if got := sampleReport().Counts(); got != (Counts{Servers: 9, Bump: 3, UpToDate: 1, Held: 1, Deferred: 1, Frozen: 1, Skipped: 1, Errors: 1}) {
		t.Errorf("Counts() = %+v", got)
	}
}

func TestReportFailed(t *testing.T) {
	if !sampleReport().Failed() {
		t.Error("a report with an error decision did not fail")
	}
	ok := &Report{Decisions: []Decision{{Action: ActionBump}, {Action: ActionDeferred}, {Action: ActionHeld}, {Action: ActionFrozen}, {Action: ActionSkipped}}}
	if ok.Failed() {
		t.Error("a report without errors failed")
	}
}

func TestPRResultDescribe(t *testing.T) {
	for _, tc := range []struct {
		pr   PRResult
		want string
	}{
		{PRResult{Number: 4, Outcome: "opened"}, "opened PR #4"},
		{PRResult{Number: 4, Outcome: "updated"}, "updated PR #4"},
		{PRResult{Number: 4, Outcome: "unchanged"}, "PR #4 up to date"},
		{PRResult{Number: 4, Outcome: "closed"}, "closed PR #4"},
		{PRResult{Outcome: "would-open"}, "would open PR"},
		{PRResult{Number: 4, Outcome: "would-update"}, "would update PR #4"},
		{PRResult{Number: 4, Outcome: "would-close"}, "would close PR #4"},
		{PRResult{Outcome: "would-delete-branch"}, "would delete stale branch"},
		{PRResult{Outcome: "deleted-branch"}, "deleted stale branch"},
		{PRResult{Number: 4, Outcome: "held"}, "held #4"},
		{PRResult{Outcome: "deferred"}, "deferred"},
	} {
		if got := tc.pr.Describe(); got != tc.want {
			t.Errorf("%+v.Describe() = %q, want %q", tc.pr, got, tc.want)
		}
	}
}
