// Package dashboard renders and parses the registry's pin updates
// dashboard: one issue listing what maintainers may want to know or steer
// (open PRs, merges waiting, held, cooling, deferred, frozen, failing,
// ignored and stale servers), with checkboxes that ask the next pass to
// act. It is pure: bytes in, bytes out, no I/O; the pass in package
// updater finds the issue, checks who ticked what, and writes it.
//
// The issue body is also the dashboard's memory between passes: each line
// carries a hidden marker with its state (section, server, action, failing
// since, consecutive failures) as JSON, which Parse reads back. Anyone
// with write access can edit the body, so Parse treats it as untrusted:
// every field is validated and capped, and what does not validate is
// dropped. Every word shown comes from Render, through the one sanitizer
// (updater/internal/mdsafe), never from the parsed body as written.
//
// It imports registry (for the server name rule) and mdsafe only.
package dashboard

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// Title and Label identify the dashboard issue; Marker is its first line,
// so an issue a maintainer labels by hand is not taken for it.
const (
	Title  = "Pin updates dashboard"
	Label  = "updater-dashboard"
	Marker = "<!-- updater:dashboard -->"
)

// MaxBody is how long a rendered body may be: GitHub refuses bodies over
// 65,536 characters; the rest is margin for what counts differently.
const MaxBody = 60000

// DateLayout is how dates are shown and stored: a date, never an age, so
// an unchanged state renders to the same bytes on the next pass.
const DateLayout = "2006-01-02"

// Date formats t as a dashboard date (UTC).
func Date(t time.Time) string { return t.UTC().Format(DateLayout) }

// Section is one list of the dashboard.
type Section string

// The sections, in the order they are shown.
const (
	OpenPRs       Section = "open"
	AwaitingMerge Section = "awaiting"
	Held          Section = "held"
	CoolingDown   Section = "cooling"
	Deferred      Section = "deferred"
	Frozen        Section = "frozen"
	Failing       Section = "failing"
	Ignored       Section = "ignored"
	Stale         Section = "stale"
)

var sections = []struct {
	key   Section
	title string
	act   Act // the checkbox its lines carry, "" for none
}{
	{OpenPRs, "Open pull requests", ReReview},
	{AwaitingMerge, "Awaiting merge", ""},
	{Held, "Held: a maintainer rejected the commit", Unhold},
	{CoolingDown, "Cooling down", ProposeNow},
	{Deferred, "Deferred", ProposeNow},
	{Frozen, "Frozen", ""},
	{Failing, "Failing", Retry},
	{Ignored, "Ignored", ""},
	{Stale, "Stale pins", ""},
}

// Act is what a ticked checkbox asks the next pass to do.
type Act string

const (
	Retry      Act = "retry"       // a failing server, now
	ProposeNow Act = "propose now" // skip the cooldown, the cap and the schedule window once
	Unhold     Act = "unhold"      // propose the commit a maintainer rejected
	ReReview   Act = "re-review"   // review the open PR's head again
)

// ActOf is the checkbox a section's lines carry, "" for none.
func ActOf(s Section) Act {
	a, _ := actOf(s)
	return a
}

// actOf is the checkbox a section's lines carry, and whether s is a
// section at all.
func actOf(s Section) (Act, bool) {
	for _, sec := range sections {
		if sec.key == s {
			return sec.act, true
		}
	}
	return "", false
}

// validAct reports whether a is one of the acts.
func validAct(a Act) bool { return a == Retry || a == ProposeNow || a == Unhold || a == ReReview }

// Item is one server's line in one section.
type Item struct {
	Section Section `json:"section"`
	Server  string  `json:"server"`
	// PR is the pull request the line is about (shown as a link), 0 for none.
	PR int `json:"pr,omitempty"`
	// Text is the rest of the line, untrusted words included: Render
	// sanitizes it.
	Text string `json:"text"`
	// Since and Fails are a failing server's first failed pass (a Date)
	// and how many passes in a row failed.
	Since string `json:"since,omitempty"`
	Fails int    `json:"fails,omitempty"`
	// Ticked is the line's checkbox, as read back or carried.
	Ticked bool `json:"-"`
}

// Done is one acted-on tick, shown under "Recent actions".
type Done struct {
	Date   string `json:"date"`
	Act    Act    `json:"act"`
	Server string `json:"server"`
	Result string `json:"result"` // "ok", "failed: ...", "ignored: ..."
}

// MaxDone is how many recent actions are kept.
const MaxDone = 10

// Extra is a named section another job adds (the weekly audit's "New
// audit findings"): a pass keeps the extras it parsed back, and a job
// replaces its own section by name.
type Extra struct {
	Name  string   `json:"name"`
	Lines []string `json:"-"`
}

