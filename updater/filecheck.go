package updater

import (
	"strings"

	"github.com/mcp-registry/updater/registry"
)

// fileProblems applies registry.Validate, the schema and pin rules, and
// says what is wrong in one line ("" when nothing is): the one check every
// command applies to a server it touches (run and daemon through the
// selection, pin to the file it would write, review to the server it
// reviews). Each problem names the file and line.
func fileProblems(f *registry.File) string {
	problems := registry.Validate(f)
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}
