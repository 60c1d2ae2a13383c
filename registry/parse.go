package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest server.yaml accepted. Real files are a few
// KiB; the cap bounds the parser's time and memory on hostile input.
const MaxFileSize = 1 << 20

// MaxNodes is the most YAML nodes (keys, values, list items, mappings)
// a server.yaml may hold; the largest real file has 236. Within the size
// cap a file of one-letter list items holds half a million, whose node
// tree and decoded model cost a hundred times the file's size: the cap
// refuses them before decoding.
const MaxNodes = 10000

// lineError is a problem at a line of a YAML text (0: unknown) before it is
// known which file the text is; Parse turns it into a FileError.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %v", e.line, e.err)
	}
	return e.err.Error()
}

func (e *lineError) Unwrap() error { return e.err }

func lineErrorf(line int, format string, args ...any) *lineError {
	return &lineError{line: line, err: fmt.Errorf(format, args...)}
}

// Parse parses a server.yaml read elsewhere (from disk by Load, or from git
// at the registry's base branch). p is the file's slash path relative to the
// registry root, "servers/<name>/server.yaml", used in errors and to learn
// the server's name from its directory. The file keeps raw as its Raw; the
// caller must not modify it afterwards. Any problem is a *FileError.
func Parse(p string, raw []byte) (*File, error) {
	name := path.Base(path.Dir(p))
	if !ValidName(name) {
		return nil, &FileError{Path: p, Err: fmt.Errorf("directory name %q is not a valid server name", name)}
	}
	root, err := parseDocument(raw)
	if err != nil {
		return nil, fileError(p, err)
	}
	srv, err := decodeServer(root)
	if err != nil {
		return nil, fileError(p, err)
	}
	switch {
	case srv.Name == "":
		return nil, &FileError{Path: p, Line: lineOf(root, "name"), Err: fmt.Errorf("name is missing (want %q, the directory name)", name)}
	case srv.Name != name:
		return nil, &FileError{Path: p, Line: lineOf(root, "name"), Err: fmt.Errorf("name %q does not match its directory %q", srv.Name, name)}
	}
	return &File{Name: name, Path: p, Raw: raw, Server: srv, sourceKeys: mappingKeys(root, "source")}, nil
}

// mappingKeys returns the keys of the mapping that is the value of key in
// m, or nil when there is none.
func mappingKeys(m *yaml.Node, key string) []string {
	_, v := mappingEntry(m, key)
	if v == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		keys = append(keys, v.Content[i].Value)
	}
	return keys
}

// fileError places err, a *lineError or not, in the file at p.
func fileError(p string, err error) *FileError {
	var le *lineError
	if errors.As(err, &le) {
		return &FileError{Path: p, Line: le.line, Err: le.err}
	}
	return &FileError{Path: p, Err: err}
}

// parseDocument checks raw as a whole and parses it into its top-level
// mapping node. It refuses, before or instead of decoding, what could make
// a file mean something else to another reader or cost unbounded work:
// oversize or non-text input, several documents, anchors and aliases (the
// "billion laughs" expansion, and values that change at a distance), merge
// keys, complex keys and duplicate keys.
func parseDocument(raw []byte) (*yaml.Node, error) {
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit", len(raw), MaxFileSize)
	}
	if err := checkText(raw); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("file holds no YAML document")
		}
		return nil, yamlError(raw, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, lineErrorf(next.Line, "a second YAML document starts here; a server.yaml holds one")
	case !errors.Is(err, io.EOF):
		return nil, yamlError(raw, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("file holds no YAML document")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, lineErrorf(root.Line, "the top level is not a mapping of keys")
	}
	if err := checkTree(root); err != nil {
		return nil, err
	}
	return root, nil
}

// checkText rejects invalid UTF-8 and the control characters YAML forbids,
// with the line of the first offence: it is how binary junk shows.
func checkText(raw []byte) error {
	line := 1
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return lineErrorf(line, "invalid UTF-8 (byte 0x%02x); a server.yaml is UTF-8 text", raw[i])
		case r == '\n':
			line++
		case r == '\t', r == '\r', r == 0x85:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xfffe, r == 0xffff:
			return lineErrorf(line, "control character %U is not allowed in YAML text", r)
		}
		i += size
	}
	return nil
}

// checkTree walks the document and rejects more than MaxNodes nodes,
// anchors, aliases, merge keys, non-scalar keys and duplicate keys, with
// the line of each.
func checkTree(root *yaml.Node) error {
	stack := []*yaml.Node{root}
	for nodes := 1; len(stack) > 0; nodes++ {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nodes > MaxNodes {
			return lineErrorf(n.Line, "more than %d YAML nodes (keys, values, list items) by this line: over the limit; a server.yaml has a few hundred", MaxNodes)
		}
		if n.Anchor != "" {
			return lineErrorf(n.Line, "anchor &%s: anchors and aliases are not allowed in a server.yaml", n.Anchor)
		}
		switch n.Kind {
		case yaml.AliasNode:
			return lineErrorf(n.Line, "alias *%s: anchors and aliases are not allowed in a server.yaml", n.Value)
		case yaml.MappingNode:
			seen := make(map[string]int, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode {
					return lineErrorf(k.Line, "a mapping key must be a plain value")
				}
				if k.Value == "<<" {
					return lineErrorf(k.Line, "merge keys (<<) are not allowed in a server.yaml")
				}
				if first, dup := seen[k.Value]; dup {
					return lineErrorf(k.Line, "key %s appears twice in the same mapping (first at line %d)", quote(k.Value), first)
				}
				seen[k.Value] = k.Line
			}
		}
		// Children go on the stack last first, so that the walk meets
		// problems in document order and reports the first one.
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return nil
}

// yamlLine matches the position yaml.v3 puts in its messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser, as opposed to
// its scanner, in parserc.go.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlError turns a yaml.v3 error into a lineError. Tabs in indentation get
// their own message: yaml.v3's ("found character that cannot start any
// token") does not say what is wrong, and its line can be one early.
func yamlError(raw []byte, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if more := len(te.Errors) - 1; more > 0 {
			msg += fmt.Sprintf(" (and %d more)", more)
		}
	}
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if te == nil && yamlParserProblems[msg] {
		// yaml.v3 prints the parser's marks 0-based (and none on the
		// first line), its scanner's 1-based.
		line++
	}
	if te == nil {
		if tab := tabIndentedLine(raw, max(line, 1)); tab > 0 {
			return lineErrorf(tab, "tab character in indentation; YAML indents with spaces")
		}
	}
	return &lineError{line: line, err: errors.New(msg)}
}

// tabIndentedLine returns near (the line yaml.v3 blamed) or the line after
// it when that line's indentation holds a tab, else 0.
func tabIndentedLine(raw []byte, near int) int {
	lines := bytes.Split(raw, []byte("\n"))
	for _, n := range []int{near, near + 1} {
		if n < 1 || n > len(lines) {
			continue
		}
		indent := lines[n-1][:len(lines[n-1])-len(bytes.TrimLeft(lines[n-1], " \t"))]
		if bytes.IndexByte(indent, '\t') >= 0 {
			return n
		}
	}
	return 0
}

// decodeServer decodes the checked top-level mapping into the model.
func decodeServer(root *yaml.Node) (Server, error) {
	var s Server
	if err := root.Decode(&s); err != nil {
		return Server{}, yamlError(nil, err)
	}
	return s, nil
}
