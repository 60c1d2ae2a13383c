package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Trust is how far the registry trusts a publisher. Levels are ordered:
// Community < Known < Verified.
type Trust int

const (
	Community Trust = iota // any owner the file does not list
	Known                  // publishers.known
	Verified               // publishers.verified: the vendor's own organisation
)

var trustNames = [...]string{"community", "known", "verified"}

// String is the level's name as labels and reports show it.
func (t Trust) String() string {
	if t < Community || t > Verified {
		return fmt.Sprintf("trust(%d)", int(t))
	}
	return trustNames[t]
}

// MarshalText makes trust levels readable in JSON.
func (t Trust) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Publishers lists owners (GitHub organisations or users, compared without
// case) by trust level.
type Publishers struct {
	Verified []string
	Known    []string
}

// ownerRE is what an owner may look like: GitHub's login rules, loosened
// for other hosts (dots, underscores).
var ownerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func parsePublishers(p *parser, n *yaml.Node, c *Config) {
	seen := map[string]string{} // lower-case owner -> level it was listed under
	p.mapping(n, "publishers", []string{"verified", "known"}, func(key string, v *yaml.Node) {
		if v.Kind != yaml.SequenceNode {
			p.errorf(v, "publishers.%s must be a list of owners", key)
			return
		}
		for _, item := range v.Content {
			owner, ok := p.scalar(item, "publishers."+key+" entry")
			if !ok {
				continue
			}
			if !ownerRE.MatchString(owner) {
				p.errorf(item, "publishers.%s: %q is not an owner name (the first path segment of a project URL)", key, owner)
				continue
			}
			low := strings.ToLower(owner)
			if prev, dup := seen[low]; dup {
				p.errorf(item, "publishers.%s: %q is already listed under %s", key, owner, prev)
				continue
			}
			seen[low] = key
			if key == "verified" {
				c.Publishers.Verified = append(c.Publishers.Verified, low)
			} else {
				c.Publishers.Known = append(c.Publishers.Known, low)
			}
		}
	})
}

// Owner is the owner of a project URL: its first path segment, on any
// host ("https://github.com/stripe/agent-toolkit" -> "stripe"), lower
// case; "" when the URL has none.
func Owner(project string) string {
	u, err := url.Parse(project)
	if err != nil || u.Host == "" {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if !ownerRE.MatchString(first) {
		return ""
	}
	return strings.ToLower(first)
}

// Level is the trust of one owner.
func (ps Publishers) Level(owner string) Trust {
	owner = strings.ToLower(owner)
	switch {
	case owner == "":
		return Community
	case slices.Contains(ps.Verified, owner):
		return Verified
	case slices.Contains(ps.Known, owner):
		return Known
	}
	return Community
}

// Publisher is who publishes a server's code and how far it is trusted.
type Publisher struct {
	Owner string `json:"owner"`
	// Upstream is the upstream's owner when the project is a fork of it.
	Upstream string `json:"upstream,omitempty"`
	Trust    Trust  `json:"trust"`
}

// String is the publisher as the PR body shows it: "stripe — verified".
func (p Publisher) String() string {
	who := p.Owner
	if who == "" {
		who = "unknown"
	}
	if p.Upstream != "" {
		who += " (fork of " + p.Upstream + ")"
	}
	return who + " — " + p.Trust.String()
}

// Label is the PR label of the trust level: "publisher:verified".
func (p Publisher) Label() string { return LabelPrefix + p.Trust.String() }

// LabelPrefix starts every trust label; the bot owns these labels.
const LabelPrefix = "publisher:"

// PublisherOf is the publisher of a server whose source.project is
// project and source.upstream is upstream (empty when not a fork). A
// fork is trusted as the lower of its owner and the upstream's owner:
// a verified fork of a community project runs community code.
func (c *Config) PublisherOf(project, upstream string) Publisher {
	pub := Publisher{Owner: Owner(project)}
	pub.Trust = c.Publishers.Level(pub.Owner)
	if upstream != "" {
		pub.Upstream = Owner(upstream)
		pub.Trust = min(pub.Trust, c.Publishers.Level(pub.Upstream))
	}
	return pub
}
