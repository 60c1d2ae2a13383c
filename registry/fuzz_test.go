package registry_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry"
)

// addSeeds adds every testdata/setpin input to the corpus of f.
func addSeeds(f *testing.F) {
	inputs, err := filepath.Glob("testdata/setpin/*.yaml")
	if err != nil || len(inputs) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, in := range inputs {
		raw, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// FuzzSetPin checks, on any input SetPin accepts, that the only bytes that
// change are those of one occurrence of the old commit value on one line,
// and that the output parses to the input's model but for the commit.
func FuzzSetPin(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := registry.SetPin(raw, registry.Pin{Commit: newCommit})
		if err != nil {
			if out != nil {
				t.Fatal("output beside an error")
			}
			return
		}
		// SetPin accepted the file, so it is one YAML mapping with a
		// source.commit; read the old model independently of package
		// registry's text handling.
		var before, after map[string]any
		if err := yaml.Unmarshal(raw, &before); err != nil {
			t.Fatalf("input accepted but does not parse: %v", err)
		}
		if err := yaml.Unmarshal(out, &after); err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, out)
		}
		// The old value as written: a string field takes the text of
		// any scalar, where a generic decode holds "0" as the number 0.
		var pinned struct{ Source struct{ Commit string } }
		if err := yaml.Unmarshal(raw, &pinned); err != nil {
			t.Fatal(err)
		}
		old := pinned.Source.Commit
		if !setCommit(before["source"], newCommit) {
			t.Fatalf("input accepted without a source mapping: %q", raw)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("output model differs beyond the commit:\n%q\n%q", raw, out)
		}
		if !onlyValueChanged(raw, out, old, newCommit) {
			t.Fatalf("bytes changed outside the commit value:\n%q\n%q", raw, out)
		}
	})
}

// setCommit sets the commit of a generically decoded source mapping, whose
// type depends on whether all its keys are strings.
func setCommit(source any, commit string) bool {
	switch m := source.(type) {
	case map[string]any:
		m["commit"] = commit
	case map[any]any:
		m["commit"] = commit
	default:
		return false
	}
	return true
}

// onlyValueChanged reports whether out is raw with one occurrence of old
// replaced by new (optionally with quotes added around new).
func onlyValueChanged(raw, out []byte, old, new string) bool {
	if old == "" {
		return false
	}
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(old))
		if j < 0 {
			return false
		}
		at := i + j
		for _, repl := range []string{new, `"` + new + `"`} {
			cand := append(append(append([]byte{}, raw[:at]...), repl...), raw[at+len(old):]...)
			if bytes.Equal(cand, out) {
				return true
			}
		}
		i = at + 1
	}
}

// FuzzParse checks that Parse never panics, keeps the bytes it is given,
// and that what it accepts is valid UTF-8 with a matching name.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("name: demo\nx: &a [*a]\n"))
	f.Add([]byte("name: demo\n\tsource: {}\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		file, err := registry.Parse("servers/demo/server.yaml", raw)
		if err != nil {
			if _, ok := err.(*registry.FileError); !ok {
				t.Fatalf("error %T, want *FileError", err)
			}
			return
		}
		if !bytes.Equal(file.Raw, raw) || file.Server.Name != "demo" || !utf8.Valid(raw) {
			t.Fatalf("accepted %q as %+v", raw, file.Server)
		}
		registry.Validate(file)
	})
}
