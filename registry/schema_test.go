package registry

import (
	"strings"
	"testing"
)

func TestClosedKeys(t *testing.T) {
	const base = `name: weather
image: mcp/weather
type: server
meta:
  category: test
  tags: [a]
about:
  title: Weather
source:
  project: https://github.com/example/weather
  commit: 0123456789abcdef0123456789abcdef01234567
`
	for _, tc := range []struct {
		name, extra, want string
		line              int
	}{
		{"top level", "imgae: x\n", "imgae is not a top-level key: did you mean image?", 12},
		{"top level, far", "whatever: x\n", "whatever is not a top-level key (want about, config,", 12},
		{"run", "run:\n  comand: [a]\n", "run.comand is not a run key: did you mean command?", 13},
		{"secret item", "config:\n  secrets:\n    - name: a\n      env: A\n    - nme: b\n", "config.secrets[1].nme is not a config.secrets key: did you mean name?", 16},
		{"about", "  tilte: W\n", "about.tilte is not an about key: did you mean title?", 0},
		{"tool container", "tools:\n  - name: t\n    container:\n      imag: x\n", "tools[0].container.imag is not a tools.container key: did you mean image?", 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := base + tc.extra
			if tc.name == "about" {
				raw = strings.Replace(base, "  title: Weather\n", "  title: Weather\n"+tc.extra, 1)
			}
			f, err := Parse("servers/weather/server.yaml", []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			errs := Validate(f)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Fatalf("got %v, want one error containing %q", errs, tc.want)
			}
			if tc.line != 0 && errs[0].Line != tc.line {
				t.Errorf("line %d, want %d: %v", errs[0].Line, tc.line, errs[0])
			}
		})
	}
}

// TestOpenMapsStayOpen: maps whose keys are data (environment variables,
// headers, JSON schemas) take any key.
func TestOpenMapsStayOpen(t *testing.T) {
	raw := `name: weather
type: server
meta: {category: x}
about: {title: W}
run:
  env: {ANY_NAME: x}
  ports: ["8080"]
remote:
  headers: {X-Custom-Thing: y}
config:
  parameters:
    type: object
    properties: {whatever: {type: string}}
  env:
    - name: A
      env: A
`
	f, err := Parse("servers/weather/server.yaml", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(f); len(errs) != 0 {
		t.Errorf("open maps refused: %v", errs)
	}
}
