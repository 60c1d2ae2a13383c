package updater

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// selectionRegistry is a registry with one server of every eligibility
// kind, parsed as Load would, and one file that failed to load.
func selectionRegistry(t *testing.T) ([]*registry.File, []error) {
	t.Helper()
	sources := map[string]string{
		"good":      registrytest.ServerYAML("good", registrytest.Commit),
		"other":     registrytest.ServerYAML("other", registrytest.Commit),
		"remote":    "name: remote\ntype: remote\nremote: {url: https://example.com/mcp}\n",
		"poci":      "name: poci\ntype: poci\ntools:\n  - name: curl\n",
		"noproject": "name: noproject\nimage: mcp/noproject\ntype: server\n",
		"nocommit":  "name: nocommit\ntype: server\nsource:\n  project: https://github.com/example/nocommit\n",
		"badpin":    "name: badpin\ntype: server\nsource:\n  project: https://github.com/example/badpin\n  commit: abc123\n",
	}
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	var files []*registry.File
	for _, name := range names {
		f, err := registry.Parse(registry.ServerPath(name), []byte(sources[name]))
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		files = append(files, f)
	}
	broken := &registry.FileError{Path: "servers/broken/server.yaml", Line: 3, Err: errors.New("mapping values are not allowed here")}
	return files, []error{broken}
}

func TestSelectServers(t *testing.T) {
	files, loadErrs := selectionRegistry(t)
	allNames := map[string]bool{"good": true, "other": true, "remote": true, "poci": true, "noproject": true, "nocommit": true, "badpin": true, "broken": true}
	for _, tc := range []struct {
		name         string
		only         []string
		shard        Shard
		wantEligible []string
		wantDecided  []string // "server action: detail", sorted
	}{
		{
			name:         "everything",
			wantEligible: []string{"good", "other"},
			wantDecided: []string{
				"badpin error: servers/badpin/server.yaml:5: source.commit \"abc123\" is not a 40-hex SHA",
				"broken error: servers/broken/server.yaml:3: mapping values are not allowed here",
				"nocommit error: servers/nocommit/server.yaml:3: source.commit is missing: a locally built server must be pinned",
				"noproject skipped: no source.project: image built elsewhere",
				"poci skipped: poci server: nothing is built from source",
				"remote skipped: remote server: nothing is built from source",
			},
		},
		{
			name:         "filtered",
			only:         []string{"good", "broken", "remote"},
			wantEligible: []string{"good"},
			wantDecided: []string{
				"broken error: servers/broken/server.yaml:3: mapping values are not allowed here",
				"remote skipped: remote server: nothing is built from source",
			},
		},
		{
			name:         "sharded",
			shard:        Shard{Index: 2, Count: 2},
			wantEligible: filterShard([]string{"good", "other"}, 2, 2),
			wantDecided: filterShard([]string{
				"badpin error: servers/badpin/server.yaml:5: source.commit \"abc123\" is not a 40-hex SHA",
				"broken error: servers/broken/server.yaml:3: mapping values are not allowed here",
				"nocommit error: servers/nocommit/server.yaml:3: source.commit is missing: a locally built server must be pinned",
				"noproject skipped: no source.project: image built elsewhere",
				"poci skipped: poci server: nothing is built from source",
				"remote skipped: remote server: nothing is built from source",
			}, 2, 2),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := selectServers(files, loadErrs, tc.only, tc.shard)
			if err != nil {
				t.Fatal(err)
			}
			var eligible []string
			for _, f := range sel.eligible {
				eligible = append(eligible, f.Name)
			}
			if !reflect.DeepEqual(eligible, tc.wantEligible) {
				t.Errorf("eligible = %v, want %v", eligible, tc.wantEligible)
			}
			var decided []string
			for _, d := range sel.decided {
				decided = append(decided, fmt.Sprintf("%s %s: %s", d.Server, d.Action, d.Detail))
				if d.Path != registry.ServerPath(d.Server) {
					t.Errorf("%s: path %q", d.Server, d.Path)
				}
				if !tc.shard.Has(d.Server) {
					t.Errorf("%s decided outside shard %v", d.Server, tc.shard)
				}
			}
			sort.Strings(decided)
			if !reflect.DeepEqual(decided, tc.wantDecided) {
				t.Errorf("decided:\n%q\nwant\n%q", decided, tc.wantDecided)
			}
			// Every name the registry holds stays known, whatever the
			// filter: a PR for a filtered-out server is not a removed one.
			if !reflect.DeepEqual(sel.names, allNames) {
				t.Errorf("names = %v, want %v", sel.names, allNames)
			}
		})
	}
}

