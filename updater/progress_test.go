package updater

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestProgressOnATerminal: one line, rewritten in place, cleared at the
// end, and never a log record.
func TestProgressOnATerminal(t *testing.T) {
	var term, logs bytes.Buffer
	opts := &Options{Progress: &term, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: time.Now}
	p := newProgress(opts, 2)
	p.resolvedOne()
	p.resolvedOne()
	p.working(phaseInspecting, "stripe")
	p.working(phaseReviewing, "stripe")
	p.working(phaseWriting, "stripe")
	p.end()
	want := "\r\x1b[Kresolved 1/2\r\x1b[Kresolved 2/2\r\x1b[Kinspecting stripe\r\x1b[Kreviewing stripe\r\x1b[Kwriting stripe\r\x1b[K"
	if term.String() != want {
		t.Errorf("terminal got %q\nwant %q", term.String(), want)
	}
	if strings.Contains(term.String(), "\n") || logs.Len() != 0 {
		t.Errorf("a new line or a log record on a terminal: %q / %q", term.String(), logs.String())
	}
}

// TestProgressInTheLog: off a terminal, records at most every interval
// of the clock: a clock that does not move logs nothing, one that moves
// past the interval logs each event with the counts.
func TestProgressInTheLog(t *testing.T) {
	var logs bytes.Buffer
	now := time.Date(2026, 11, 23, 3, 17, 0, 0, time.UTC)
	opts := &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now }, ProgressEvery: time.Hour}
	p := newProgress(opts, 3)
	p.resolvedOne()
	p.working(phaseReviewing, "stripe")
	if logs.Len() != 0 {
		t.Fatalf("records before the interval passed:\n%s", logs.String())
	}
	now = now.Add(time.Hour)
	p.resolvedOne()
	now = now.Add(30 * time.Minute)
	p.working(phaseWriting, "fetch") // within the hour: no record
	now = now.Add(30 * time.Minute)
	p.working(phaseWriting, "sqlite")
	p.end()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 records, got:\n%s", logs.String())
	}
	for i, want := range []string{"msg=progress resolved=2 servers=3 phase=reviewing elapsed=1h0m0s server=stripe", "resolved=2 servers=3 phase=writing elapsed=2h0m0s server=sqlite"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("record %d: %s\nwant %s", i, lines[i], want)
		}
	}
}

// TestProgressNil: a pass without progress reports nothing and fails not.
func TestProgressNil(t *testing.T) {
	var p *progress
	p.resolvedOne()
	p.working(phaseWriting, "x")
	p.end()
}
