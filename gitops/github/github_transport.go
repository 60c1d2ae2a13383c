package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcp-registry/updater/gitops/internal/retry"
)

// apiTransport is the one place where the bot's GitHub traffic is made
// well-behaved: a timeout per attempt, a cap on response bodies, retries
// with jittered backoff, both rate limits honoured up to a maximum wait,
// and writes serialised and paced as GitHub's best practices ask. Reads
// run concurrently.
//
// Retry policy. GET, HEAD, PUT and DELETE are retried on connection
// errors, timeouts and 5xx. POST and PATCH are retried only when the
// request provably never reached GitHub (the connection could not be
// made) or when the caller marked the call retry-safe with withRetrySafe
// because a second delivery cannot create a second thing: git objects are
// content-addressed, a PATCH sets fields to values, labels are a set, a
// commit status is last-wins, and a duplicate pull request is refused by
// GitHub with a 422 that CreatePull turns into the existing PR. Comments,
// check runs and dispatches are not marked: GitHub may have acted on a
// request it answered 502, and a duplicate there is visible to humans.
// A rate-limit refusal is always retried (GitHub did not act on it).
type apiTransport struct {
	base       http.RoundTripper
	timeout    time.Duration
	maxBody    int64
	retries    int
	backoff    time.Duration
	maxWait    time.Duration
	writePause time.Duration

	writeSlot chan struct{} // one write at a time
	lastWrite time.Time     // guarded by writeSlot

	mu             sync.Mutex
	exhaustedUntil time.Time // primary quota used up until then

	reads, writes, retried, rateWaits atomic.Int64
	waited, longestWait               atomic.Int64 // nanoseconds
}

// RequestStats counts the GitHub API traffic of a GitHub client: requests
// actually sent (each retry included), retries, and rate-limit waits.
type RequestStats struct {
	Reads          int64 // GET and HEAD requests sent
	Writes         int64 // other requests sent
	Retries        int64 // requests sent again after a failure
	RateLimitWaits int64 // times the transport slept for a rate limit
	Waited         time.Duration
	LongestWait    time.Duration
}

type retrySafeKey struct{}

// withRetrySafe marks the calls made with ctx as safe to send twice (see
// apiTransport).
func withRetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

func isReadMethod(method string) bool { return method == http.MethodGet || method == http.MethodHead }

func (t *apiTransport) stats() RequestStats {
	return RequestStats{
		Reads:          t.reads.Load(),
		Writes:         t.writes.Load(),
		Retries:        t.retried.Load(),
		RateLimitWaits: t.rateWaits.Load(),
		Waited:         time.Duration(t.waited.Load()),
		LongestWait:    time.Duration(t.longestWait.Load()),
	}
}

