package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func sample() Board {
	return Board{
		Items: []Item{
			{Section: OpenPRs, Server: "alpha", PR: 12, Text: "to abc1234, risk high, opened 2026-12-01"},
			{Section: Failing, Server: "broken", Text: "dial tcp: refused", Since: "2026-11-30", Fails: 3},
			{Section: Held, Server: "held", PR: 7, Text: "commit abc1234 rejected since 2026-11-02", Ticked: true},
			{Section: Ignored, Server: "skipme", Text: "archived"},
		},
		Done:   []Done{{Date: "2026-12-01", Act: Retry, Server: "broken", Result: "failed: refused"}},
		Extras: []Extra{{Name: "New audit findings", Lines: []string{"alpha: a finding"}}},
	}
}

// What Render writes, Parse reads back the same, and renders to the same
// bytes: an unchanged state is an unchanged body.
func TestRoundTrip(t *testing.T) {
	body := Render(sample())
	p := Parse(body)
	again := Render(Board{Items: p.Items, Done: p.Done, Extras: p.Extras})
	if again != body {
		t.Fatalf("round trip differs:\n%s\n---\n%s", body, again)
	}
	if got := p.Ticked(); len(got) != 1 || got["held"][0] != Unhold {
		t.Errorf("ticked: %v", got)
	}
	if it, _ := p.Item("broken", Failing); it.Since != "2026-11-30" || it.Fails != 3 {
		t.Errorf("failing state: %+v", it)
	}
	if !strings.Contains(body, "- [x] unhold: **held** #7 — ") || !strings.Contains(body, "failing since 2026-11-30 (3 passes in a row)") {
		t.Errorf("body:\n%s", body)
	}
}

// Words from upstreams and maintainers cannot mention, link, inject HTML
// or close the hidden marker.
func TestRenderSanitizes(t *testing.T) {
	body := Render(Board{Items: []Item{{Section: Failing, Server: "x", Text: "@admin <img src=x> --> <!-- [link](http://evil) #1", Since: "2026-12-01", Fails: 1}}})
	// What GitHub shows: the body without the hidden markers (their JSON
	// keeps the text as it was, for the next pass).
	visible := body[:strings.Index(body, itemMarker)]
	for _, bad := range []string{"@admin", "<img", "](http://", " #1"} {
		if strings.Contains(visible, bad) {
			t.Errorf("%q survived:\n%s", bad, body)
		}
	}
	if strings.Count(body, "-->") != strings.Count(body, "<!--") {
		t.Errorf("a marker was broken:\n%s", body)
	}
	if it, ok := Parse(body).Item("x", Failing); !ok || !strings.HasPrefix(it.Text, "@admin <img") {
		t.Errorf("the text did not survive the marker: %+v", it)
	}
}

// Parse drops what does not validate: the body is editable by people.
func TestParseRejectsJunk(t *testing.T) {
	lines := []string{
		`- [x] retry: **a** <!-- updater:item {"section":"nope","server":"a","text":""} -->`,
		`- [x] retry: **b** <!-- updater:item {"section":"failing","server":"../b","text":""} -->`,
		`- [x] retry: **c** <!-- updater:item {"section":"failing","server":"c","text":"","since":"yesterday","fails":1} -->`,
		`- [x] retry: **d** <!-- updater:item {"section":"failing","server":"d","text":"","fails":-1} -->`,
		`- [x] retry: **e** <!-- updater:item {"section":"held","server":"e","text":"","fails":4} -->`,
		`- [x] retry: **f** <!-- updater:item {"section":"failing","server":"f","text":"","extra":1} -->`,
		`- [x] retry: **g** <!-- updater:item {"section":"failing","server":"g","text":"` + strings.Repeat("x", maxText+1) + `"} -->`,
		`- 2026-12-01 retry **h**: ok <!-- updater:done {"date":"2026-13-01","act":"retry","server":"h","result":"ok"} -->`,
		`- 2026-12-01 retry **i**: ok <!-- updater:done {"date":"2026-12-01","act":"delete everything","server":"i","result":"ok"} -->`,
		`- [x] retry: **ok** <!-- updater:item {"section":"failing","server":"ok","text":"t"} -->`,
		`- [x] retry: **ok** <!-- updater:item {"section":"failing","server":"ok","text":"dup"} -->`,
		`- [x] **frozen** <!-- updater:item {"section":"frozen","server":"frozen","text":"t"} -->`,
	}
	p := Parse(Marker + "\n" + strings.Join(lines, "\n"))
	if len(p.Items) != 2 || p.Items[0].Server != "ok" || p.Items[0].Text != "t" || p.Items[1].Server != "frozen" || len(p.Done) != 0 {
		t.Fatalf("parsed %+v %+v", p.Items, p.Done)
	}
	if got := p.Ticked(); len(got) != 1 || len(got["ok"]) != 1 {
		t.Errorf("ticks: %v (a section without a checkbox has no act)", got)
	}
}

// A body too long for GitHub is cut per section with "and N more".
func TestRenderCapsTheBody(t *testing.T) {
	var b Board
	for i := 0; i < 3000; i++ {
		b.Items = append(b.Items, Item{Section: Frozen, Server: fmt.Sprintf("server-%04d", i), Text: strings.Repeat("reason ", 20)})
	}
	body := Render(b)
	if len(body) > MaxBody {
		t.Fatalf("%d bytes", len(body))
	}
	if !strings.Contains(body, "### Frozen (3000)") || !strings.Contains(body, " more\n") {
		t.Errorf("no count or no \"and N more\":\n%s", body[len(body)-300:])
	}
}

func TestIsDashboard(t *testing.T) {
	if IsDashboard("my notes\n"+Marker) || !IsDashboard(Marker+"\r\nx") {
		t.Error("the marker must be the first line")
	}
}

func TestSetExtra(t *testing.T) {
	b := sample()
	b.SetExtra("New audit findings", []string{"one", "two"})
	b.SetExtra("Other", []string{"x"})
	p := Parse(Render(b))
	if len(p.Extras) != 2 || len(p.Extras[0].Lines) != 2 || p.Extras[1].Name != "Other" {
		t.Fatalf("extras: %+v", p.Extras)
	}
}

// A line longer than Parse reads back is cut, not dropped on the next
// pass: a failing server's long error keeps its "failing since".
func TestLongTextSurvivesTheRoundTrip(t *testing.T) {
	long := strings.Repeat("é", maxText) // two bytes each: cut at a rune boundary
	b := Board{Items: []Item{{Section: Failing, Server: "x", Text: long, Since: "2026-12-01", Fails: 3}}}
	p := Parse(Render(b))
	if len(p.Items) != 1 || p.Items[0].Since != "2026-12-01" || p.Items[0].Fails != 3 || !utf8.ValidString(p.Items[0].Text) {
		t.Fatalf("parsed back %+v, want the failing line with its history", p.Items)
	}
}
