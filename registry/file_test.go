package registry_test

import (
	"errors"
	"testing"

	"github.com/mcp-registry/updater/registry"
)

// A FileError's path comes from a directory name a pull request chose:
// plain printable text prints as is, anything else quoted and escaped so
// that it can neither forge a log line nor reach the terminal.
func TestFileErrorPrintsHostilePathsQuoted(t *testing.T) {
	problem := errors.New("problem")
	for _, tc := range []struct {
		path string
		line int
		want string
	}{
		{"servers/demo/server.yaml", 3, "servers/demo/server.yaml:3: problem"},
		{"servers/demo/server.yaml", 0, "servers/demo/server.yaml: problem"},
		{"servers/a b/server.yaml", 0, "servers/a b/server.yaml: problem"},
		{"servers/ünï/server.yaml", 0, "servers/ünï/server.yaml: problem"},
		{"servers/a\nb/server.yaml", 2, `"servers/a\nb/server.yaml":2: problem`},
		{"servers/a\x1b[2Jb/server.yaml", 0, `"servers/a\x1b[2Jb/server.yaml": problem`},
		{"servers/bad\xffname/server.yaml", 0, `"servers/bad\xffname/server.yaml": problem`},
		{"servers/nul\u202eexe/server.yaml", 0, `"servers/nul\u202eexe/server.yaml": problem`},
		{"servers/a\u00a0b/server.yaml", 0, `"servers/a\u00a0b/server.yaml": problem`},
	} {
		if got := (&registry.FileError{Path: tc.path, Line: tc.line, Err: problem}).Error(); got != tc.want {
			t.Errorf("FileError{Path: %q}.Error() = %s, want %s", tc.path, got, tc.want)
		}
	}
}
