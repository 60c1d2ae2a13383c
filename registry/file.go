package registry

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is one servers/<name>/server.yaml: its original bytes beside the
// parsed model.
type File struct {
	Name   string // the directory name (== Server.Name for a valid file)
	Path   string // slash-separated path relative to the registry root: "servers/<name>/server.yaml"
	Raw    []byte // the file's bytes exactly as read
	Server Server

	// root is the top-level mapping node, kept to answer Line.
	root *yaml.Node
}

// LocallyBuilt reports whether the file's server is built from source.
func (f *File) LocallyBuilt() bool { return f.Server.LocallyBuilt() }

// Pinned reports whether the file's server is built from source and pinned.
func (f *File) Pinned() bool { return f.Server.Pinned() }

// Line returns the 1-based line of a key given as a dotted path
// ("source.commit"; a sequence element by its index: "config.secrets.0.name"),
// or 0 when the file has no such key.
func (f *File) Line(keyPath string) int {
	if f.root == nil || keyPath == "" {
		return 0
	}
	n := f.root
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
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }
