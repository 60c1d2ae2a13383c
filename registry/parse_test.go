package registry_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
)

const validYAML = `name: demo
image: mcp/demo
type: server
meta:
  category: test
  tags: [a, b]
about:
  title: Demo
source:
  project: https://github.com/example/demo
  branch: main
  commit: 0123456789abcdef0123456789abcdef01234567
  directory: src/demo
run:
  command: [--stdio]
  ports: ["8080:8080"]
config:
  secrets:
    - name: demo.token
      env: DEMO_TOKEN
  env:
    - name: PORT
      example: 8080
  parameters:
    type: object
    properties:
      port: {type: integer}
future: kept
`

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string // default servers/demo/server.yaml
		raw      string
		wantLine int
		wantErr  string // "" for success
	}{
		{name: "valid", raw: validYAML},
		{name: "name mismatch", raw: strings.Replace(validYAML, "name: demo", "name: other", 1), wantLine: 1, wantErr: `name "other" does not match its directory "demo"`},
		{name: "name missing", raw: strings.Replace(validYAML, "name: demo\n", "", 1), wantErr: `name is missing (want "demo"`},
		{name: "bad directory name", path: "servers/.hidden/server.yaml", raw: validYAML, wantErr: `directory name ".hidden" is not a valid server name`},
		{name: "over 1 MiB", raw: validYAML + "# " + strings.Repeat("x", registry.MaxFileSize) + "\n", wantErr: "over the 1048576-byte limit"},
		{name: "invalid UTF-8", raw: "name: demo\ntype: server\nabout: {title: \"\xff\xfe\"}\n", wantLine: 3, wantErr: "invalid UTF-8"},
		{name: "binary junk", raw: "name: demo\n\x00\x01\x02\x7fELF", wantLine: 2, wantErr: "control character U+0000"},
		{name: "tab indentation", raw: "name: demo\ntype: server\nsource:\n\tproject: https://github.com/a/b\n", wantLine: 4, wantErr: "tab character in indentation"},
		{name: "tab after spaces", raw: "name: demo\nsource:\n  project: x\n  \tcommit: y\n", wantLine: 4, wantErr: "tab character in indentation"},
		{name: "duplicate top-level key", raw: validYAML + "name: demo\n", wantLine: 29, wantErr: `key "name" appears twice in the same mapping (first at line 1)`},
		{name: "duplicate nested key", raw: "name: demo\nsource:\n  commit: a\n  project: b\n  commit: c\n", wantLine: 5, wantErr: `key "commit" appears twice`},
		{name: "anchor", raw: "name: demo\nabout: &a {title: x}\n", wantLine: 2, wantErr: "anchor &a"},
		{name: "alias", raw: "name: demo\nx: &a 1\ny: *a\n", wantLine: 2, wantErr: "anchor &a: anchors and aliases are not allowed"},
		{name: "alias alone", raw: "name: demo\ny: *a\n", wantErr: "unknown anchor"},
		{name: "merge key", raw: "name: demo\nabout:\n  <<: {title: x}\n", wantLine: 3, wantErr: "merge keys"},
		{name: "complex key", raw: "name: demo\n? [a, b]\n: c\n", wantLine: 2, wantErr: "a mapping key must be a plain value"},
		{name: "two documents", raw: "name: demo\n---\nname: demo\n", wantLine: 2, wantErr: "a second YAML document"},
		{name: "empty", raw: "", wantErr: "no YAML document"},
		{name: "only comments", raw: "# nothing\n", wantErr: "no YAML document"},
		{name: "top level list", raw: "- name: demo\n", wantLine: 1, wantErr: "the top level is not a mapping"},
		{name: "top level scalar", raw: "demo\n", wantLine: 1, wantErr: "the top level is not a mapping"},
		{name: "wrong type", raw: "name: demo\nmeta:\n  tags: flat\n", wantLine: 3, wantErr: "cannot unmarshal"},
		{name: "broken YAML", raw: "name: demo\nabout: {title: x\n", wantLine: 2, wantErr: "did not find expected"},
		{name: "parser error at the end", raw: "name: [demo\n", wantLine: 2, wantErr: "did not find expected ',' or ']'"},
		{name: "block sequence broken", raw: "name: demo\nmeta:\n  tags:\n    - a\n   - b\n", wantLine: 3, wantErr: "did not find expected key"},
		{name: "unterminated quote", raw: "name: demo\nabout:\n  title: \"x\n", wantLine: 3, wantErr: "unexpected end of stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			if p == "" {
				p = "servers/demo/server.yaml"
			}
			f, err := registry.Parse(p, []byte(tc.raw))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if f.Name != "demo" || f.Path != p || string(f.Raw) != tc.raw {
					t.Errorf("file = %q %q, raw kept %v", f.Name, f.Path, string(f.Raw) == tc.raw)
				}
				return
			}
			var fe *registry.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want a *FileError", err, err)
			}
			if fe.Path != p || fe.Line != tc.wantLine || !strings.Contains(fe.Err.Error(), tc.wantErr) {
				t.Errorf("err = %q (path %q line %d), want line %d and %q", err, fe.Path, fe.Line, tc.wantLine, tc.wantErr)
			}
			if f != nil {
				t.Errorf("Parse returned a file beside its error")
			}
		})
	}
}

