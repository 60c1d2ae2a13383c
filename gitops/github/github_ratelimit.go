package github

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// RateLimitError means GitHub asked the bot to wait longer than it is
// willing to (GitHubConfig.MaxWait). The caller defers the server it was
// working on to the next pass instead of hanging this one.
type RateLimitError struct {
	Secondary bool          // a secondary (abuse) limit; false: the primary hourly quota
	Method    string        // the request that was refused
	Path      string        // its URL path, no query and no credentials
	Wait      time.Duration // how long GitHub asked for
	MaxWait   time.Duration // the most the bot waits
}

func (e *RateLimitError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	return fmt.Sprintf("github %s rate limit on %s %s: asked to wait %s, more than the maximum %s",
		kind, e.Method, e.Path, e.Wait.Round(time.Second), e.MaxWait)
}

// secondaryDefaultWait is what GitHub's documentation says to wait after a
// secondary rate limit response that carries no Retry-After: at least a
// minute.
const secondaryDefaultWait = time.Minute

// rateLimit is what one response says about the limits.
type rateLimit struct {
	limited   bool          // the request was refused for rate limiting
	secondary bool          // ... by a secondary limit
	wait      time.Duration // how long to wait before the next try
	// exhaustedUntil is set when the primary quota is used up (even on a
	// successful response: the next request would be refused).
	exhaustedUntil time.Time
}

// classifyRateLimit reads GitHub's rate-limit signals from a response:
// 403 or 429 with Retry-After, with X-RateLimit-Remaining: 0 and a reset
// time, or with the secondary-limit message in the body.
func classifyRateLimit(resp *http.Response, body []byte, now time.Time) rateLimit {
	var rl rateLimit
	remaining := resp.Header.Get("X-RateLimit-Remaining")
	reset, resetErr := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
	if remaining == "0" && resetErr == nil && reset > 0 {
		rl.exhaustedUntil = time.Unix(reset, 0)
	}
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return rl
	}
	retryAfter := resp.Header.Get("Retry-After")
	switch {
	case retryAfter != "":
		rl.limited, rl.secondary = true, true
		rl.wait = parseRetryAfter(retryAfter, now)
	case !rl.exhaustedUntil.IsZero():
		rl.limited = true
		rl.wait = rl.exhaustedUntil.Sub(now)
	case bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")),
		bytes.Contains(bytes.ToLower(body), []byte("abuse detection")):
		rl.limited, rl.secondary = true, true
		rl.wait = secondaryDefaultWait
	case resp.StatusCode == http.StatusTooManyRequests:
		rl.limited, rl.secondary = true, true
		rl.wait = secondaryDefaultWait
	}
	if rl.wait < 0 {
		rl.wait = 0
	}
	return rl
}

// parseRetryAfter accepts both forms HTTP allows: delay-seconds and an
// HTTP date. Garbage means GitHub's documented default.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		// Cap before converting so a hostile value cannot overflow.
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return secondaryDefaultWait
}
