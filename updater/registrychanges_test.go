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