func TestParseKeepsEveryField(t *testing.T) {
	f, err := registry.Parse("servers/demo/server.yaml", []byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Server
	if s.Source == nil || *s.Source != (registry.Source{
		Project:   "https://github.com/example/demo",
		Branch:    "main",
		Commit:    "0123456789abcdef0123456789abcdef01234567",
		Directory: "src/demo",
	}) {
		t.Errorf("source = %+v", s.Source)
	}
	if got := s.Run.Extra["ports"]; !reflect.DeepEqual(got, []any{"8080:8080"}) {
		t.Errorf("run.ports kept as %#v", got)
	}
	if s.Extra["future"] != "kept" {
		t.Errorf("unknown top-level key not kept: %#v", s.Extra)
	}
	if s.Config.Env[0].Example != "8080" {
		t.Errorf("numeric example = %q, want its text", s.Config.Env[0].Example)
	}
	if _, ok := s.Config.Parameters["properties"].(map[string]any)["port"]; !ok {
		t.Errorf("config.parameters lost: %#v", s.Config.Parameters)
	}
	if !f.LocallyBuilt() || !f.Pinned() {
		t.Errorf("LocallyBuilt %v Pinned %v, want both", f.LocallyBuilt(), f.Pinned())
	}
}

func TestFileLine(t *testing.T) {
	f, err := registry.Parse("servers/demo/server.yaml", []byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int{
		"name":                         1,
		"source":                       9,
		"source.commit":                12,
		"config.secrets.0.env":         20,
		"config.env.0":                 22,
		"config.parameters.properties": 26,
		"source.missing":               0,
		"config.secrets.1":             0,
		"config.secrets.x":             0,
		"name.deeper":                  0,
		"":                             0,
	} {
		if got := f.Line(key); got != want {
			t.Errorf("Line(%q) = %d, want %d", key, got, want)
		}
	}
}

// TestParseBounded checks that inputs built to cost exponential time or
// memory are refused, and that large ones are handled, quickly.
func TestParseBounded(t *testing.T) {
	var laughs strings.Builder
	laughs.WriteString("name: demo\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs.WriteString(n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n")
		prev = n
	}
	// wide fills the size cap with list items of itemLen bytes.
	wide := func(itemLen int) string {
		var b strings.Builder
		b.WriteString("name: demo\nabout:\n  title: wide\nmeta:\n  tags:\n")
		item := "    - " + strings.Repeat("t", itemLen) + "\n"
		for b.Len() < registry.MaxFileSize-len(item) {
			b.WriteString(item)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		raw  string
		want string // a word of the error; "" when the file is valid
	}{
		{"billion laughs", laughs.String(), "anchors and aliases are not allowed"},
		{"deep nesting", "name: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "exceeded max depth"},
		{"wide but valid", wide(120), ""},
		{"too many nodes", wide(4), "servers/demo/server.yaml:9995: more than 10000 YAML nodes"},
	} {
		start := time.Now()
		_, err := registry.Parse("servers/demo/server.yaml", []byte(tc.raw))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want it to say %q", tc.name, err, tc.want)
		}
		// A guard against a runaway (exponential) parse, not a speed
		// target: that lives in the benchmarks, and a loaded CI machine
		// under -race once took 5 s here.
		if d := time.Since(start); d > time.Minute {
			t.Errorf("%s: took %v", tc.name, d)
		}
	}
}
