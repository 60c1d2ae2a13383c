package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
	"github.com/mcp-registry/updater/updater"
)

// TestShardsCoverTheRegistry runs `run --dry-run --shard i/3` over a
// registry of 30 servers (pinned, skipped and broken ones among them):
// across the three jobs every server is handled exactly once, and each
// job's report says which shard it was.
func TestShardsCoverTheRegistry(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "monorepo", "main", 2)
	files := map[string]string{}
	var names []string
	for i := 0; i < 30; i++ {
		name := fmt.Sprintf("server-%02d", i)
		names = append(names, name)
		switch {
		case i%10 == 3:
			files["servers/"+name+"/server.yaml"] = "name: " + name + "\ntype: remote\nremote:\n  transport_type: sse\n  url: https://example.com/sse\n"
		case i == 17:
			files["servers/"+name+"/server.yaml"] = "name: " + name + "\ntype: server\nsource: [\n"
		default:
			files["servers/"+name+"/server.yaml"] = serverYAML(name, up.url, "", up.commits[i%2], "")
		}
	}
	reg := registrytest.NewRegistry(t, files)
	cache := t.TempDir()

	seen := map[string]string{} // server -> shard
	for i := 1; i <= 3; i++ {
		shard := fmt.Sprintf("%d/3", i)
		code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--json", "--registry", reg, "--cache-dir", cache, "--shard", shard)
		if code != exitOK && code != exitFailed { // the broken file fails in its shard
			t.Fatalf("shard %s: exit %d\n%s", shard, code, stderr)
		}
		var rep struct {
			Shard     string `json:"shard"`
			Decisions []struct {
				Server string `json:"server"`
			} `json:"decisions"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("shard %s: %v\n%s", shard, err, stdout)
		}
		if rep.Shard != shard {
			t.Errorf("report says shard %q, want %q", rep.Shard, shard)
		}
		if len(rep.Decisions) == 0 {
			t.Errorf("shard %s is empty: a poor spread over 30 names", shard)
		}
		for _, d := range rep.Decisions {
			if other, dup := seen[d.Server]; dup {
				t.Errorf("%s is in shards %s and %s", d.Server, other, shard)
			}
			seen[d.Server] = shard
		}
	}
	for _, name := range names {
		if _, ok := seen[name]; !ok {
			t.Errorf("%s is in no shard", name)
		}
	}
	if len(seen) != len(names) {
		t.Errorf("%d servers seen, want %d", len(seen), len(names))
	}
}

// TestShardWithoutTheSelectedServers: --server names a server another
// shard holds. The pass would do nothing; it says where the server is and
// exits 2 instead of reporting "0 servers" as a success.
func TestShardWithoutTheSelectedServers(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 1)
	reg := registrytest.NewRegistry(t, map[string]string{"servers/alpha/server.yaml": serverYAML("alpha", up.url, "", up.commits[0], "")})
	home := updater.Shard{Index: 1, Count: 3}.Of("alpha")
	other := updater.Shard{Index: home.Index%3 + 1, Count: 3}
	code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--registry", reg, "--cache-dir", t.TempDir(),
		"--server", "alpha", "--shard", other.String())
	want := fmt.Sprintf("--shard %s holds none of the selected servers (alpha is in shard %s)", other, home)
	if code != exitUsage || !strings.Contains(stderr, want) || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q\nwant exit 2 and %q", code, stdout, stderr, want)
	}
	code, _, stderr = cli(context.Background(), nil, "run", "--dry-run", "--registry", reg, "--cache-dir", t.TempDir(),
		"--server", "alpha", "--shard", home.String())
	if code != exitOK {
		t.Errorf("in its own shard: exit %d\n%s", code, stderr)
	}
}
