// Package valid says whether a value of each kind the bot reads (from
// server.yaml, the command line, an upstream or GitHub) is well formed:
// one function per kind of value, used by registry validation and gitops
// alike, so the same value is never judged by two rules. It is pure: it
// imports nothing but the standard library, and in particular neither
// registry nor gitops.
package valid

import "regexp"

var fullSHARE = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// FullSHA reports whether s is a full SHA-1 object name in either case, as
// git and GitHub print them.
func FullSHA(s string) bool { return fullSHARE.MatchString(s) }
