package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestDryRunEndToEnd resolves a registry whose upstreams cover every kind
// of ref real registries hold, through the command line, and asserts the
// JSON document exactly.
func TestDryRunEndToEnd(t *testing.T) {
	s := gittest.NewServer(t)

	// A named branch that moved.
	develop := newUpstream(t, s, "branch-given", "main", 2)
	developOld := develop.repo.Commit("develop", "develop 1", gittest.Files(map[string]string{"a": "1"}))
	developNew := develop.repo.Commit("develop", "develop 2", gittest.Files(map[string]string{"a": "2"}))

	// No branch given: the default branch is master, and it moved.
	master := newUpstream(t, s, "default-master", "master", 3)
	// No branch given: default main, pin is the head.
	mainUp := newUpstream(t, s, "default-main", "main", 2)

	// A release-tracking server: 1.0.0 pinned; 1.2.0 is the newest
	// release; 0.9.0 is older, 1.3.0-rc1 a prerelease, "nightly" no version.
	tagged := newUpstream(t, s, "tagged", "main", 5)
	tagged.repo.Tag("0.9.0", tagged.commits[0], false)
	tagged.repo.Tag("1.0.0", tagged.commits[1], true)
	tagged.repo.Tag("1.1.0", tagged.commits[2], false)
	tagged.repo.Tag("1.2.0", tagged.commits[3], true)
	tagged.repo.Tag("1.3.0-rc1", tagged.commits[4], true)
	tagged.repo.Tag("nightly", tagged.commits[4], false)

	// A pull request ref, and a branch deleted upstream.
	prRef := newUpstream(t, s, "pr-ref", "main", 1)
	prRef.repo.SetRef("refs/pull/7/merge", prRef.commits[0])
	deleted := newUpstream(t, s, "deleted-branch", "main", 1)

	// Served over git:// as well.
	daemon := newUpstream(t, s, "over-daemon", "trunk", 2)

	unreachable := gittest.ClosedURL(t, "http", "gone")
	missing := s.RepoURL("no-such-repo")

	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/branch-given/server.yaml":   serverYAML("branch-given", develop.url, "develop", developOld, ""),
		"servers/default-master/server.yaml": serverYAML("default-master", master.url, "", master.commits[0], "src"),
		"servers/default-main/server.yaml":   serverYAML("default-main", mainUp.url, "", mainUp.commits[1], ""),
		"servers/tagged/server.yaml":         serverYAML("tagged", tagged.url, "1.0.0", tagged.commits[1], ""),
		"servers/pr-ref/server.yaml":         serverYAML("pr-ref", prRef.url, "refs/pull/7/merge", prRef.commits[0], ""),
		"servers/deleted-branch/server.yaml": serverYAML("deleted-branch", deleted.url, "feature", deleted.commits[0], ""),
		"servers/over-daemon/server.yaml":    serverYAML("over-daemon", s.DaemonURL("over-daemon"), "", daemon.commits[0], ""),
		"servers/unreachable/server.yaml":    serverYAML("unreachable", unreachable, "", develop.commits[0], ""),
		"servers/missing/server.yaml":        serverYAML("missing", missing, "", develop.commits[0], ""),
		"servers/remote/server.yaml":         "name: remote\ntype: remote\nremote:\n  transport_type: sse\n  url: https://example.com/sse\n",
		"servers/no-pin/server.yaml":         "name: no-pin\ntype: server\nsource:\n  project: " + develop.url + "\n",
		"servers/broken/server.yaml":         "name: broken\ntype: server\nsource: [\n",
	})
	before := snapshot(t, reg)

	code, stdout, stderr := cli(context.Background(), nil,
		"run", "--dry-run", "--json", "--registry", reg, "--cache-dir", t.TempDir(), "--timeout", "20s")
	if code != exitFailed {
		t.Errorf("exit %d, want %d (some servers fail); stderr:\n%s", code, exitFailed, stderr)
	}
	if after := snapshot(t, reg); !reflect.DeepEqual(before, after) {
		t.Error("the dry run changed the registry's working tree")
	}

	// Ports and temporary paths vary between runs; SHAs do not (the
	// fixture's commit times are fixed).
	got := strings.NewReplacer(s.URL, "http://GIT", strings.TrimSuffix(strings.TrimPrefix(s.DaemonURL("x"), "git://"), "/x.git"), "DAEMON",
		strings.TrimSuffix(unreachable, "/gone.git"), "http://CLOSED",
		strings.TrimSuffix(strings.TrimPrefix(unreachable, "http://"), "/gone.git"), "CLOSED").Replace(stdout)
	var doc map[string]any
	if err := json.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatalf("output is not one JSON document: %v\n%s", err, got)
	}
	delete(doc, "started")
	norm, _ := json.MarshalIndent(doc, "", "  ")
	golden(t, "dryrun.json", string(norm)+"\n")

	// The facts the golden file must hold, stated once more in code so a
	// careless -update cannot bless a wrong plan.
	decisions := map[string]map[string]any{}
	for _, d := range doc["decisions"].([]any) {
		m := d.(map[string]any)
		decisions[m["server"].(string)] = m
	}
	want := map[string][2]string{
		"branch-given":   {"bump", developNew},
		"default-master": {"bump", master.commits[2]},
		"default-main":   {"up-to-date", ""},
		"tagged":         {"bump", tagged.commits[3]},
		"pr-ref":         {"frozen", ""},
		"deleted-branch": {"frozen", ""},
		"over-daemon":    {"bump", daemon.commits[1]},
		"unreachable":    {"error", ""},
		"missing":        {"error", ""},
		"remote":         {"skipped", ""},
		"no-pin":         {"error", ""}, // every locally built server is pinned,
		"broken":         {"error", ""},
	}
	for name, w := range want {
		d := decisions[name]
		if d == nil {
			t.Errorf("%s: no decision", name)
			continue
		}
		if d["decision"] != w[0] {
			t.Errorf("%s: decision %v, want %s (%v)", name, d["decision"], w[0], d["detail"])
		}
		if w[1] != "" && d["target"] != w[1] {
			t.Errorf("%s: target %v, want %s", name, d["target"], w[1])
		}
	}
	if b := decisions["tagged"]["branch"]; b != "1.2.0" {
		t.Errorf("tagged: branch %v, want 1.2.0 (newest release; prerelease and non-version tags ignored)", b)
	}
	if d := decisions["default-master"]["ref"]; d != "refs/heads/master" {
		t.Errorf("default-master follows %v, want refs/heads/master", d)
	}
	sum := doc["summary"].(map[string]any)
	if fmt.Sprint(sum["bump"], sum["up_to_date"], sum["frozen"], sum["skipped"], sum["errors"]) != "4 1 2 1 4" {
		t.Errorf("summary %v", sum)
	}
}

