// Package config is the registry's own configuration, .github/updater.yaml
// on the base branch: who publishes what (trust levels) and when a pin PR
// may merge without a human. It is the model, the parser and the
// validation, from bytes in to a checked Config out: no files, no network,
// no git. It must not import gitops or updater.
//
// Each top-level key is one section with its own parser (publishers.go,
// automerge.go); a new section (per-server settings, allow-lists) is a
// new file and one line in sections.
package config

import (
	"errors"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry"
)

// Path is where the configuration lives, relative to the registry root.
const Path = ".github/updater.yaml"

// maxSize bounds the file: it is read on every pass and comes from a PR.
const maxSize = 256 << 10

// Config is the parsed, checked configuration. The zero value is what an
// absent file means: every publisher is community and nothing merges
// without a human.
type Config struct {
	Publishers Publishers
	// AutoMerge is nil when the file has no automerge section: never merge.
	AutoMerge *AutoMerge
	// Allow is the per-server allow-list of accepted review findings.
	Allow Allow
	// Servers are the per-server settings (servers.go).
	Servers Servers
}

// section parses one top-level key's value into c.
type section struct {
	key   string
	parse func(p *parser, value *yaml.Node, c *Config)
}

// sections are the top-level keys, in the order the documentation shows.
var sections = []section{
	{"publishers", parsePublishers},
	{"automerge", parseAutoMerge},
	{"allow", parseAllow},
	{"servers", parseServers},
}

// Parse reads the configuration file at path (for messages) from raw. All
// problems found are returned together, each a *registry.FileError naming
// the file and line.
func Parse(path string, raw []byte) (*Config, error) {
	p := &parser{path: path}
	if len(raw) > maxSize {
		p.errorf(nil, "file is %d bytes, more than the %d allowed", len(raw), maxSize)
		return nil, p.err()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		p.errs = append(p.errs, &registry.FileError{Path: path, Line: yamlErrorLine(err), Err: err})
		return nil, p.err()
	}
	c := &Config{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // empty file: the defaults
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil
	}
	keys := make([]string, len(sections))
	for i, s := range sections {
		keys[i] = s.key
	}
	p.mapping(root, "the file", keys, func(key string, value *yaml.Node) {
		for _, s := range sections {
			if s.key == key {
				s.parse(p, value, c)
			}
		}
	})
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// parser collects every problem of one file.
type parser struct {
	path string
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &registry.FileError{Path: p.path, Line: line, Err: fmt.Errorf(format, args...)})
}

func (p *parser) err() error { return errors.Join(p.errs...) }

// mapping walks a mapping node whose keys must be among known: an
// unknown or repeated key is an error (with a suggestion when one known
// key is close), and each known key's value goes to fn.
func (p *parser) mapping(n *yaml.Node, what string, known []string, fn func(key string, value *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be plain strings", what)
			continue
		}
		if !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if s := registry.DidYouMean(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.errorf(k, "%s", msg)
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "key %q repeated in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		fn(k.Value, v)
	}
}

// scalar returns a scalar node's string value, or reports that n is not one.
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a single value", what)
		return "", false
	}
	return n.Value, true
}

// yamlErrorLine digs the line out of a yaml.v3 syntax error ("yaml: line
// 3: ..."), 0 when it has none.
func yamlErrorLine(err error) int {
	var line int
	if _, e := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); e == nil {
		return line
	}
	return 0
}
