//go:build unix

package bench

import (
	"testing"
	"time"
)

func TestMarkdown(t *testing.T) {
	tab := &Table{Title: "Figures", Header: []string{"what", "value"}}
	tab.Add("a|b", "1")
	tab.Add("only one cell")
	tab.Add("x", "y", "dropped")
	want := "### Figures\n\n| what | value |\n| --- | --- |\n| a\\|b | 1 |\n| only one cell |  |\n| x | y |\n"
	if got := tab.Markdown(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if tab.Len() != 3 {
		t.Errorf("Len %d, want 3", tab.Len())
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Seconds(1250 * time.Millisecond), "1.25 s"},
		{MB(23_456_789), "23.5 MB"},
		{Ratio(3*time.Second, 2*time.Second), "1.50x"},
		{Ratio(time.Second, 0), "-"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	u := func(wall time.Duration, rss int64) Usage { return Usage{Wall: wall, User: wall / 2, MaxRSS: rss} }
	for _, tc := range []struct {
		name string
		runs []Usage
		want Usage
	}{
		{"none", nil, Usage{}},
		{"one", []Usage{u(3, 7)}, u(3, 7)},
		{"odd: each figure on its own", []Usage{u(5, 1), u(1, 9), u(3, 4)}, u(3, 4)},
		{"even: the lower middle", []Usage{u(4, 40), u(1, 10), u(3, 30), u(2, 20)}, u(2, 20)},
	} {
		if got := Median(tc.runs); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