// SetExtra replaces the named extra section, or adds it after the others:
// the hook through which another job (the weekly audit) publishes its
// section. No lines removes it.
func (b *Board) SetExtra(name string, lines []string) {
	for i := range b.Extras {
		if b.Extras[i].Name == name {
			b.Extras[i].Lines = lines
			return
		}
	}
	b.Extras = append(b.Extras, Extra{Name: name, Lines: lines})
}

// Board is everything a dashboard shows.
type Board struct {
	Items  []Item
	Done   []Done  // newest first; Render keeps MaxDone
	Extras []Extra // shown after the sections, in order
	// Note is one line under the title: what a reader must know about
	// this state (e.g. ticks that were ignored and why). Untrusted words
	// are sanitized.
	Note string
}

// Caps on what one line and one body may hold, parsed or rendered.
const (
	maxText     = 400
	maxFails    = 1 << 20
	maxItems    = 5000
	maxExtraLen = 400
)

// marker kinds
const (
	itemMarker  = "<!-- updater:item "
	doneMarker  = "<!-- updater:done "
	extraMarker = "<!-- updater:extra "
	markerEnd   = " -->"
)

// stateJSON encodes v for a hidden marker. encoding/json escapes <, > and
// &, so no value can close the HTML comment it sits in.
func stateJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings and ints
	}
	return string(b)
}

// Render is the issue body for b: deterministic, so the same state gives
// the same bytes, and under MaxBody: when too long, each section shows
// fewer lines and says how many more there are.
func Render(b Board) string {
	b = capped(b)
	for perSection := maxItems; ; perSection /= 2 {
		body := render(b, perSection)
		if len(body) <= MaxBody || perSection == 0 {
			return body
		}
	}
}

// capped is b with every text cut to what Parse reads back (a longer line
// would render and then be dropped by the next pass: a failing server
// would start "failing since" again every night).
func capped(b Board) Board {
	items := make([]Item, len(b.Items))
	for i, it := range b.Items {
		it.Text = cutText(it.Text, maxText)
		items[i] = it
	}
	done := make([]Done, len(b.Done))
	for i, d := range b.Done {
		d.Result = cutText(d.Result, maxText)
		done[i] = d
	}
	extras := make([]Extra, len(b.Extras))
	for i, x := range b.Extras {
		lines := make([]string, len(x.Lines))
		for j, l := range x.Lines {
			lines[j] = cutText(l, maxExtraLen)
		}
		extras[i] = Extra{Name: x.Name, Lines: lines}
	}
	b.Items, b.Done, b.Extras = items, done, extras
	return b
}

// cutText cuts s to at most n bytes at a rune boundary.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func render(b Board, perSection int) string {
	var w strings.Builder
	w.WriteString(Marker + "\n")
	w.WriteString("Pins the updater bot keeps fresh, and what holds them back. Tick a box to have the next pass act on it; only ticks by people with write access count.\n")
	if b.Note != "" {
		fmt.Fprintf(&w, "\n> **Note:** %s\n", mdsafe.Prose(b.Note, maxText))
	}
	bySection := map[Section][]Item{}
	for _, it := range b.Items {
		bySection[it.Section] = append(bySection[it.Section], it)
	}
	for _, sec := range sections {
		items := bySection[sec.key]
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(&w, "\n### %s (%d)\n\n", sec.title, len(items))
		for i, it := range items {
			if i == perSection {
				fmt.Fprintf(&w, "- … and %d more\n", len(items)-i)
				break
			}
			w.WriteString(renderItem(it, sec.act))
		}
	}
	for _, x := range b.Extras {
		if len(x.Lines) == 0 {
			continue
		}
		name := mdsafe.Prose(x.Name, 80)
		fmt.Fprintf(&w, "\n### %s (%d)\n\n", name, len(x.Lines))
		for i, l := range x.Lines {
			if i == perSection {
				fmt.Fprintf(&w, "- … and %d more\n", len(x.Lines)-i)
				break
			}
			fmt.Fprintf(&w, "- %s %s%s%s\n", mdsafe.Prose(l, maxExtraLen), extraMarker,
				stateJSON(struct {
					Name string `json:"name"`
					Text string `json:"text"`
				}{x.Name, l}), markerEnd)
		}
	}
	if len(b.Done) > 0 {
		w.WriteString("\n### Recent actions\n\n")
		for i, d := range b.Done {
			if i == MaxDone {
				break
			}
			fmt.Fprintf(&w, "- %s %s **%s**: %s %s%s%s\n", d.Date, d.Act, mdsafe.Prose(d.Server, 100),
				mdsafe.Prose(d.Result, maxText), doneMarker, stateJSON(d), markerEnd)
		}
	}
	return w.String()
}

