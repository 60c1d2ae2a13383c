package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// waitErr asks for a specific wait, like a Retry-After.
type waitErr struct{ d time.Duration }

func (e waitErr) Error() string             { return fmt.Sprintf("wait %s", e.d) }
func (e waitErr) RetryAfter() time.Duration { return e.d }

func TestRetry(t *testing.T) {
	transient := fmt.Errorf("read: %w", syscall.ECONNRESET)
	fast := RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 4 * time.Millisecond}
	tests := []struct {
		name      string
		policy    RetryPolicy
		errs      []error // returned by successive calls; nil after the end
		wantCalls int
		wantErr   error
		contain   string
	}{
		{name: "first try succeeds", policy: fast, wantCalls: 1},
		{name: "transient twice then success", policy: fast, errs: []error{transient, transient}, wantCalls: 3},
		{name: "attempts exhausted", policy: fast, errs: []error{transient, transient, transient, transient, transient},
			wantCalls: 4, wantErr: syscall.ECONNRESET, contain: "after 4 tries"},
		{name: "not retryable", policy: fast, errs: []error{transport.ErrRepositoryNotFound}, wantCalls: 1, wantErr: transport.ErrRepositoryNotFound},
		{name: "permanent wins over the classifier", policy: fast, errs: []error{Permanent(transient)}, wantCalls: 1, wantErr: syscall.ECONNRESET},
		{name: "custom classifier", policy: RetryPolicy{Attempts: 3, Retryable: func(error) bool { return true }},
			errs: []error{transport.ErrRepositoryNotFound, transport.ErrRepositoryNotFound}, wantCalls: 3},
		{name: "zero policy tries once", errs: []error{transient}, wantCalls: 1, wantErr: syscall.ECONNRESET},
		{name: "retry-after over the maximum returns at once", policy: RetryPolicy{Attempts: 3, MaxRetryAfter: time.Second, Retryable: func(error) bool { return true }},
			errs: []error{waitErr{time.Hour}}, wantCalls: 1, contain: "wait 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := Retry(context.Background(), tt.policy, func(context.Context) error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr == nil && tt.contain == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.contain != "" && (err == nil || !strings.Contains(err.Error(), tt.contain)) {
				t.Errorf("err = %v, want it to contain %q", err, tt.contain)
			}
			if _, ok := chainAs[*permanentError](err); ok {
				t.Error("the Permanent wrapper leaked out of Retry")
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	calls := 0
	start := time.Now()
	err := Retry(context.Background(), RetryPolicy{Attempts: 2, Initial: time.Millisecond, MaxRetryAfter: time.Second,
		Retryable: func(error) bool { return true }}, func(context.Context) error {
		calls++
		if calls == 1 {
			return waitErr{80 * time.Millisecond}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("err %v calls %d", err, calls)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("waited %s, asked for 80ms", d)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	var waits []time.Duration
	p := RetryPolicy{Attempts: 10, Initial: time.Hour, OnRetry: func(_ int, _ error, d time.Duration) {
		waits = append(waits, d)
		cancel()
	}}
	err := Retry(ctx, p, func(context.Context) error { calls++; return io.ErrUnexpectedEOF })
	if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("calls %d err %v: want one call, the cause and the cancellation", calls, err)
	}
	if len(waits) != 1 || waits[0] < 30*time.Minute || waits[0] > time.Hour {
		t.Errorf("waits %v: want one jittered wait in [30m, 1h]", waits)
	}
}

func TestRetryAttemptTimeout(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), RetryPolicy{Attempts: 3, AttemptTimeout: 20 * time.Millisecond}, func(ctx context.Context) error {
		calls++
		if calls == 1 {
			<-ctx.Done()
			return errors.New("connection closed") // how some libraries report it
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Errorf("err %v calls %d: a try that ran out of its own time must be retried", err, calls)
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := 1; attempt <= 8; attempt++ {
		d := min(100*time.Millisecond<<(attempt-1), time.Second)
		for range 50 {
			got := backoff(100*time.Millisecond, time.Second, attempt)
			if got < d/2 || got > d {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, got, d/2, d)
			}
		}
	}
}

func TestTransient(t *testing.T) {
	status := func(code int) error {
		return &githttp.Err{Response: &http.Response{StatusCode: code, Request: &http.Request{URL: &url.URL{Scheme: "https", Host: "h"}}}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"EOF mid-response", fmt.Errorf("get: %w", io.EOF), true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"connection reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"broken pipe", &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{"connection refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false},
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", context.Canceled, false},
		{"dns not found", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, false},
		{"dns temporary", &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, true},
		{"http 500", status(500), true},
		{"http 503 wrapped by go-git", plumbing.NewUnexpectedError(status(503)), true},
		{"http 429", status(429), true},
		{"http 400", plumbing.NewUnexpectedError(status(400)), false},
		{"not found", fmt.Errorf("%w: x", transport.ErrRepositoryNotFound), false},
		{"auth required", transport.ErrAuthenticationRequired, false},
		{"auth failed", transport.ErrAuthorizationFailed, false},
		{"too large", ErrResponseTooLarge, false},
		{"go-git permanent", plumbing.NewPermanentError(io.EOF), false},
		{"ours permanent", Permanent(io.EOF), false},
		{"unknown", errors.New("pack checksum mismatch"), false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
