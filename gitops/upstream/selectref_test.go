package upstream

import (
	"errors"
	"strings"
	"testing"
)

// Commits named by letter, so expectations read like the listing.
const (
	shaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	shaC = "cccccccccccccccccccccccccccccccccccccccc"
	shaD = "dddddddddddddddddddddddddddddddddddddddd"
	shaE = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	shaF = "ffffffffffffffffffffffffffffffffffffffff"
)

func TestSelectRef(t *testing.T) {
	listing := &Refs{
		Head: "refs/heads/master",
		Refs: map[string]string{
			"refs/heads/master":       shaA,
			"refs/heads/develop":      shaB,
			"refs/heads/v2":           shaC, // a branch named like a version
			"refs/pull/7/merge":       shaD,
			"refs/pull/7/head":        shaD,
			"refs/notes/commits":      shaE,
			"refs/tags/v1.2.3":        shaA,
			"refs/tags/v1.3.0":        shaB,
			"refs/tags/v1.10.0":       shaC, // 1.10 > 1.3: not string order
			"refs/tags/v1.9.9":        shaE,
			"refs/tags/v2.0.0-rc.1":   shaD, // prerelease: ignored from a release
			"refs/tags/latest":        shaF, // not a version
			"refs/tags/server-v9.0":   shaF, // not a version (prefix)
			"refs/tags/2025.4.24":     shaE, // calendar family
			"refs/tags/2025.10.1":     shaF,
			"refs/tags/3.0.0-beta.2":  shaC,
			"refs/tags/3.0.0-beta.10": shaD,
			"refs/tags/stable":        shaB,
		},
	}
	tests := []struct {
		name    string
		refs    *Refs
		branch  string
		want    Resolution
		wantErr string
	}{
		{name: "default branch master", branch: "",
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/master", Commit: shaA}},
		{name: "default branch trunk", refs: &Refs{Head: "refs/heads/trunk", Refs: map[string]string{"refs/heads/trunk": shaB, "refs/heads/main": shaA}},
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/trunk", Commit: shaB}},
		{name: "no HEAD advertised", refs: &Refs{Refs: map[string]string{"refs/heads/main": shaA}},
			wantErr: "does not advertise a default branch"},
		{name: "HEAD unborn", refs: &Refs{Head: "refs/heads/main", Refs: map[string]string{"refs/heads/other": shaA}},
			wantErr: "refs/heads/main, which has no commits"},
		{name: "HEAD at a pull request ref", refs: &Refs{Head: "refs/pull/1/head", Refs: map[string]string{"refs/pull/1/head": shaB, "refs/heads/main": shaA}},
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/pull/1/head", Frozen: "follows pull request ref refs/pull/1/head"}},
		{name: "HEAD at a tag", refs: &Refs{Head: "refs/tags/v1", Refs: map[string]string{"refs/tags/v1": shaB}},
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/tags/v1", Frozen: "the upstream's HEAD points at refs/tags/v1, not at a branch", NewestRelease: "v1"}},
		{name: "branch given", branch: "develop",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/develop", Commit: shaB}},
		{name: "full branch ref", branch: "refs/heads/develop",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/develop", Commit: shaB}},
		{name: "branch wins over version shape", branch: "v2",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/v2", Commit: shaC}},
		{name: "deleted branch", branch: "feature/x",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/feature/x", Frozen: "ref feature/x no longer exists upstream", NewestRelease: "v1.10.0"}},
		{name: "deleted full branch", branch: "refs/heads/gone",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/gone", Frozen: "ref refs/heads/gone no longer exists upstream", NewestRelease: "v1.10.0"}},
		{name: "pull request merge ref", branch: "refs/pull/7/merge",
			want: Resolution{Kind: KindBranch, Ref: "refs/pull/7/merge", Frozen: "follows pull request ref refs/pull/7/merge", NewestRelease: "v1.10.0"}},
		{name: "pull request head ref missing", branch: "refs/pull/8/head",
			want: Resolution{Kind: KindBranch, Ref: "refs/pull/8/head", Frozen: "follows pull request ref refs/pull/8/head", NewestRelease: "v1.10.0"}},
		{name: "other ref namespace", branch: "refs/notes/commits",
			want: Resolution{Kind: KindBranch, Ref: "refs/notes/commits", Frozen: "follows ref refs/notes/commits, which is neither a branch nor a tag", NewestRelease: "v1.10.0"}},
		{name: "tag moves to newest release", branch: "v1.2.3",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v1.10.0", Commit: shaC, Branch: "v1.10.0", PinnedTagCommit: shaA}},
		{name: "full tag ref moves in the same style", branch: "refs/tags/v1.2.3",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v1.10.0", Commit: shaC, Branch: "refs/tags/v1.10.0", PinnedTagCommit: shaA}},
		{name: "newest is current", branch: "v1.10.0",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v1.10.0", Commit: shaC, PinnedTagCommit: shaC}},
		{name: "calendar version stays calendar", branch: "2025.4.24",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/2025.10.1", Commit: shaF, Branch: "2025.10.1", PinnedTagCommit: shaE}},
		{name: "prerelease current follows prereleases", branch: "3.0.0-beta.2",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/3.0.0-beta.10", Commit: shaD, Branch: "3.0.0-beta.10", PinnedTagCommit: shaC}},
		{name: "non-version tag followed as is", branch: "stable",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/stable", Commit: shaB, PinnedTagCommit: shaB}},
		{name: "deleted version tag is frozen", branch: "v0.9.0",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v0.9.0", Frozen: "ref v0.9.0 no longer exists upstream", NewestRelease: "v1.10.0"}},
		{name: "deleted full tag ref", branch: "refs/tags/nope",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/nope", Frozen: "ref refs/tags/nope no longer exists upstream", NewestRelease: "v1.10.0"}},
		{name: "invalid branch name", branch: "main..evil", wantErr: "not a valid git ref name"},
		{name: "control character in branch", branch: "main\x1b[31m", wantErr: "not a valid git ref name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs := tt.refs
			if refs == nil {
				refs = listing
			}
			got, err := SelectRef(refs, tt.branch)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SelectRef(%q) error = %v, want %q", tt.branch, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("SelectRef(%q): %v", tt.branch, err)
			}
			if got != tt.want {
				t.Errorf("SelectRef(%q)\n got %+v\nwant %+v", tt.branch, got, tt.want)
			}
		})
	}
}

func TestSelectRefNoDefaultIsSentinel(t *testing.T) {
	_, err := SelectRef(&Refs{Refs: map[string]string{}}, "")
	if !errors.Is(err, ErrNoDefaultBranch) {
		t.Fatalf("err = %v, want ErrNoDefaultBranch", err)
	}
}

func TestSelectRefTieBreaks(t *testing.T) {
	// The same version spelled three ways: current's spelling wins, and
	// the choice is stable whatever the map order.
	refs := &Refs{Refs: map[string]string{
		"refs/tags/v1.0.0": shaA,
		"refs/tags/1.1":    shaB,
		"refs/tags/1.1.0":  shaC,
		"refs/tags/v1.1.0": shaD,
	}}
	for range 20 {
		got, err := SelectRef(refs, "v1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if got.Ref != "refs/tags/v1.1.0" || got.Branch != "v1.1.0" || got.Commit != shaD {
			t.Fatalf("got %+v, want v1.1.0", got)
		}
		got, _ = SelectRef(refs, "1.1")
		if got.Ref != "refs/tags/1.1" || got.Branch != "" {
			t.Fatalf("equal version in another spelling must not move: %+v", got)
		}
	}
}

func TestParseTagVersion(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		nums []int
		pre  string
	}{
		{"v1.2.3", true, []int{1, 2, 3}, ""},
		{"1.2.3", true, []int{1, 2, 3}, ""},
		{"V2", true, []int{2}, ""},
		{"2025.4.24", true, []int{2025, 4, 24}, ""},
		{"1.2.3.4", true, []int{1, 2, 3, 4}, ""},
		{"1.2.3-rc.1", true, []int{1, 2, 3}, "rc.1"},
		{"1.2.3+build.5", true, []int{1, 2, 3}, ""},
		{"1.2.3-alpha+meta", true, []int{1, 2, 3}, "alpha"},
		{"1.2.3.4.5", false, nil, ""},
		{"1..2", false, nil, ""},
		{"1.2.3-", false, nil, ""},
		{"1.2.x", false, nil, ""},
		{"latest", false, nil, ""},
		{"release-1.0", false, nil, ""},
		{"v", false, nil, ""},
		{"", false, nil, ""},
		{"1234567890.1", false, nil, ""}, // component too long
		{"1.2.3-rc_1", false, nil, ""},
	}
	for _, tt := range tests {
		v, ok := parseTagVersion(tt.in)
		if ok != tt.ok {
			t.Errorf("parseTagVersion(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if !equalInts(v.nums, tt.nums) || strings.Join(v.pre, ".") != tt.pre {
			t.Errorf("parseTagVersion(%q) = %v %v, want %v %q", tt.in, v.nums, v.pre, tt.nums, tt.pre)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	// Each is strictly less than the next (semver.org's precedence list,
	// plus component-count and numeric cases).
	ordered := []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
		"1.2", "1.2.0.1", "1.9.0", "1.10.0", "2",
	}
	for i := range ordered {
		for j := range ordered {
			a, _ := parseTagVersion(ordered[i])
			b, _ := parseTagVersion(ordered[j])
			if got, want := compareVersions(a, b), cmpInt(i, j); got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	a, _ := parseTagVersion("v1.2")
	b, _ := parseTagVersion("1.2.0+build")
	if compareVersions(a, b) != 0 {
		t.Error("v1.2 and 1.2.0+build must compare equal")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
