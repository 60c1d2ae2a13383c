package registry

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// File is one servers/<name>/server.yaml: its original bytes beside the
// parsed model.
type File struct {
	Name   string // the directory name (== Server.Name for a valid file)
	Path   string // slash-separated path relative to the registry root: "servers/<name>/server.yaml"
	Raw    []byte // the file's bytes exactly as read
	Server Server

	// sourceKeys are the keys of the source mapping as written, for
	// Validate to report unknown ones. The YAML node tree is not kept: it
	// costs about a hundred times the file's size, and Line, its only
	// other use, is wanted rarely (for errors), so it parses Raw again.
	sourceKeys []string
}

// LocallyBuilt reports whether the file's server is built from source.
func (f *File) LocallyBuilt() bool { return f.Server.LocallyBuilt() }

// Pinned reports whether the file's server is built from source and pinned.
func (f *File) Pinned() bool { return f.Server.Pinned() }

// Line returns the 1-based line of a key given as a dotted path
// ("source.commit"; a sequence element by its index: "config.secrets.0.name"),
// or 0 when the file has no such key. It parses Raw again: call it for a
// message, not in a loop.
func (f *File) Line(keyPath string) int {
	if keyPath == "" {
		return 0
	}
	return lineOf(f.tree(), keyPath)
}

// tree parses Raw again into its top-level mapping node, or returns nil
// when Raw does not parse (a File that Parse did not return).
func (f *File) tree() *yaml.Node {
	root, err := parseDocument(f.Raw)
	if err != nil {
		return nil
	}
	return root
}

// lineOf returns the line of keyPath (as in Line) in the tree under root,
// or 0 when it is not there or root is nil.
func lineOf(root *yaml.Node, keyPath string) int {
	if root == nil || keyPath == "" {
		return 0
	}
	n := root
	line := 0
	for _, part := range strings.Split(keyPath, ".") {
		switch n.Kind {
		case yaml.MappingNode:
			key, value := mappingEntry(n, part)
			if key == nil {
				return 0
			}
			line, n = key.Line, value
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return 0
			}
			n = n.Content[i]
			line = n.Line
		default:
			return 0
		}
	}
	return line
}

// mappingEntry returns the key and value nodes of key in mapping m, or nils.
// Files reaching here were checked for duplicate keys, so the first match is
// the only one.
func mappingEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// FileError is a problem with one file of the registry. It prints as
// "servers/x/server.yaml:12: message", without ":12" when the line is
// unknown.
type FileError struct {
	Path string // slash path relative to the registry root
	Line int    // 1-based; 0 when unknown
	Err  error
}

func (e *FileError) Error() string {
	p := printablePath(e.Path)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", p, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", p, e.Err)
}

// printablePath returns p as is when it is plain printable text, else
// quoted and escaped: the path comes from a directory name that a pull
// request chose, and a newline or an escape sequence in it would forge log
// lines or drive the terminal that shows them.
func printablePath(p string) string {
	if utf8.ValidString(p) && !strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return p
	}
	return strconv.Quote(p)
}

func (e *FileError) Unwrap() error { return e.Err }