func renderItem(it Item, act Act) string {
	var w strings.Builder
	w.WriteString("- ")
	if act != "" {
		if it.Ticked {
			w.WriteString("[x] ")
		} else {
			w.WriteString("[ ] ")
		}
		fmt.Fprintf(&w, "%s: ", act)
	}
	fmt.Fprintf(&w, "**%s**", mdsafe.Prose(it.Server, 100))
	if it.PR > 0 {
		fmt.Fprintf(&w, " #%d", it.PR)
	}
	if it.Text != "" {
		fmt.Fprintf(&w, " — %s", mdsafe.Prose(it.Text, maxText))
	}
	if it.Section == Failing && it.Since != "" {
		fmt.Fprintf(&w, " — failing since %s (%d pass%s in a row)", it.Since, it.Fails, map[bool]string{true: "", false: "es"}[it.Fails == 1])
	}
	fmt.Fprintf(&w, " %s%s%s\n", itemMarker, stateJSON(it), markerEnd)
	return w.String()
}

// Parsed is what a dashboard body says, as far as it validates.
type Parsed struct {
	Items  []Item
	Done   []Done
	Extras []Extra
}

// Ticked returns the acts ticked in the body: server -> acts.
func (p Parsed) Ticked() map[string][]Act {
	out := map[string][]Act{}
	for _, it := range p.Items {
		if !it.Ticked {
			continue
		}
		if a, _ := actOf(it.Section); a != "" {
			out[it.Server] = append(out[it.Server], a)
		}
	}
	return out
}

// Item returns the parsed item of server in section.
func (p Parsed) Item(server string, s Section) (Item, bool) {
	for _, it := range p.Items {
		if it.Server == server && it.Section == s {
			return it, true
		}
	}
	return Item{}, false
}

// IsDashboard reports whether body is a dashboard this package wrote: its
// first line is the marker.
func IsDashboard(body string) bool {
	first, _, _ := strings.Cut(body, "\n")
	return strings.TrimSpace(first) == Marker
}

// Parse reads a dashboard body back. Lines that do not validate (an
// unknown section or act, a bad server name or date, oversized text, a
// second line for the same server and section) are dropped; at most
// maxItems items are read.
func Parse(body string) Parsed {
	var p Parsed
	seen := map[[2]string]bool{}
	extras := map[string]int{}
	if len(body) > 2*MaxBody {
		body = body[:2*MaxBody]
	}
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimRight(line, "\r ")
		if !strings.HasPrefix(line, "- ") || !strings.HasSuffix(line, markerEnd) {
			continue
		}
		switch {
		case strings.Contains(line, itemMarker):
			if len(p.Items) >= maxItems {
				continue
			}
			it, ok := parseItem(line)
			key := [2]string{string(it.Section), it.Server}
			if ok && !seen[key] {
				seen[key] = true
				p.Items = append(p.Items, it)
			}
		case strings.Contains(line, doneMarker):
			var d Done
			if decodeMarker(line, doneMarker, &d) && validDone(d) && len(p.Done) < MaxDone {
				p.Done = append(p.Done, d)
			}
		case strings.Contains(line, extraMarker):
			var x struct{ Name, Text string }
			if !decodeMarker(line, extraMarker, &x) || x.Name == "" || len(x.Name) > 80 || len(x.Text) > maxExtraLen {
				continue
			}
			i, ok := extras[x.Name]
			if !ok {
				if len(extras) >= 10 {
					continue
				}
				i = len(p.Extras)
				extras[x.Name] = i
				p.Extras = append(p.Extras, Extra{Name: x.Name})
			}
			if len(p.Extras[i].Lines) < maxItems {
				p.Extras[i].Lines = append(p.Extras[i].Lines, x.Text)
			}
		}
	}
	return p
}

// decodeMarker decodes the JSON of the line's last marker of kind.
func decodeMarker(line, kind string, v any) bool {
	i := strings.LastIndex(line, kind)
	if i < 0 {
		return false
	}
	raw := strings.TrimSuffix(line[i+len(kind):], markerEnd)
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil && !dec.More()
}

func parseItem(line string) (Item, bool) {
	var it Item
	if !decodeMarker(line, itemMarker, &it) {
		return it, false
	}
	act, known := actOf(it.Section)
	if !known || !registry.ValidName(it.Server) || it.PR < 0 || len(it.Text) > maxText || it.Fails < 0 || it.Fails > maxFails {
		return it, false
	}
	if it.Since != "" && !validDate(it.Since) {
		return it, false
	}
	if it.Section != Failing && (it.Since != "" || it.Fails != 0) {
		return it, false
	}
	if act != "" {
		box := strings.TrimPrefix(line, "- ")
		it.Ticked = strings.HasPrefix(box, "[x] ") || strings.HasPrefix(box, "[X] ")
	}
	return it, true
}

func validDone(d Done) bool {
	return validDate(d.Date) && validAct(d.Act) && registry.ValidName(d.Server) && len(d.Result) <= maxText
}

func validDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Format(DateLayout) == s
}
