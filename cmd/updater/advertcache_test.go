package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// advertCache answers upstream ref listings (GET info/refs of
// git-upload-pack) from memory once the real git backend has answered
// them, until the test moves that upstream. A listing is a pure function
// of the repository's refs, so the bytes are exactly git's; what it saves
// is the three git processes each listing costs, which for 30 upstreams
// over 30 passes would dominate the test's time. Fetches and pushes always
// reach git.
type advertCache struct {
	backend http.Handler
	mu      sync.Mutex
	byPath  map[string][]byte
}

func newAdvertCache(t testing.TB, root string) *advertCache {
	return &advertCache{backend: gittest.Backend(t, root, ""), byPath: map[string][]byte{}}
}

// invalidate forgets the listing of upstream name (it moved).
func (c *advertCache) invalidate(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byPath, "/"+name+".git/info/refs")
}

// serve answers a listing; false for every other request.
func (c *advertCache) serve(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/info/refs") || r.URL.Query().Get("service") != "git-upload-pack" ||
		r.Header.Get("Git-Protocol") != "" {
		return false
	}
	c.mu.Lock()
	body, ok := c.byPath[r.URL.Path]
	c.mu.Unlock()
	if !ok {
		rec := httptest.NewRecorder()
		c.backend.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			return false // let the real server answer errors itself
		}
		body = rec.Body.Bytes()
		c.mu.Lock()
		c.byPath[r.URL.Path] = body
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
	return true
}
