package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry"
)

// ServerSettings steer one server, under servers.<name>. The zero value
// is no setting: the pass's defaults apply.
type ServerSettings struct {
	// Ignore, when not empty, is why the server is never proposed.
	Ignore string
	// MinAge replaces --min-age for this server when set.
	MinAge *time.Duration
	// Schedule is when the server is considered; Always by default.
	Schedule Schedule
	// NoAutoMerge is `automerge: false`: its PRs always wait for a human.
	NoAutoMerge bool
	// Labels are added to the server's PR, Reviewers and Assignees
	// requested on it, when it opens.
	Labels    []string
	Reviewers []string
	Assignees []string

	line int // of the server's key, for UnknownServers
}

// Schedule is the window of passes that consider a server.
type Schedule int

const (
	Always  Schedule = iota // every pass (the default)
	Weekly                  // passes on Mondays, UTC
	Monthly                 // passes on the first day of a month, UTC
)

var scheduleNames = [...]string{"always", "weekly", "monthly"}

func (s Schedule) String() string {
	if s < Always || s > Monthly {
		return fmt.Sprintf("schedule(%d)", int(s))
	}
	return scheduleNames[s]
}

// Window says in words which passes the schedule allows.
func (s Schedule) Window() string {
	switch s {
	case Weekly:
		return "Mondays (UTC)"
	case Monthly:
		return "the first day of each month (UTC)"
	}
	return "every pass"
}

// Allows reports whether a pass starting at now falls in the window.
func (s Schedule) Allows(now time.Time) bool {
	now = now.UTC()
	switch s {
	case Weekly:
		return now.Weekday() == time.Monday
	case Monthly:
		return now.Day() == 1
	}
	return true
}

// Servers are the per-server settings by server name. The names are
// checked against the registry by `updater validate` (the parser sees no
// registry).
type Servers map[string]ServerSettings

// Of is a server's settings; the zero value when it has none.
func (c *Config) Of(server string) ServerSettings {
	if c == nil {
		return ServerSettings{}
	}
	return c.Servers[server]
}

// UnknownServers reports each server named under servers: or allow:
// that the registry does not hold (exists says which it holds), as file
// errors at the name's line (an allow-list's first entry).
func (c *Config) UnknownServers(path string, exists func(name string) bool) []*registry.FileError {
	if c == nil {
		return nil
	}
	var out []*registry.FileError
	for name, s := range c.Servers {
		if !exists(name) {
			out = append(out, &registry.FileError{Path: path, Line: s.line,
				Err: fmt.Errorf("servers: %q is not a server of the registry", name)})
		}
	}
	for name, entries := range c.Allow {
		if !exists(name) && len(entries) > 0 {
			out = append(out, &registry.FileError{Path: path, Line: entries[0].line,
				Err: fmt.Errorf("allow: %q is not a server of the registry", name)})
		}
	}
	slices.SortFunc(out, func(a, b *registry.FileError) int { return a.Line - b.Line })
	return out
}

// maxPeople bounds reviewers, assignees and labels per server.
const maxPeople = 10

func parseServers(p *parser, n *yaml.Node, c *Config) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "servers must be a mapping of server name to settings")
		return
	}
	out := Servers{}
	keys := []string{"ignore", "min_age", "schedule", "automerge", "labels", "reviewers", "assignees"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if k.Kind != yaml.ScalarNode || !registry.ValidName(name) {
			p.errorf(k, "servers: %q is not a server name", name)
			continue
		}
		if _, dup := out[name]; dup {
			p.errorf(k, "servers: %q repeated", name)
			continue
		}
		s := ServerSettings{line: k.Line}
		what := "servers." + name
		p.mapping(v, what, keys, func(key string, v *yaml.Node) {
			if slices.Contains([]string{"labels", "reviewers", "assignees"}, key) {
				list := p.names(v, what+"."+key, key == "labels")
				switch key {
				case "labels":
					s.Labels = list
				case "reviewers":
					s.Reviewers = list
				case "assignees":
					s.Assignees = list
				}
				return
			}
			val, ok := p.scalar(v, what+"."+key)
			if !ok {
				return
			}
			switch key {
			case "ignore":
				reason := strings.TrimSpace(val)
				if reason == "" || len(reason) > 200 || strings.ContainsAny(reason, "\n\r") {
					p.errorf(v, "%s.ignore: give the reason, one line of at most 200 characters", what)
					return
				}
				s.Ignore = reason
			case "min_age":
				d, err := time.ParseDuration(val)
				if err != nil || d < 0 {
					p.errorf(v, "%s.min_age: %q is not a duration like 72h", what, val)
					return
				}
				s.MinAge = &d
			case "schedule":
				sc, found := lookup(scheduleNames[:], val)
				if !found {
					p.errorf(v, "%s.schedule: %q is not one of %s", what, val, strings.Join(scheduleNames[:], ", "))
					return
				}
				s.Schedule = Schedule(sc)
			case "automerge":
				if v.Tag != "!!bool" || val != "false" {
					p.errorf(v, "%s.automerge: only false is allowed (the automerge section decides the rest)", what)
					return
				}
				s.NoAutoMerge = true
			}
		})
		out[name] = s
	}
	c.Servers = out
}

// names parses a list of GitHub logins (or, with label, label names).
func (p *parser) names(n *yaml.Node, what string, label bool) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list", what)
		return nil
	}
	if len(n.Content) > maxPeople {
		p.errorf(n, "%s: at most %d entries", what, maxPeople)
		return nil
	}
	var out []string
	for _, e := range n.Content {
		s, ok := p.scalar(e, what+" entry")
		if !ok {
			continue
		}
		valid := validLogin(s)
		if label {
			valid = validLabel(s)
		}
		if !valid {
			p.errorf(e, "%s: %q is not a valid %s", what, s, map[bool]string{true: "label name", false: "GitHub login or org/team"}[label])
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// validLabel accepts a GitHub label name.
func validLabel(s string) bool {
	return s != "" && len(s) <= 50 && !strings.ContainsAny(s, ",\n\r")
}

// validLogin accepts a GitHub login, or org/team for a team reviewer.
func validLogin(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) > 2 {
		return false
	}
	for _, part := range parts {
		if part == "" || len(part) > 39 || part[0] == '-' {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' && len(parts) == 2) {
				return false
			}
		}
	}
	return true
}
