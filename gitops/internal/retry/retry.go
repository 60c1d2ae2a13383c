// Package retry is the one retry loop: bounded attempts, jittered
// exponential backoff, per-attempt timeouts, waits an error asks for
// (Retry-After), and the classifier of transient network and git errors.
// It must not import go-github or anything above gitops/internal.
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// ErrResponseTooLarge is returned when a peer sends more than the
// configured cap; a bigger answer will not come smaller next time.
var ErrResponseTooLarge = errors.New("upstream response exceeds the size cap")

// RetryPolicy bounds how an operation is retried. The zero value tries once.
type RetryPolicy struct {
	// Attempts is the total number of tries, the first included (<1: 1).
	Attempts int
	// Initial is the base wait before the second try; each later wait
	// doubles, up to Max. Waits are jittered ("equal jitter": half fixed,
	// half random), so many upstreams failing together do not retry in step.
	Initial, Max time.Duration
	// AttemptTimeout bounds each try (0: only ctx bounds it). A try that
	// runs out of its own time is retried; ctx running out ends everything.
	AttemptTimeout time.Duration
	// MaxRetryAfter caps a wait an error asks for through RetryAfter(); an
	// error asking for longer is returned at once instead of waited on.
	MaxRetryAfter time.Duration
	// Retryable decides which errors are worth another try; nil means
	// Transient.
	Retryable func(error) bool
	// OnRetry, when set, is told about each failed try before the wait
	// (for logging; err is whatever op returned).
	OnRetry func(attempt int, err error, wait time.Duration)
}

// DefaultRetryPolicy suits a network read: 3 tries, 250ms then 500ms
// (jittered), 20s per try.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		Attempts:       3,
		Initial:        250 * time.Millisecond,
		Max:            5 * time.Second,
		AttemptTimeout: 20 * time.Second,
		MaxRetryAfter:  time.Minute,
	}
}

// permanentError marks an error that must not be retried.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that Retry returns it at once, whatever the
// classifier would say. Retry strips the wrapper. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// retryAfterer is implemented by errors that know how long to wait (an
// HTTP Retry-After, a rate-limit reset).
type retryAfterer interface{ RetryAfter() time.Duration }

// Retry runs op until it succeeds, returns a non-retryable error, the
// attempts are used up, or ctx ends. It returns nil or op's last error
// (annotated with the number of tries when there was more than one).
func Retry(ctx context.Context, p RetryPolicy, op func(ctx context.Context) error) error {
	attempts := max(p.Attempts, 1)
	retryable := p.Retryable
	if retryable == nil {
		retryable = Transient
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = runAttempt(ctx, p.AttemptTimeout, op)
		if err == nil {
			return nil
		}
		if pe, ok := chainAs[*permanentError](err); ok {
			return pe.err
		}
		if ctx.Err() != nil {
			return withTries(err, attempt)
		}
		if attempt >= attempts || !retryable(err) {
			return withTries(err, attempt)
		}
		wait := backoff(p.Initial, p.Max, attempt)
		if ra, ok := chainAs[retryAfterer](err); ok {
			asked := ra.RetryAfter()
			if p.MaxRetryAfter > 0 && asked > p.MaxRetryAfter {
				return withTries(err, attempt)
			}
			wait = max(wait, asked)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w; gave up after %d tries: %w", err, attempt, ctx.Err())
		case <-t.C:
		}
	}
}

func runAttempt(ctx context.Context, timeout time.Duration, op func(context.Context) error) error {
	if timeout <= 0 {
		return op(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := op(actx)
	if err != nil && actx.Err() != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		// The try ran out of its own time; some libraries report that
		// as a closed connection. Say what happened, keep the cause.
		err = fmt.Errorf("%w (attempt timed out after %s: %w)", err, timeout, context.DeadlineExceeded)
	}
	return err
}

// backoff is the jittered wait after the given (1-based) failed attempt.
func backoff(initial, maxWait time.Duration, attempt int) time.Duration {
	if initial <= 0 {
		return 0
	}
	d := initial
	for i := 1; i < attempt && (maxWait <= 0 || d < maxWait); i++ {
		d *= 2
	}
	if maxWait > 0 && d > maxWait {
		d = maxWait
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func withTries(err error, tries int) error {
	if tries <= 1 {
		return err
	}
	return fmt.Errorf("%w (after %d tries)", err, tries)
}

// Transient reports whether err is worth retrying: timeouts, connection
// resets and aborts, a connection closed mid-response (EOF), temporary DNS
// failures, and HTTP 408, 429 and 5xx. Not retried: authentication and
// authorization failures, repository not found, other 4xx, invalid input,
// cancellation, and connection refused. A refused connection means the
// host is up and nothing listens on that port (or the host is down behind
// a firewall that says so): the next nightly pass is a better retry than
// three quick ones, and it keeps a dead upstream from costing seconds.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := chainAs[*permanentError](err); ok {
		return false
	}
	// go-git's UnexpectedError and PermanentError do not unwrap.
	if ue, ok := chainAs[*plumbing.UnexpectedError](err); ok {
		return Transient(ue.Err)
	}
	if _, ok := chainAs[*plumbing.PermanentError](err); ok {
		return false
	}
	for _, e := range []error{
		transport.ErrRepositoryNotFound, transport.ErrAuthenticationRequired,
		transport.ErrAuthorizationFailed, transport.ErrEmptyRemoteRepository,
		transport.ErrInvalidAuthMethod, ErrResponseTooLarge,
		context.Canceled, syscall.ECONNREFUSED,
	} {
		if errors.Is(err, e) {
			return false
		}
	}
	if sc, ok := chainAs[interface{ StatusCode() int }](err); ok {
		code := sc.StatusCode()
		return code == 408 || code == 429 || code >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	if dnsErr, ok := chainAs[*net.DNSError](err); ok {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	if ne, ok := chainAs[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return false
}

// chainAs is errors.As with the target allocated; T may be an interface.
func chainAs[T any](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
