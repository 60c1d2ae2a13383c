package updater

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

func TestRegistryChangesClassifies(t *testing.T) {
	const (
		p1, p2       = "https://github.com/o/one", "https://github.com/o/two"
		c1, c2       = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
		unpinnedYAML = "name: later\nimage: mcp/later\ntype: server\nmeta:\n  category: test\nabout:\n  title: later\nsource:\n  project: " + p1 + "\n"
	)
	parse := func(files map[string]string) []*registry.File {
		t.Helper()
		var out []*registry.File
		for name, y := range files {
			f, err := registry.Parse("servers/"+name+"/server.yaml", []byte(y))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, f)
		}
		return out
	}
	y := registrytest.PinnedYAML
	base := parse(map[string]string{
		"same": y("same", p1, "", c1, ""), "pin": y("pin", p1, "", c1, ""), "proj": y("proj", p1, "", c1, ""),
		"dir": y("dir", p1, "", c1, "a"), "both": y("both", p1, "", c1, "a"), "gone": y("gone", p1, "", c1, ""),
		"later": unpinnedYAML, "desc": y("desc", p1, "", c1, ""),
	})
	head := parse(map[string]string{
		"same": y("same", p1, "", c1, ""), "pin": y("pin", p1, "", c2, ""), "proj": y("proj", p2, "", c1, ""),
		"dir": y("dir", p1, "", c1, "b"), "both": y("both", p1, "", c2, "b"), "new": y("new", p2, "", c2, ""),
		"later": y("later", p1, "", c2, ""), "desc": strings.Replace(y("desc", p1, "", c1, ""), "title: desc", "title: Other", 1),
	})
	got := map[string]ChangeKind{}
	for _, c := range RegistryChanges(base, head) {
		got[c.Server] = c.Kind
		if (c.Kind == ChangeNew) != (c.Old == nil) && c.Server != "later" {
			t.Errorf("%s: kind %s with Old %v", c.Server, c.Kind, c.Old)
		}
		if c.Full() != (c.Kind != ChangePin) {
			t.Errorf("%s: Full %v for %s", c.Server, c.Full(), c.Kind)
		}
	}
	want := map[string]ChangeKind{"pin": ChangePin, "proj": ChangeProject, "dir": ChangeBuildInputs, "both": ChangeBuildInputs, "new": ChangeNew, "later": ChangeNew}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
}

// A change that leaves a locally built server's file invalid is listed,
// with the problem, rather than skipped: a contributor's new server with
// `comit:` has no pin, and would otherwise get no review at all. A file
// already invalid, unchanged, at the base is not the change's.
func TestRegistryChangesListsInvalidFiles(t *testing.T) {
	const c1 = "1111111111111111111111111111111111111111"
	typo := strings.Replace(registrytest.PinnedYAML("typo", "https://github.com/o/one", "", c1, ""), "  commit:", "  comit:", 1)
	bad := strings.Replace(registrytest.PinnedYAML("bad", "https://github.com/o/one", "", c1, ""), "  commit:", "  comit:", 1)
	parse := func(name, y string) *registry.File {
		f, err := registry.Parse("servers/"+name+"/server.yaml", []byte(y))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return f
	}
	base := []*registry.File{parse("bad", bad)}
	head := []*registry.File{parse("bad", bad), parse("typo", typo)}
	got := RegistryChanges(base, head)
	if len(got) != 1 || got[0].Server != "typo" || got[0].Kind != ChangeInvalid || !got[0].Full() ||
		!strings.Contains(got[0].Problem, "did you mean commit") {
		t.Fatalf("changes %+v, want typo alone, invalid, with a did-you-mean", got)
	}
}
