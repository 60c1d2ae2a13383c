package registry_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const newCommit = "0123456789abcdef0123456789abcdef01234567"

// goldenPin is the pin each testdata/setpin case is rewritten with: a new
// commit; a new tag too for the tag-tracking cases ("tag-" in the name);
// an all-digit SHA where the case is about quoting it.
func goldenPin(name string) registry.Pin {
	switch {
	case name == "plain-numeric.yaml":
		return registry.Pin{Commit: "1234567890123456789012345678901234567890"}
	case strings.HasPrefix(strings.TrimPrefix(name, "bad-"), "tag-"):
		return registry.Pin{Commit: newCommit, Branch: "2099.1.1"}
	}
	return registry.Pin{Commit: newCommit}
}

// TestSetPinGolden rewrites every testdata/setpin/*.yaml and compares the
// result, or the error for the "bad-" cases, with its .golden file.
func TestSetPinGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/setpin/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			pin := goldenPin(name)
			out, err := registry.SetPin(raw, pin)
			wantErr := strings.HasPrefix(name, "bad-")
			var got []byte
			switch {
			case err != nil && !wantErr:
				t.Fatalf("SetPin: %v", err)
			case err == nil && wantErr:
				t.Fatalf("SetPin succeeded, want an error; output:\n%s", out)
			case err != nil:
				if out != nil {
					t.Errorf("SetPin returned output beside its error")
				}
				got = []byte("error: " + err.Error() + "\n")
			default:
				got = out
				keys := 1
				if pin.Branch != "" {
					keys = 2
				}
				if n := len(changedLines(raw, out)); n == 0 || n > keys {
					t.Errorf("%d lines changed, want 1..%d", n, keys)
				}
			}
			registrytest.Golden(t, strings.TrimSuffix(in, ".yaml")+".golden", got, *update)
		})
	}
}

func TestSetPinRejectsBadPins(t *testing.T) {
	raw, err := os.ReadFile("testdata/setpin/tag-SQLite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, pin := range []registry.Pin{
		{Commit: ""},
		{Commit: "abc"},
		{Commit: strings.ToUpper(newCommit)},
		{Commit: newCommit + "0"},
		{Commit: "g123456789abcdef0123456789abcdef01234567"},
		{Commit: newCommit, Branch: "-rf"},
		{Commit: newCommit, Branch: "a b"},
		{Commit: newCommit, Branch: "v1..2"},
		{Commit: newCommit, Branch: "x: y"},
		{Commit: newCommit, Branch: `"quoted"`},
		{Commit: newCommit, Branch: "#comment"},
		{Commit: newCommit, Branch: "main\n"},
	} {
		if out, err := registry.SetPin(raw, pin); err == nil {
			t.Errorf("SetPin(%+v) succeeded:\n%s", pin, out)
		}
	}
}

// TestSetPinQuotesWhatWouldNotReadAsString covers the branch values that a
// bare YAML scalar would turn into numbers or booleans.
func TestSetPinQuotesWhatWouldNotReadAsString(t *testing.T) {
	raw := []byte("name: x\ntype: server\nsource:\n  project: https://github.com/a/b\n  branch: main\n  commit: " + newCommit + "\n")
	for branch, want := range map[string]string{
		"v2":       "branch: v2\n",
		"2025.5.1": "branch: 2025.5.1\n",
		"1.0":      `branch: "1.0"` + "\n",
		"2025":     `branch: "2025"` + "\n",
		"1e3":      `branch: "1e3"` + "\n",
		"yes":      `branch: "yes"` + "\n",
		"null":     `branch: "null"` + "\n",
		"off":      `branch: "off"` + "\n",
	} {
		out, err := registry.SetPin(raw, registry.Pin{Commit: newCommit, Branch: branch})
		if err != nil {
			t.Errorf("branch %q: %v", branch, err)
			continue
		}
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("branch %q: output lacks %q:\n%s", branch, want, out)
		}
	}
}

func TestSetPinSameCommitIsIdentity(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/setpin/*.yaml")
	for _, in := range inputs {
		if strings.HasPrefix(filepath.Base(in), "bad-") {
			continue
		}
		raw, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		f, err := registry.Parse(serverPathFor(t, raw), raw)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := registry.SetPin(raw, registry.Pin{Commit: f.Server.Source.Commit})
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !bytes.Equal(out, raw) {
			t.Errorf("%s: re-pinning to the same commit changed the file", in)
		}
	}
}

// serverPathFor returns the registry path matching the name the file
// declares, so testdata can be parsed whatever its file name.
func serverPathFor(t *testing.T, raw []byte) string {
	t.Helper()
	var decl struct{ Name string }
	if err := yaml.Unmarshal(raw, &decl); err != nil {
		t.Fatalf("reading the name: %v", err)
	}
	return registry.ServerPath(decl.Name)
}