func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// A RoundTripper closes the request body, even when it fails before
	// sending anything (the base transport closes it once it has it).
	handedOver := false
	defer func() {
		if !handedOver && req.Body != nil {
			req.Body.Close()
		}
	}()
	if !isReadMethod(req.Method) {
		release, err := t.acquireWrite(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	safe := isReadMethod(req.Method) || req.Method == http.MethodPut || req.Method == http.MethodDelete ||
		ctx.Value(retrySafeKey{}) != nil
	// The loop is retry.Retry's; this transport only says which outcome
	// is worth another try (see above) and how long a rate limit asks to
	// wait. Every refusal below is marked Permanent.
	var (
		waited  time.Duration
		attempt = -1
		out     *http.Response
	)
	policy := retry.RetryPolicy{
		Attempts:  t.retries + 1,
		Initial:   t.backoff,
		Max:       apiMaxBackoff,
		Retryable: func(error) bool { return true },
		OnRetry: func(_ int, err error, wait time.Duration) {
			if _, ok := err.(*rateLimited); ok {
				t.countWait(wait, &waited)
			}
		},
	}
	err := retry.Retry(ctx, policy, func(context.Context) error {
		attempt++
		if attempt > 0 {
			t.retried.Add(1)
		}
		if err := t.awaitQuota(ctx, req, &waited); err != nil {
			return retry.Permanent(err)
		}
		handedOver = true
		resp, body, err := t.send(req, attempt)
		if err != nil {
			var capErr *bodyCapError
			if ctx.Err() == nil && (safe || apiNeverSent(err)) && !errors.As(err, &capErr) && apiCanResend(req) {
				return err
			}
			return retry.Permanent(err)
		}
		rl := classifyRateLimit(resp, body, time.Now())
		t.noteQuota(rl.exhaustedUntil)
		if rl.limited {
			if attempt >= t.retries || waited+rl.wait > t.maxWait || !apiCanResend(req) {
				return retry.Permanent(&RateLimitError{Secondary: rl.secondary, Method: req.Method,
					Path: req.URL.Path, Wait: rl.wait, MaxWait: t.maxWait})
			}
			return &rateLimited{wait: rl.wait}
		}
		if resp.StatusCode >= 500 && safe && attempt < t.retries && apiCanResend(req) {
			return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
		}
		// Rate limiting lives here, once. go-github would otherwise
		// remember a reset time from these headers and refuse later
		// requests on its own, with its own error type, before this
		// transport could wait for them.
		resp.Header.Del("X-RateLimit-Reset")
		out = resp
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rateLimited asks retry.Retry to wait what GitHub asked before the next
// attempt; the transport checked the wait against its budget.
type rateLimited struct{ wait time.Duration }

func (e *rateLimited) Error() string             { return "rate limited, waiting " + e.wait.String() }
func (e *rateLimited) RetryAfter() time.Duration { return e.wait }

// acquireWrite takes the write slot and waits out the pause since the
// previous write; release records when this write ended.
func (t *apiTransport) acquireWrite(ctx context.Context) (release func(), err error) {
	select {
	case t.writeSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !t.lastWrite.IsZero() {
		if err := apiSleep(ctx, time.Until(t.lastWrite.Add(t.writePause))); err != nil {
			<-t.writeSlot
			return nil, err
		}
	}
	return func() {
		t.lastWrite = time.Now()
		<-t.writeSlot
	}, nil
}

// send makes one attempt with its own timeout and returns the response
// with its body read (capped) and replaced by an in-memory copy, so that
// the timeout covers the body too and retries can inspect it.
func (t *apiTransport) send(req *http.Request, attempt int) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	r := req.Clone(ctx)
	if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, nil, err
		}
		r.Body = body
	}
	if isReadMethod(req.Method) {
		t.reads.Add(1)
	} else {
		t.writes.Add(1)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading response: %w", req.Method, req.URL.Path, err)
	}
	if int64(len(body)) > t.maxBody {
		return nil, nil, &bodyCapError{method: req.Method, path: req.URL.Path, limit: t.maxBody}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, body, nil
}

type bodyCapError struct {
	method, path string
	limit        int64
}

func (e *bodyCapError) Error() string {
	return fmt.Sprintf("%s %s: response body larger than %d bytes", e.method, e.path, e.limit)
}

// apiCanResend reports whether the request body can be replayed.
func apiCanResend(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// apiNeverSent reports whether err proves the request never left this
// machine: the connection could not be established.
func apiNeverSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// awaitQuota waits while a previous response said the primary quota is
// used up, or fails with a RateLimitError when that is longer than the
// remaining wait budget.
func (t *apiTransport) awaitQuota(ctx context.Context, req *http.Request, waited *time.Duration) error {
	t.mu.Lock()
	until := t.exhaustedUntil
	t.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	if *waited+d > t.maxWait {
		return &RateLimitError{Method: req.Method, Path: req.URL.Path, Wait: d, MaxWait: t.maxWait}
	}
	return t.wait(ctx, d, waited)
}

func (t *apiTransport) noteQuota(until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until.After(t.exhaustedUntil) || until.IsZero() {
		t.exhaustedUntil = until
	}
}

func (t *apiTransport) wait(ctx context.Context, d time.Duration, waited *time.Duration) error {
	t.countWait(d, waited)
	return apiSleep(ctx, d)
}

// countWait records a rate-limit wait in the stats and the request's
// wait budget.
func (t *apiTransport) countWait(d time.Duration, waited *time.Duration) {
	t.rateWaits.Add(1)
	t.waited.Add(int64(d))
	for {
		cur := t.longestWait.Load()
		if int64(d) <= cur || t.longestWait.CompareAndSwap(cur, int64(d)) {
			break
		}
	}
	*waited += d
}

// apiMaxBackoff bounds a single backoff sleep.
const apiMaxBackoff = 30 * time.Second

func apiSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
