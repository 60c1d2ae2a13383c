package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLogDurations: text logs say durations as people read them, JSON
// logs as seconds (a number), never as nanoseconds.
func TestLogDurations(t *testing.T) {
	const took = 1234567891 * time.Nanosecond

	var js bytes.Buffer
	logger, err := newLogger(&js, "json", "info", false)
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("pass done", "took", took, "wait", 340*time.Millisecond)
	var rec map[string]any
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, js.String())
	}
	if rec["took"] != 1.234567891 || rec["wait"] != 0.34 {
		t.Errorf("JSON durations: took=%v wait=%v, want seconds 1.234567891 and 0.34\n%s", rec["took"], rec["wait"], js.String())
	}

	var text bytes.Buffer
	if logger, err = newLogger(&text, "text", "info", false); err != nil {
		t.Fatal(err)
	}
	logger.Info("pass done", "took", took, "wait", 340*time.Millisecond, "long", 123456*time.Millisecond)
	for _, want := range []string{"took=1.2s", "wait=340ms", "long=2m3s"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text log lacks %s: %s", want, text.String())
		}
	}
}
