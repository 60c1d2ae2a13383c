package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry"
)

// Allow is the allow-list of accepted review findings, per server name:
//
//	allow:
//	  stripe:
//	    - rule: network-endpoint
//	      reason: calls api.stripe.com, its own API
//	      path: src/client.ts   # optional: only there (a file or directory)
//
// It lives here rather than in each server.yaml because the registry's
// maintainers own it: a contributor's PR that edits a server file must
// not be able to silence that server's review in the same change
// (CODEOWNERS can guard this one file).
type Allow map[string][]AllowEntry

// AllowEntry is one accepted finding.
type AllowEntry struct {
	Rule   string
	Reason string
	Path   string // "" = anywhere in the server's code
	line   int
}

// ruleIDRE is what a rule id looks like; which ids exist is the review's
// to say (CheckRules).
var ruleIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

const maxReason = 500

func parseAllow(p *parser, n *yaml.Node, c *Config) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "allow must be a mapping of server names to lists of {rule, reason, path}")
		return
	}
	c.Allow = Allow{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		server, ok := p.scalar(k, "allow key")
		if !ok {
			continue
		}
		if !registry.ValidName(server) {
			p.errorf(k, "allow: %q is not a server name", server)
			continue
		}
		if _, dup := c.Allow[server]; dup {
			p.errorf(k, "allow: server %q listed twice", server)
			continue
		}
		if v.Kind != yaml.SequenceNode {
			p.errorf(v, "allow.%s must be a list of {rule, reason, path}", server)
			continue
		}
		entries := []AllowEntry{}
		for _, item := range v.Content {
			e := AllowEntry{line: item.Line}
			p.mapping(item, "allow."+server+" entry", []string{"rule", "reason", "path"}, func(key string, val *yaml.Node) {
				s, ok := p.scalar(val, "allow."+server+"."+key)
				if !ok {
					return
				}
				switch key {
				case "rule":
					e.Rule = s
				case "reason":
					e.Reason = strings.TrimSpace(s)
				case "path":
					e.Path = s
				}
			})
			if item.Kind != yaml.MappingNode {
				continue
			}
			switch {
			case !ruleIDRE.MatchString(e.Rule):
				p.errorf(item, "allow.%s: entry needs a rule id (got %q)", server, e.Rule)
			case e.Reason == "":
				p.errorf(item, "allow.%s: %s: an allowed finding needs a reason", server, e.Rule)
			case len(e.Reason) > maxReason:
				p.errorf(item, "allow.%s: %s: reason longer than %d bytes", server, e.Rule, maxReason)
			case e.Path != "" && !validAllowPath(e.Path):
				p.errorf(item, "allow.%s: %s: path %q must be a clean relative path in the repository", server, e.Rule, e.Path)
			default:
				entries = append(entries, e)
			}
		}
		c.Allow[server] = entries
	}
}

func validAllowPath(p string) bool {
	return !strings.HasPrefix(p, "/") && path.Clean(p) == strings.TrimSuffix(p, "/") && p != "." && !strings.HasPrefix(p, "../") && p != ".."
}

// CheckRules reports every allow-list entry whose rule known does not
// accept (an unknown rule, or one no allow-list may silence), each a
// *registry.FileError at the entry's line. The review owns the rule ids,
// and this package must not import it: the caller passes its check.
func (a Allow) CheckRules(file string, known func(rule string) bool) error {
	p := &parser{path: file}
	for _, server := range sortedKeys(a) {
		for _, e := range a[server] {
			if !known(e.Rule) {
				p.errs = append(p.errs, &registry.FileError{Path: file, Line: e.line,
					Err: fmt.Errorf("allow.%s: unknown rule %q (or one that cannot be allowed)", server, e.Rule)})
			}
		}
	}
	return p.err()
}

func sortedKeys(a Allow) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
