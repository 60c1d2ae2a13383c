package main

import (
	"log/slog"
	"time"
)

// Durations in logs: people read "1.2s" in text logs; machines read
// seconds as a number in JSON logs (slog's JSON handler would write
// nanoseconds as an integer, which every dashboard then has to divide).

// durationSeconds is the JSON handler's ReplaceAttr: a time.Duration
// becomes its seconds as a float.
func durationSeconds(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.Float64Value(a.Value.Duration().Seconds())
	}
	return a
}

// durationHuman is the text handler's ReplaceAttr: a time.Duration is
// rounded to what a person reads (1.2s, 340ms, 2m3s).
func durationHuman(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.DurationValue(humanDuration(a.Value.Duration()))
	}
	return a
}

// humanDuration rounds d to two or three significant places: tenths of a
// second from a second on, milliseconds below, whole seconds from a
// minute on.
func humanDuration(d time.Duration) time.Duration {
	switch abs := max(d, -d); {
	case abs >= time.Minute:
		return d.Round(time.Second)
	case abs >= time.Second:
		return d.Round(100 * time.Millisecond)
	case abs >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d
}

// structuredLogs reports whether --log-format (auto: JSON off a terminal)
// makes the logs JSON records for machines rather than lines for people.
func structuredLogs(format string, terminal bool) bool {
	return format == "json" || format == "auto" && !terminal
}
