// Package updater plans and runs passes of the pin updater: which servers
// to look at, what each one's decision is, and the writes that follow.
package updater

import (
	"errors"
	"fmt"
)

// UsageError is bad usage or configuration: the command line, the
// environment or the registry directory cannot be used at all. The command
// exits 2 on it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ErrServersFailed reports that the pass ran but at least one server (or
// registry file) failed; the others were handled. The command exits 1.
var ErrServersFailed = errors.New("some servers failed")

// ErrReviewFailed reports that `updater review` ran and its verdict fails
// the check (blocked, or a risk at or above --fail-on). The command exits 1.
var ErrReviewFailed = errors.New("review failed")