func TestSelectServersKeepsThePinOfAnInvalidOne(t *testing.T) {
	files, _ := selectionRegistry(t)
	sel, err := selectServers(files, nil, []string{"badpin"}, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.decided) != 1 || sel.decided[0].Current != "abc123" || sel.decided[0].Action != ActionError {
		t.Errorf("decided = %+v, want one error with current abc123", sel.decided)
	}
}

func TestSelectServersUnknownNames(t *testing.T) {
	files, loadErrs := selectionRegistry(t)
	_, err := selectServers(files, loadErrs, []string{"zzz", "good", "nope"}, Shard{})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a *UsageError", err)
	}
	if want := "unknown server(s): nope, zzz"; ue.Msg != want {
		t.Errorf("message %q, want %q", ue.Msg, want)
	}
}

func TestServerOfError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&registry.FileError{Path: "servers/stripe/server.yaml", Err: fs.ErrPermission}, "stripe"},
		{fmt.Errorf("loading: %w", &registry.FileError{Path: "servers/a.b/server.yaml", Err: fs.ErrNotExist}), "a.b"},
		{errors.New("registry x: no servers directory"), "registry x: no servers directory"},
	} {
		if got := serverOfError(tc.err); got != tc.want {
			t.Errorf("serverOfError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// shardOf is the 1-based shard of name among n, computed here
// independently of Shard.Has.
func shardOf(name string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(n)) + 1
}

// filterShard keeps the entries whose first word is a server name in
// shard index of count.
func filterShard(entries []string, index, count int) []string {
	var out []string
	for _, n := range entries {
		if name, _, _ := strings.Cut(n, " "); shardOf(name, count) == index {
			out = append(out, n)
		}
	}
	return out
}

func TestShardPartition(t *testing.T) {
	const servers, shards = 1000, 7
	sizes := make([]int, shards)
	for i := 0; i < servers; i++ {
		name := fmt.Sprintf("mcp-server-%04d", i)
		in := 0
		for s := 1; s <= shards; s++ {
			if (Shard{Index: s, Count: shards}).Has(name) {
				in++
				sizes[s-1]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards, want exactly 1", name, in)
		}
	}
	// Roughly balanced: each shard within ±30% of its fair share.
	fair := float64(servers) / shards
	for i, n := range sizes {
		if float64(n) < 0.7*fair || float64(n) > 1.3*fair {
			t.Errorf("shard %d/%d holds %d servers, want %.0f ± 30%% (sizes %v)", i+1, shards, n, fair, sizes)
		}
	}
}

// TestShardGolden pins which shard a few names fall in: a change of hash
// would move servers between nightly jobs, and must be deliberate.
func TestShardGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shard int // of 7
	}{
		{"stripe", 7},
		{"fetch", 3},
		{"github", 1},
		{"SQLite", 6},
		{"aws-kb-retrieval-server", 5},
		{"notion", 5},
		{"mcp-server-0042", 2},
	} {
		for s := 1; s <= 7; s++ {
			if got, want := (Shard{Index: s, Count: 7}).Has(tc.name), s == tc.shard; got != want {
				t.Errorf("Shard{%d, 7}.Has(%q) = %v, want %v", s, tc.name, got, want)
			}
		}
	}
	for _, sh := range []Shard{{}, {Index: 1, Count: 1}} {
		if !sh.Has("anything") {
			t.Errorf("%+v must hold every server", sh)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
	}{
		{"", Shard{}},
		{"1/1", Shard{1, 1}},
		{"2/5", Shard{2, 5}},
		{"7/7", Shard{7, 7}},
	} {
		got, err := ParseShard(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
	for _, in := range []string{
		"0/3", "4/3", "1/0", "0/0", "-1/3", "1/-3", "3", "1/", "/3", "a/b", "1/3x", " 1/3", "1/3 ", "01/3", "+1/3",
		"1 / 3", "1/3/5", "99999999999999999999/3", "1\n/3",
	} {
		_, err := ParseShard(in)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("ParseShard(%q) err = %v, want a *UsageError", in, err)
		}
	}
}
