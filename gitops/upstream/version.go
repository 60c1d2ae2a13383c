package upstream

import (
	"strconv"
	"strings"
)

// tagVersion is a release tag parsed as a version: an optional "v", one to
// four numeric components ("1.2.3", "2025.4.24", "v2"), an optional
// semver prerelease ("-rc.1") and build suffix ("+meta", ignored for
// ordering). Tags of any other shape ("latest", "server-v1.2.0",
// "release/1.0") are not versions and are never proposed.
type tagVersion struct {
	name    string // the tag's short name as advertised
	vPrefix bool
	nums    []int
	pre     []string
}

const (
	maxVersionComponents = 4
	maxComponentDigits   = 9 // keeps the int conversion far from overflow
	// calendarMajor separates calendar versions (2025.4.24) from semantic
	// ones: a registry tracking one never jumps to the other.
	calendarMajor = 1000
)

// parseTagVersion parses a tag's short name; ok is false for non-versions.
func parseTagVersion(name string) (v tagVersion, ok bool) {
	v.name = name
	s := name
	if strings.HasPrefix(s, "v") || strings.HasPrefix(s, "V") {
		v.vPrefix = true
		s = s[1:]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !validIdentifiers(s[i+1:]) {
			return v, false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if !validIdentifiers(s[i+1:]) {
			return v, false
		}
		v.pre = strings.Split(s[i+1:], ".")
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) > maxVersionComponents {
		return v, false
	}
	for _, p := range parts {
		if p == "" || len(p) > maxComponentDigits || !allDigits(p) {
			return v, false
		}
		n, _ := strconv.Atoi(p)
		v.nums = append(v.nums, n)
	}
	return v, true
}

func (v tagVersion) prerelease() bool { return len(v.pre) > 0 }
func (v tagVersion) calendar() bool   { return v.nums[0] >= calendarMajor }

// compareVersions orders by semantic-version precedence: numeric
// components (missing ones count as 0), then a release above its
// prereleases, then prerelease identifiers.
func compareVersions(a, b tagVersion) int {
	for i := range maxVersionComponents {
		x, y := component(a.nums, i), component(b.nums, i)
		if x != y {
			return cmpInt(x, y)
		}
	}
	switch {
	case !a.prerelease() && !b.prerelease():
		return 0
	case !a.prerelease():
		return 1
	case !b.prerelease():
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := compareIdentifiers(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

// compareIdentifiers: numeric identifiers compare numerically and sort
// below alphanumeric ones, which compare in ASCII order.
func compareIdentifiers(a, b string) int {
	an, bn := allDigits(a), allDigits(b)
	switch {
	case an && bn:
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return cmpInt(len(a), len(b))
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

func component(nums []int, i int) int {
	if i < len(nums) {
		return nums[i]
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validIdentifiers checks a dot-separated list of [0-9A-Za-z-]+.
func validIdentifiers(s string) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
				return false
			}
		}
	}
	return true
}
