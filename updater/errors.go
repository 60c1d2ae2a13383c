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
type UsageError struct {
	Msg string
	Err error // the cause, when the message wraps one with %w
}

func (e *UsageError) Error() string { return e.Msg }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError; a %w verb makes the error unwrap to its
// cause.
func Usagef(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &UsageError{Msg: err.Error(), Err: errors.Unwrap(err)}
}

// ErrServersFailed reports that the pass ran but at least one server (or
// registry file) failed; the others were handled. The command exits 1.
var ErrServersFailed = errors.New("some servers failed")

// ErrReviewFailed reports that `updater review` ran and its verdict fails
// the check (blocked, or a risk at or above --fail-on). The command exits 1.
var ErrReviewFailed = errors.New("review failed")
