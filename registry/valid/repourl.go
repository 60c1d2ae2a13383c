package valid

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// MaxRepoURLLen bounds a repository URL; real ones are well under 200
// characters.
const MaxRepoURLLen = 2048

// RepoURL says whether s is a repository URL the bot may contact: https
// with a host and a repository path; http and git:// only when the host
// is loopback (test fixtures, a local mirror). Refused, and why: local
// paths, scp-like addresses, file:// and ssh:// (a registry entry must not
// make the bot read local files or use its keys); credentials (they would
// end up in logs and pull requests); a query or fragment; spaces and
// control characters; plain-text protocols to a remote host (anyone on the
// path could answer for the upstream). It is the one rule for registry
// validation and the upstream reader. The error does not repeat s:
// callers quote it through RedactURL.
func RepoURL(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	if len(s) > MaxRepoURLLen {
		return fmt.Errorf("is longer than %d bytes", MaxRepoURLLen)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return errors.New("contains spaces or control characters")
	}
	if !strings.Contains(s, "://") {
		return errors.New("is not a URL: local paths and scp-like addresses are not allowed")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a URL") // url.Error would repeat s
	}
	switch u.Scheme { // url.Parse lowercases it
	case "https", "http", "git":
	default:
		return fmt.Errorf("scheme %q is not allowed: use https://", u.Scheme)
	}
	if u.User != nil {
		return errors.New("must not carry credentials")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return errors.New("has no host")
	}
	if strings.Trim(u.Path, "/") == "" {
		return errors.New("has no repository path")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return errors.New("must not have a query or fragment")
	}
	if (u.Scheme == "http" || u.Scheme == "git") && !LoopbackHost(u.Hostname()) {
		return fmt.Errorf("is %s://, allowed only for loopback hosts; use https://", u.Scheme)
	}
	return nil
}

// LoopbackHost reports whether host (without port or brackets) names this
// machine: "localhost" or a loopback IP literal.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
