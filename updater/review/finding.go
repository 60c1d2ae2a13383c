package review

import (
	"fmt"
	"strconv"
)

// Finding is one thing a reviewer should look at before merging a bump.
// All text fields are plain text: they may quote upstream content (paths,
// package names, hosts), and the Markdown renderer escapes them.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Evidence are locations, "path:line" (line numbered in the new file),
	// "path" when no line applies, or "commit <sha>" for range-level facts.
	Evidence       []string `json:"evidence,omitempty"`
	Detail         string   `json:"detail,omitempty"`
	Recommendation string   `json:"recommendation,omitempty"`
	// Blocks means merging must stop until a human has looked
	// (the security-blocked label and a failing check).
	Blocks bool `json:"blocks,omitempty"`
	// Allowed is the reason the registry accepted this finding for the
	// server (an allow-list entry): it still shows, marked, but raises
	// neither the risk nor a block.
	Allowed string `json:"allowed,omitempty"`
}

// maxEvidence bounds the locations one finding collects; a rule that hits
// thousands of lines reports the first ones and how many more there were.
const maxEvidence = 20

// evidence collects locations for one finding up to maxEvidence.
type evidence struct {
	items []string
	more  int
}

func (e *evidence) addLine(path string, line int) {
	e.add(path + ":" + strconv.Itoa(line))
}

func (e *evidence) add(loc string) {
	for _, it := range e.items {
		if it == loc {
			return
		}
	}
	if len(e.items) >= maxEvidence {
		e.more++
		return
	}
	e.items = append(e.items, loc)
}

func (e *evidence) empty() bool { return len(e.items) == 0 && e.more == 0 }

// note returns a sentence about the locations left out, or "".
func (e *evidence) note() string {
	if e.more == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d more locations not listed)", e.more)
}

// finding returns tmpl with these locations as its evidence and the note
// about left-out ones appended to its detail, or nothing when there are
// no locations.
func (e *evidence) finding(tmpl Finding) []Finding {
	if e.empty() {
		return nil
	}
	tmpl.Evidence = e.items
	tmpl.Detail += e.note()
	return []Finding{tmpl}
}
