package githubtest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Match selects requests by method ("" for any) and path prefix, the path
// as logged (REST paths without APIPrefix).
func Match(method, pathPrefix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		path := strings.TrimPrefix(r.URL.Path, APIPrefix)
		return (method == "" || r.Method == method) && strings.HasPrefix(path, pathPrefix)
	}
}

// Times is a Fault that answers the first n requests matching match with
// respond and lets every other request through.
func Times(n int, match func(*http.Request) bool, respond func(w http.ResponseWriter, r *http.Request)) Fault {
	var mu sync.Mutex
	left := n
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !match(r) {
			return false
		}
		mu.Lock()
		hit := left > 0
		if hit {
			left--
		}
		mu.Unlock()
		if hit {
			respond(w, r)
		}
		return hit
	}
}

// BadGateway answers 502 with an HTML body, as GitHub's front end does.
func BadGateway(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"))
}

// StatusCode returns a responder answering code with a GitHub-shaped body.
func StatusCode(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, code, map[string]string{"message": http.StatusText(code), "documentation_url": docsURL})
	}
}

// SecondaryRateLimit returns a responder answering 403 with Retry-After and
// GitHub's secondary rate limit message.
func SecondaryRateLimit(retryAfter time.Duration) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
				"If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	}
}

// PrimaryRateLimit returns a responder answering 403 with the primary
// quota used up until reset.
func PrimaryRateLimit(reset time.Time) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", "5000")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "API rate limit exceeded for installation ID 4242.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
		})
	}
}

// ServeThenFail returns a responder that lets the emulator carry the
// request out (state changes happen) and then answers code with an HTML
// body: GitHub acted, but the client was told it failed.
func (s *Server) ServeThenFail(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		s.api.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = w.Write([]byte("<html><body><h1>" + strconv.Itoa(code) + " " + http.StatusText(code) + "</h1></body></html>\n"))
	}
}
