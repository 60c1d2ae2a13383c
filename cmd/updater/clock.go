package main

import (
	"context"
	"time"
)

// clockKey carries a pass's clock in the context. Only this package's
// tests set it (withClock), to run passes on chosen dates (schedule
// windows, cooldowns): there is no flag or variable for it, and a pass
// run by people or workflows has the real time.
type clockKey struct{}

// passClock is the clock ctx carries, nil for the real one.
func passClock(ctx context.Context) func() time.Time {
	now, _ := ctx.Value(clockKey{}).(func() time.Time)
	return now
}
