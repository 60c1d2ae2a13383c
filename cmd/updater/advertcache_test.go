package main

import (
	"bytes"
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
//
// A listing is kept only if its upstream did not move while git produced
// it. A killed or cancelled pass returns while its requests still run;
// the next pass's moves then rewrite refs under a listing in flight
// (gittest writes a ref by truncating and rewriting its file), and that
// torn or stale listing, if kept, would be served to every later pass
// until the upstream moved again: a "malformed zero-id ref" or an old
// head that no fault explains.
type advertCache struct {
	backend http.Handler
	mu      sync.Mutex
	byPath  map[string][]byte
	gen     map[string]uint64 // per path, bumped by every move
}

func newAdvertCache(t testing.TB, root string) *advertCache {
	return &advertCache{backend: gittest.Backend(t, root, ""), byPath: map[string][]byte{}, gen: map[string]uint64{}}
}

func advertPath(name string) string { return "/" + name + ".git/info/refs" }

// invalidate forgets the listing of upstream name (it moved) and any
// listing of it still being produced.
func (c *advertCache) invalidate(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byPath, advertPath(name))
	c.gen[advertPath(name)]++
}

// serve answers a listing; false for every other request.
func (c *advertCache) serve(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/info/refs") || r.URL.Query().Get("service") != "git-upload-pack" ||
		r.Header.Get("Git-Protocol") != "" {
		return false
	}
	c.mu.Lock()
	body, ok := c.byPath[r.URL.Path]
	gen := c.gen[r.URL.Path]
	c.mu.Unlock()
	if !ok {
		rec := httptest.NewRecorder()
		c.backend.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			return false // let the real server answer errors itself
		}
		body = rec.Body.Bytes()
		c.mu.Lock()
		if c.gen[r.URL.Path] == gen && completeAdvertisement(body) {
			c.byPath[r.URL.Path] = body
		}
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
	return true
}

// completeAdvertisement reports whether body ends as a smart-HTTP
// listing does, with a flush-pkt: git's output was not cut short.
func completeAdvertisement(body []byte) bool { return bytes.HasSuffix(body, []byte("0000")) }

// TestAdvertCacheDropsListingsOfMovedUpstreams: a listing that was in
// flight when its upstream moved is served to its own request but not
// kept, so the next request reaches git again.
func TestAdvertCacheDropsListingsOfMovedUpstreams(t *testing.T) {
	c := &advertCache{byPath: map[string][]byte{}, gen: map[string]uint64{}}
	listing := []byte("001e# service=git-upload-pack\n0000")
	calls, moveDuring := 0, true
	c.backend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if moveDuring {
			moveDuring = false
			c.invalidate("srv") // the upstream moves while git lists it
		}
		_, _ = w.Write(listing)
	})
	get := func() {
		r := httptest.NewRequest(http.MethodGet, "/srv.git/info/refs?service=git-upload-pack", nil)
		rec := httptest.NewRecorder()
		if !c.serve(rec, r) || !bytes.Equal(rec.Body.Bytes(), listing) {
			t.Fatalf("serve answered %q, want the backend's listing", rec.Body.String())
		}
	}
	get() // the listing raced a move: not kept
	get() // reaches git, kept
	get() // from memory
	if calls != 2 {
		t.Errorf("the backend listed %d times, want 2: a listing that raced a move must not be cached", calls)
	}

	c.backend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(listing[:20]) })
	c.invalidate("srv")
	get2 := httptest.NewRecorder()
	c.serve(get2, httptest.NewRequest(http.MethodGet, "/srv.git/info/refs?service=git-upload-pack", nil))
	if _, kept := c.byPath["/srv.git/info/refs"]; kept {
		t.Errorf("a listing cut short was cached")
	}
}
