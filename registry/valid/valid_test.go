package valid

import (
	"strings"
	"testing"
)

func TestFullSHA(t *testing.T) {
	for s, want := range map[string]bool{
		"0123456789abcdef0123456789abcdef01234567":  true,
		"0123456789ABCDEF0123456789ABCDEF01234567":  true,
		"0123456789abcdef0123456789abcdef0123456":   false,
		"0123456789abcdef0123456789abcdef012345678": false,
		"g123456789abcdef0123456789abcdef01234567":  false,
		"": false,
	} {
		if got := FullSHA(s); got != want {
			t.Errorf("FullSHA(%q) = %v, want %v", s, got, want)
		}
	}
}

// RefName is the union of the rules the registry, the upstream reader and
// the GitHub writer each used to apply.
func TestRefName(t *testing.T) {
	for name, want := range map[string]bool{
		"main": true, "release/v1.2": true, "refs/heads/main": true, "refs/tags/v1.0.0": true,
		"refs/pull/12/head": true, "updater/pin-stripe": true, "feature/ünïcode": true, "HEAD": true,
		"": false, "@": false, "-delete": false, "refs/heads/-x": false, "refs/tags/-x": false,
		"a..b": false, "a@{1}": false, "a//b": false, "/a": false, "a/": false, "a.": false,
		"a b": false, "a\tb": false, "a\x7fb": false, "a~1": false, "a^": false, "a:b": false,
		"a?": false, "a*": false, "a[b": false, `a\b`: false, ".hidden": false, "a/.b": false,
		"a.lock": false, "a.lock/b": false, "a/@": false, "a/@/b": false,
		strings.Repeat("a", 255): true, strings.Repeat("a", 256): false,
	} {
		if got := RefName(name); got != want {
			t.Errorf("RefName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRepository(t *testing.T) {
	for in, want := range map[string]bool{
		"registry-owner/registry": true, "ghe_user/repo.name": true, "a/b": true,
		"": false, "a": false, "a/": false, "/b": false, "a/b/c": false, "a b/c": false,
		"./b": false, "a/..": false, "a/" + strings.Repeat("x", 101): false,
	} {
		owner, name, ok := Repository(in)
		if ok != want || (ok && owner+"/"+name != in) {
			t.Errorf("Repository(%q) = %q, %q, %v; want ok=%v", in, owner, name, ok, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/a/b":                       "https://github.com/a/b",
		"https://x-access-token:ghs_1@github.com/a/b":  "https://***@github.com/a/b",
		"https://user:pa/ss@github.com/a/b":            "https://***@github.com/a/b",
		"git@github.com:a/b.git":                       "***@github.com:a/b.git",
		"https://github.com/a/b?private_token=ghs_1#x": "https://github.com/a/b?***",
		"https://github.com/a/b#ghs_1":                 "https://github.com/a/b#***",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
