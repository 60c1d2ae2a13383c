package updater

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
)

// testSHA is a full 40-hex commit SHA made of one repeated hex digit, so
// tests read as "pin a moves to b".
func testSHA(c byte) string { return strings.Repeat(string(c), 40) }

// pinnedFile is a locally built server as the planner sees it.
func pinnedFile(name, branch, commit string) *registry.File {
	return &registry.File{
		Name: name,
		Path: registry.ServerPath(name),
		Server: registry.Server{
			Name: name, Type: registry.TypeServer,
			Source: &registry.Source{Project: "https://github.com/example/" + name, Branch: branch, Commit: commit, Directory: "src"},
		},
	}
}

func TestPlan(t *testing.T) {
	a, b := testSHA('a'), testSHA('b')
	for _, tc := range []struct {
		name    string
		branch  string // source.branch of the server
		res     upstream.Resolution
		err     error
		want    Decision // exported fields only
		wantRes bool     // the resolution is kept for re-planning
	}{
		{
			name: "resolve error",
			err:  errors.New("https://github.com/example/demo: list refs: connection refused"),
			want: Decision{Action: ActionError, Current: a, Detail: "https://github.com/example/demo: list refs: connection refused"},
		},
		{
			name:   "frozen pull request ref",
			branch: "refs/pull/7/merge",
			res:    upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/pull/7/merge", Frozen: "follows pull request ref refs/pull/7/merge"},
			want:   Decision{Action: ActionFrozen, Current: a, Ref: "refs/pull/7/merge", Detail: "follows pull request ref refs/pull/7/merge"},
		},
		{
			name:   "frozen ref gone",
			branch: "feature",
			res:    upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/feature", Frozen: "ref feature no longer exists upstream"},
			want:   Decision{Action: ActionFrozen, Current: a, Ref: "refs/heads/feature", Detail: "ref feature no longer exists upstream"},
		},
		{
			name: "up to date on the default branch",
			res:  upstream.Resolution{Kind: upstream.KindDefaultBranch, Ref: "refs/heads/master", Commit: a},
			want: Decision{Action: ActionUpToDate, Current: a, Latest: a, Ref: "refs/heads/master", Detail: "default branch master"},
		},
		{
			name:   "bump on a named branch",
			branch: "main",
			res:    upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/main", Commit: b},
			want:   Decision{Action: ActionBump, Current: a, Latest: b, Target: b, Ref: "refs/heads/main", Detail: "branch main"},
		},
		{
			name:   "tag move sets Branch",
			branch: "v1.2.3",
			res:    upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v1.3.0", Commit: b, Branch: "v1.3.0"},
			want: Decision{Action: ActionBump, Current: a, Latest: b, Target: b, Ref: "refs/tags/v1.3.0", Branch: "v1.3.0",
				Detail: "tag v1.2.3 -> v1.3.0"},
		},
		{
			// Two tags on one commit: only source.branch changes, and that
			// is still a rewrite the registry must receive.
			name:   "tag move to the same commit",
			branch: "v1.2.3",
			res:    upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v1.2.4", Commit: a, Branch: "v1.2.4"},
			want: Decision{Action: ActionBump, Current: a, Latest: a, Target: a, Ref: "refs/tags/v1.2.4", Branch: "v1.2.4",
				Detail: "tag v1.2.3 -> v1.2.4"},
		},
		{
			name:   "tag unchanged",
			branch: "v1.2.3",
			res:    upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v1.2.3", Commit: a, Branch: "v1.2.3"},
			want:   Decision{Action: ActionUpToDate, Current: a, Latest: a, Ref: "refs/tags/v1.2.3", Detail: "tag v1.2.3"},
		},
		{
			name:   "branch unchanged, commit moved",
			branch: "v1.2.3",
			res:    upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v1.2.3", Commit: b, Branch: "v1.2.3"},
			want:   Decision{Action: ActionBump, Current: a, Latest: b, Target: b, Ref: "refs/tags/v1.2.3", Detail: "tag v1.2.3"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := pinnedFile("demo", tc.branch, a)
			got := plan(f, tc.res, tc.err)
			tc.want.Server, tc.want.Path = "demo", "servers/demo/server.yaml"
			if !sameExported(got, tc.want) {
				t.Errorf("plan:\n got %+v\nwant %+v", exported(got), tc.want)
			}
			if got.project != f.Server.Source.Project || got.directory != "src" || got.oldBranch != tc.branch {
				t.Errorf("unexported: project %q directory %q oldBranch %q", got.project, got.directory, got.oldBranch)
			}
			if got.res != tc.res {
				t.Errorf("res = %+v, want the resolution kept", got.res)
			}
		})
	}
}

