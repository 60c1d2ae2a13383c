// Package valid says whether a value of each kind the bot reads (from
// server.yaml, the command line, an upstream or GitHub) is well formed:
// one function per kind of value, used by registry validation and gitops
// alike, so the same value is never judged by two rules. It is pure: it
// imports nothing but the standard library, and in particular neither
// registry nor gitops.
package valid

import (
	"regexp"
	"strings"
)

var fullSHARE = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// FullSHA reports whether s is a full SHA-1 object name in either case, as
// git and GitHub print them.
func FullSHA(s string) bool { return fullSHARE.MatchString(s) }

// RefName reports whether name is a git branch or tag name, short
// ("main", "release/v1") or full ("refs/heads/main"), following git
// check-ref-format, so the value is safe to hand to git, to put in a URL
// or API path, and cannot read as an option. It is the one rule for
// source.branch, the registry's base branch and the bot's branches.
func RefName(name string) bool {
	if name == "" || len(name) > 255 || name == "@" || strings.HasPrefix(name, "-") ||
		strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") {
		return false
	}
	if strings.ContainsFunc(name, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`~^:?*[\`, r)
	}) {
		return false
	}
	for _, prefix := range []string{"refs/heads/", "refs/tags/"} {
		if strings.HasPrefix(strings.TrimPrefix(name, prefix), "-") {
			return false
		}
	}
	for _, part := range strings.Split(name, "/") {
		if part == "@" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}

// repoPartRE is one half of owner/name as GitHub (and GitHub Enterprise,
// whose logins may hold underscores) names them.
var repoPartRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// Repository splits "owner/name" and reports whether both halves are what
// GitHub accepts as a repository's owner and name (not "." or ".."): the
// one rule for GITHUB_REPOSITORY, --review-repo and github.com project
// URLs.
func Repository(full string) (owner, name string, ok bool) {
	owner, name, found := strings.Cut(full, "/")
	if !found || !repoPart(owner) || !repoPart(name) {
		return "", "", false
	}
	return owner, name, true
}

func repoPart(s string) bool { return repoPartRE.MatchString(s) && s != "." && s != ".." }

// RedactURL returns s fit to quote in a message about it (the one rule,
// for the registry's messages and the upstream reader's errors): everything
// before its last '@' (credentials, to some parser) and the contents of
// its query and fragment (where tokens ride too: ?private_token=) become
// "***". Parsers split a hostile URL differently (Go ends the authority at
// the first '/', others take the last '@'), so the cut is the widest.
func RedactURL(s string) string {
	prefix, rest := "", s
	if m := schemeRE.FindString(s); m != "" {
		prefix, rest = m, s[len(m):]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "***" + rest[i:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + "***"
	}
	return prefix + rest
}

// schemeRE matches a URL's scheme and the "//" of its authority.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
