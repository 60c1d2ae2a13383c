package registry

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry/valid"
)

// Pin is what a bump writes: Commit always; Branch only when non-empty (a
// tag-tracking server moving to a newer tag sets both); Directory and
// Dockerfile only when non-empty (the server's directory moved upstream,
// so the build inputs move with the commit). A field set to the value it
// already has is left as written.
type Pin struct {
	Commit     string
	Branch     string
	Directory  string
	Dockerfile string
}

// pinBranchRE is the alphabet SetPin writes as a branch: what tags and
// branches use in practice, and nothing that YAML or a shell could read
// as syntax.
var pinBranchRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]*$`)

// SetPin returns raw with the value of source.commit (and of source.branch
// when pin.Branch is set) replaced, and every other byte unchanged:
// comments, quoting style, indentation, key order, line endings and the
// presence of a final newline. It is pure; the caller writes the result.
//
// It refuses, rather than guesses, whenever the value cannot be located
// unambiguously in the text: no top-level source mapping or no such key in
// it, anything Parse refuses (duplicate keys, anchors, aliases, several
// documents), block scalars, tagged or multi-line values, escapes in a
// quoted value. As a last guard the result is parsed again and must equal
// the input's model but for the pinned fields.
func SetPin(raw []byte, pin Pin) ([]byte, error) {
	if !ValidCommit(pin.Commit) {
		return nil, fmt.Errorf("commit %s is not a 40-hex lowercase SHA", quote(pin.Commit))
	}
	if pin.Branch != "" && (!valid.RefName(pin.Branch) || !pinBranchRE.MatchString(pin.Branch)) {
		return nil, fmt.Errorf("branch %s is not a branch or tag name SetPin can write", quote(pin.Branch))
	}
	for _, p := range []struct{ key, value string }{{"directory", pin.Directory}, {"dockerfile", pin.Dockerfile}} {
		if p.value != "" && (!validRelPath(p.value) || !pinBranchRE.MatchString(p.value)) {
			return nil, fmt.Errorf("%s %s is not a relative path SetPin can write", p.key, quote(p.value))
		}
	}
	root, err := parseDocument(raw)
	if err != nil {
		return nil, err
	}
	before, err := decodeServer(root)
	if err != nil {
		return nil, err
	}
	srcKey, src := mappingEntry(root, "source")
	if srcKey == nil {
		return nil, errors.New("no top-level source mapping: nothing to pin")
	}
	if src.Kind != yaml.MappingNode {
		return nil, lineErrorf(srcKey.Line, "source is not a mapping")
	}

	lines := newLineIndex(raw)
	commit, err := scalarEdit(raw, lines, srcKey, src, "commit", pin.Commit)
	if err != nil {
		return nil, err
	}
	edits := []edit{commit}
	wantSource := *before.Source
	wantSource.Commit = pin.Commit
	for _, f := range []struct {
		key, value string
		field      *string
	}{
		{"branch", pin.Branch, &wantSource.Branch},
		{"directory", pin.Directory, &wantSource.Directory},
		{"dockerfile", pin.Dockerfile, &wantSource.Dockerfile},
	} {
		if f.value == "" || f.value == *f.field {
			continue
		}
		e, err := scalarEdit(raw, lines, srcKey, src, f.key, f.value)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
		*f.field = f.value
	}
	out := applyEdits(raw, edits)

	want := before
	want.Source = &wantSource
	if err := checkRewrite(out, want); err != nil {
		return nil, err
	}
	return out, nil
}

// checkRewrite parses out again and compares it with the model expected.
// The edits above are built to make this hold; the check turns a mistake
// in them, or a YAML corner they did not foresee, into a refusal rather
// than a wrong pin.
func checkRewrite(out []byte, want Server) error {
	root, err := parseDocument(out)
	if err != nil {
		return fmt.Errorf("rewritten file does not parse, refusing: %w", err)
	}
	got, err := decodeServer(root)
	if err != nil {
		return fmt.Errorf("rewritten file does not decode, refusing: %w", err)
	}
	if !reflect.DeepEqual(got, want) {
		return errors.New("rewritten file would mean more than a new pin, refusing")
	}
	return nil
}

// edit replaces raw[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func applyEdits(raw []byte, edits []edit) []byte {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	var out bytes.Buffer
	out.Grow(len(raw) + 64)
	pos := 0
	for _, e := range edits {
		out.Write(raw[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	out.Write(raw[pos:])
	return out.Bytes()
}

// scalarEdit locates the value of key in the source mapping src, as a byte
// range of raw, and renders value in the same quoting style.
func scalarEdit(raw []byte, lines lineIndex, srcKey, src *yaml.Node, key, value string) (edit, error) {
	k, v := mappingEntry(src, key)
	if k == nil {
		return edit{}, lineErrorf(srcKey.Line, "source has no %s key to rewrite", key)
	}
	if v.Kind != yaml.ScalarNode {
		return edit{}, lineErrorf(v.Line, "source.%s is not a single value", key)
	}
	if v.Style&yaml.TaggedStyle != 0 {
		return edit{}, lineErrorf(v.Line, "source.%s has an explicit tag", key)
	}
	start, ok := lines.offset(raw, v.Line, v.Column)
	if !ok {
		return edit{}, lineErrorf(v.Line, "cannot locate the value of source.%s in the text", key)
	}
	if v.Value == "" {
		return edit{}, lineErrorf(v.Line, "source.%s is empty; SetPin replaces a value, it does not insert one", key)
	}
	var token, text string
	switch v.Style {
	case 0:
		token = v.Value
		text = value
		if !plainSafe(value) {
			// Written bare, this value would read as a number or a
			// boolean to some YAML readers; quoting keeps it a string.
			text = `"` + value + `"`
		}
	case yaml.SingleQuotedStyle:
		token = "'" + strings.ReplaceAll(v.Value, "'", "''") + "'"
		text = "'" + value + "'"
	case yaml.DoubleQuotedStyle:
		// Only a value written without escapes has this exact text;
		// anything else fails the comparison below and is refused.
		token = `"` + v.Value + `"`
		text = `"` + value + `"`
	default:
		return edit{}, lineErrorf(v.Line, "source.%s is a block scalar (| or >); write it on one line", key)
	}
	// The token must sit at start exactly as rendered; a value spread over
	// several lines, or written with escapes, differs from its parsed form.
	if !bytes.HasPrefix(raw[start:], []byte(token)) {
		return edit{}, lineErrorf(v.Line, "the value of source.%s is not written on one line as plain text", key)
	}
	return edit{start: start, end: start + len(token), text: text}, nil
}

// plainSafe reports whether value reads as the same string, unquoted, to
// YAML 1.2 (yaml.v3) and YAML 1.1 readers alike.
func plainSafe(value string) bool {
	if !pinBranchRE.MatchString(value) || yaml11Number.MatchString(value) {
		return false
	}
	switch strings.ToLower(value) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(value), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	return n.Content[0].Kind == yaml.ScalarNode && n.Content[0].ShortTag() == "!!str" && n.Content[0].Value == value
}

// yaml11Number matches the integers and floats of YAML 1.1 and 1.2 that a
// hex SHA or a version tag could look like: "1234", "1e5", "1.5".
var yaml11Number = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?$`)

