package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// flagValueError matches the flag package's "invalid value "V" for flag
// -NAME: CAUSE", to say it again as one line a maintainer can act on.
var flagValueError = regexp.MustCompile(`^invalid value "((?:[^"\\]|\\.)*)" for flag -([A-Za-z0-9-]+): (.*)$`)

// badFlag says a bad command-line or UPDATER_* value once: which flag (or
// variable), the value, why, and an example of a good one; then where the
// usage is. The full flag listing stays for -h.
func badFlag(w io.Writer, fs *flag.FlagSet, cmd string, err error) {
	msg := err.Error()
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		value, name, cause := m[1], m[2], m[3]
		msg = fmt.Sprintf("--%s %q: %s", name, value, valueProblem(fs.Lookup(name), value, cause))
		if strings.Contains(cause, strconv.Quote(value)) { // a checked value names itself
			msg = fmt.Sprintf("--%s: %s", name, cause)
		}
	}
	fmt.Fprintf(w, "updater %s: %s\n", cmd, msg)
	fmt.Fprintf(w, "run 'updater %s -h' for usage\n", cmd)
}

// envValueError is a bad UPDATER_* value: it names the variable, not the
// flag, since the flag is nowhere on the command line.
func envValueError(f *flag.Flag, variable, value string, err error) error {
	return fmt.Errorf("%s=%q: %s", variable, value, valueProblem(f, value, err.Error()))
}

// valueProblem is the cause of a bad value with a hint of a good one for
// the kinds of values people get wrong: durations ("3d" -> "write 72h")
// and booleans.
func valueProblem(f *flag.Flag, value, cause string) string {
	cause = strings.TrimPrefix(cause, "parse error")
	cause = strings.TrimPrefix(cause, ": ")
	if f == nil {
		return cause
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return cause
	}
	switch g.Get().(type) {
	case time.Duration:
		return "not a duration; " + durationHint(value)
	case bool:
		return "not a boolean; write true or false"
	case int, int64, uint, uint64:
		return "not a whole number; write e.g. 5"
	}
	if cause == "" {
		return "not a valid value"
	}
	return cause
}

// durationHint suggests a Go duration for what was meant: days and weeks
// are not units time.ParseDuration knows.
func durationHint(value string) string {
	var n int
	var unit string
	if _, err := fmt.Sscanf(value, "%d%s", &n, &unit); err == nil && n >= 0 {
		switch strings.ToLower(unit) {
		case "d", "day", "days":
			return fmt.Sprintf("write %dh (units: s, m, h)", n*24)
		case "w", "week", "weeks":
			return fmt.Sprintf("write %dh (units: s, m, h)", n*24*7)
		}
	}
	return "write e.g. 90s, 15m or 72h (units: s, m, h)"
}