// exported drops the unexported fields of a decision, for comparison and
// printing.
func exported(d Decision) Decision {
	return Decision{
		Server: d.Server, Path: d.Path, Action: d.Action, Current: d.Current, Latest: d.Latest, Target: d.Target,
		Ref: d.Ref, Branch: d.Branch, Detail: d.Detail, Commits: d.Commits, PR: d.PR, Review: d.Review, CoolingUntil: d.CoolingUntil,
	}
}

func sameExported(a, b Decision) bool {
	a, b = exported(a), exported(b)
	if (a.CoolingUntil == nil) != (b.CoolingUntil == nil) || a.CoolingUntil != nil && !a.CoolingUntil.Equal(*b.CoolingUntil) {
		return false
	}
	a.CoolingUntil, b.CoolingUntil = nil, nil
	if (a.PR == nil) != (b.PR == nil) || a.PR != nil && *a.PR != *b.PR {
		return false
	}
	a.PR, b.PR = nil, nil
	if (a.Review == nil) != (b.Review == nil) || a.Review != nil && *a.Review != *b.Review {
		return false
	}
	a.Review, b.Review = nil, nil
	return a == b
}

func TestCooldown(t *testing.T) {
	cur, mid, latest := testSHA('1'), testSHA('2'), testSHA('3')
	latestTime := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	until := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // latestTime + 72h, in UTC
	bump := Decision{Server: "demo", Action: ActionBump, Current: cur, Latest: latest, Target: latest, Detail: "branch main"}
	held := Decision{Server: "demo", Action: ActionHeld, Current: cur, Latest: latest, Detail: "cooling down until 2026-11-23T09:00:00Z", CoolingUntil: &until}

	for _, tc := range []struct {
		name      string
		d         Decision
		candidate string
		behind    bool
		minAge    time.Duration
		want      Decision
	}{
		{"no min-age", bump, "", false, 0, bump},
		{"not a bump", Decision{Action: ActionUpToDate, Current: cur, Latest: cur}, "", false, 72 * time.Hour, Decision{Action: ActionUpToDate, Current: cur, Latest: cur}},
		{"candidate is the target", bump, latest, false, 72 * time.Hour, bump},
		{"nothing old enough", bump, "", false, 72 * time.Hour, held},
		{"candidate is the pin", bump, cur, false, 72 * time.Hour, held},
		{"candidate behind the pin", bump, mid, true, 72 * time.Hour, held},
		{
			"older candidate proposed", bump, mid, false, 72 * time.Hour,
			Decision{Server: "demo", Action: ActionBump, Current: cur, Latest: latest, Target: mid,
				Detail: "branch main (newest commit older than 72h0m0s; 3333333 is cooling down)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cooldown(tc.d, tc.candidate, tc.behind, latestTime, tc.minAge)
			if !sameExported(got, tc.want) {
				t.Errorf("cooldown:\n got %+v\nwant %+v", exported(got), tc.want)
			}
			if got.CoolingUntil != nil && got.CoolingUntil.Location() != time.UTC {
				t.Errorf("CoolingUntil in %v, want UTC", got.CoolingUntil.Location())
			}
		})
	}
}

func TestRefLabel(t *testing.T) {
	for _, tc := range []struct {
		res  upstream.Resolution
		want string
	}{
		{upstream.Resolution{Kind: upstream.KindDefaultBranch, Ref: "refs/heads/master"}, "default branch master"},
		{upstream.Resolution{Kind: upstream.KindDefaultBranch, Ref: "HEAD", Via: "api"}, "default branch"},
		{upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/release/1.x"}, "branch release/1.x"},
		{upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v2.0.0"}, "tag v2.0.0"},
		{upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/2025.4.24"}, "tag 2025.4.24"},
		{upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/pull/7/merge"}, "branch refs/pull/7/merge"},
	} {
		if got := refLabel(tc.res); got != tc.want {
			t.Errorf("refLabel(%+v) = %q, want %q", tc.res, got, tc.want)
		}
	}
}

func TestShort(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"abc":                  "abc",
		"abcdefg":              "abcdefg",
		"abcdefgh":             "abcdefg",
		testSHA('f'):           "fffffff",
		"0123456789abcdef0123": "0123456",
	} {
		if got := short(in); got != want {
			t.Errorf("short(%q) = %q, want %q", in, got, want)
		}
	}
}