// lineIndex holds the byte offset at which each line starts, with line
// breaks as yaml.v3 counts them (CRLF, CR, LF, NEL, LS, PS), so that its
// node positions map back to bytes.
type lineIndex []int

var utf8BOM = []byte("\xef\xbb\xbf")

func newLineIndex(raw []byte) lineIndex {
	start := 0
	// yaml.v3 consumes a leading byte order mark without counting it.
	if bytes.HasPrefix(raw, utf8BOM) {
		start = len(utf8BOM)
	}
	idx := lineIndex{start}
	for i := start; i < len(raw); {
		n := breakLen(raw[i:])
		if n == 0 {
			i++
			continue
		}
		i += n
		idx = append(idx, i)
	}
	return idx
}

// breakLen returns the length of the line break b starts with, or 0.
func breakLen(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case b[0] == '\r', b[0] == '\n':
		return 1
	case bytes.HasPrefix(b, []byte("\u0085")):
		return 2
	case bytes.HasPrefix(b, []byte("\u2028")), bytes.HasPrefix(b, []byte("\u2029")):
		return 3
	}
	return 0
}

// offset maps a yaml.v3 position (1-based line, 1-based column counted in
// characters) to a byte offset in raw.
func (idx lineIndex) offset(raw []byte, line, column int) (int, bool) {
	if line < 1 || line > len(idx) || column < 1 {
		return 0, false
	}
	pos := idx[line-1]
	for c := 1; c < column; c++ {
		if pos >= len(raw) || breakLen(raw[pos:]) > 0 {
			return 0, false
		}
		_, size := utf8.DecodeRune(raw[pos:])
		pos += size
	}
	return pos, true
}