// TestDryRunTable checks the output people read: the table, the summary
// line and the exit code.
func TestDryRunTable(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "up", "main", 3)
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/moved/server.yaml": serverYAML("moved", up.url, "", up.commits[0], ""),
		"servers/fresh/server.yaml": serverYAML("fresh", up.url, "main", up.commits[2], ""),
	})
	code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--registry", reg, "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	want := fmt.Sprintf(`SERVER  CURRENT  LATEST   DECISION    DETAIL
fresh   %s  %s  up-to-date  branch main
moved   %s  %s  bump        default branch main; would open PR
2 servers: 1 to bump, 1 up to date, 0 frozen, 0 skipped, 0 errors
`, up.commits[2][:7], up.commits[2][:7], up.commits[0][:7], up.commits[2][:7])
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

func TestRunUsageErrors(t *testing.T) {
	reg := registrytest.NewRegistry(t, map[string]string{"servers/a/server.yaml": serverYAML("a", "https://example.com/a", "", strings.Repeat("a", 40), "")})
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown server", nil, []string{"run", "--dry-run", "--registry", reg, "--server", "a,nope"}, "unknown server(s): nope"},
		{"writes need a repository", nil, []string{"run", "--registry", reg}, "needs GITHUB_REPOSITORY"},
		{"writes need a token", map[string]string{"GITHUB_REPOSITORY": "o/r"}, []string{"run", "--registry", reg}, "needs GITHUB_TOKEN"},
		{"bad shard", nil, []string{"run", "--dry-run", "--registry", reg, "--shard", "3/2"}, "--shard"},
		{"bad review", nil, []string{"run", "--dry-run", "--registry", reg, "--review", "magic"}, "--review"},
		{"bad env flag", map[string]string{"UPDATER_CONCURRENCY": "many"}, []string{"run", "--dry-run", "--registry", reg}, "UPDATER_CONCURRENCY"},
		{"no registry", nil, []string{"run", "--dry-run", "--registry", t.TempDir() + "/none"}, "registry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(context.Background(), tc.env, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
