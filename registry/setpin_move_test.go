package registry_test

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
)

// A directory move rewrites commit, directory and dockerfile, each in its
// own quoting style, and not one other byte.
func TestSetPinMovesDirectory(t *testing.T) {
	raw := "name: x # keep\nimage: mcp/x\ntype: server\nsource:\n  project: https://github.com/o/r\n" +
		"  commit: 1111111111111111111111111111111111111111\r\n  directory: 'x' # moved soon\n  dockerfile: \"x/Dockerfile\"\n"
	out, err := registry.SetPin([]byte(raw), registry.Pin{Commit: newCommit, Directory: "tools/x", Dockerfile: "tools/x/Dockerfile"})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("1111111111111111111111111111111111111111", newCommit,
		"'x'", "'tools/x'", `"x/Dockerfile"`, `"tools/x/Dockerfile"`).Replace(raw)
	if string(out) != want {
		t.Fatalf("got\n%q\nwant\n%q", out, want)
	}
	// Same values: nothing but the commit changes.
	same, err := registry.SetPin([]byte(raw), registry.Pin{Commit: newCommit, Directory: "x"})
	if err != nil || strings.Count(string(same), "'x'") != 1 {
		t.Fatalf("same directory: %v\n%s", err, same)
	}
	for _, bad := range []registry.Pin{
		{Commit: newCommit, Directory: "../up"},
		{Commit: newCommit, Directory: "a b"},
		{Commit: newCommit, Dockerfile: "/abs/Dockerfile"},
	} {
		if _, err := registry.SetPin([]byte(raw), bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
	// No directory key to move: refused rather than inserted.
	noDir := "name: x\nimage: mcp/x\ntype: server\nsource:\n  project: https://github.com/o/r\n  commit: 1111111111111111111111111111111111111111\n"
	if _, err := registry.SetPin([]byte(noDir), registry.Pin{Commit: newCommit, Directory: "y"}); err == nil {
		t.Error("a missing directory key was accepted")
	}
}
