package dashboard

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: whatever a person (or anyone with write access) puts in the
// body, Parse does not panic, what it returns renders under the cap, and
// rendering it and parsing again gives the same state: the dashboard
// cannot be steered into a body that reads back as something else.
func FuzzParse(f *testing.F) {
	f.Add(Render(sample()))
	f.Add(Marker + "\n- [x] retry: **a** <!-- updater:item {\"section\":\"failing\",\"server\":\"a\",\"text\":\"-->\",\"since\":\"2026-12-01\",\"fails\":2} -->")
	f.Add("- [X] unhold: **b** <!-- updater:item {\"section\":\"held\",\"server\":\"b\",\"pr\":3,\"text\":\"x\"} --> <!-- updater:item {\"section\":\"open\",\"server\":\"c\",\"text\":\"y\"} -->")
	f.Add("- 2026-12-01 retry **a**: ok <!-- updater:done {\"date\":\"2026-12-01\",\"act\":\"retry\",\"server\":\"a\",\"result\":\"ok\"} -->\n- x <!-- updater:extra {\"name\":\"N\",\"text\":\"t\"} -->")
	f.Fuzz(func(t *testing.T, body string) {
		p := Parse(body)
		for _, it := range p.Items {
			if it.Ticked && ActOf(it.Section) == "" {
				t.Fatalf("a tick on a section without a checkbox: %+v", it)
			}
		}
		out := Render(Board{Items: p.Items, Done: p.Done, Extras: p.Extras})
		if len(out) > MaxBody || !IsDashboard(out) {
			t.Fatalf("rendered %d bytes, marker %v", len(out), IsDashboard(out))
		}
		if strings.Count(out, "<!--") != strings.Count(out, "-->") {
			t.Fatalf("unbalanced comments:\n%s", out)
		}
		again := Parse(out)
		if len(out) < MaxBody/2 && !reflect.DeepEqual(again, p) && !(len(again.Items) == 0 && len(p.Items) == 0) {
			t.Fatalf("round trip changed the state:\n%+v\n%+v", p, again)
		}
	})
}
