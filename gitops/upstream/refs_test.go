package upstream

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/mcp-registry/updater/gitops/gittest"
)

func TestListRefs(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("acme/tool", "trunk")
	c1 := r.Commit("trunk", "first", gittest.Files(map[string]string{"a": "1\n"}))
	c2 := r.Commit("trunk", "second", gittest.Files(map[string]string{"a": "2\n"}))
	c3 := r.Commit("feature", "side", gittest.Files(map[string]string{"b": "1\n"}))
	r.Tag("v1.0.0", c1, true)
	r.Tag("v1.1.0", c2, false)
	r.SetRef("refs/pull/7/merge", c3)
	want := &Refs{Head: "refs/heads/trunk", Refs: map[string]string{
		"refs/heads/trunk":   c2,
		"refs/heads/feature": c3,
		"refs/tags/v1.0.0":   c1, // annotated: peeled to the commit
		"refs/tags/v1.1.0":   c2,
		"refs/pull/7/merge":  c3,
	}}
	for _, proto := range []struct{ name, url string }{
		{"http", s.RepoURL("acme/tool")},
		{"git", s.DaemonURL("acme/tool")},
	} {
		t.Run(proto.name, func(t *testing.T) {
			got, err := ListRefs(context.Background(), proto.url, ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Head != want.Head || !maps.Equal(got.Refs, want.Refs) {
				t.Errorf("ListRefs\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestListRefsErrors(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("big", "main")
	c := r.Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	r.ManyRefs(200, c)

	tests := []struct {
		name    string
		url     string
		opts    ListOptions
		is      error
		contain string
	}{
		{name: "missing repository over http", url: s.RepoURL("nope"), is: transport.ErrRepositoryNotFound},
		{name: "missing repository over git", url: s.DaemonURL("nope"), is: transport.ErrRepositoryNotFound},
		{name: "closed port", url: gittest.ClosedURL(t, "http", "x"), is: syscall.ECONNREFUSED},
		{name: "closed git port", url: gittest.ClosedURL(t, "git", "x"), is: syscall.ECONNREFUSED},
		{name: "advertisement over the cap", url: s.RepoURL("big"), opts: ListOptions{MaxBytes: 4096}, is: ErrResponseTooLarge},
		{name: "advertisement over the cap over git", url: s.DaemonURL("big"), opts: ListOptions{MaxBytes: 4096}, is: ErrResponseTooLarge},
		{name: "too many refs", url: s.RepoURL("big"), opts: ListOptions{MaxRefs: 100}, contain: "more than the cap of 100"},
		{name: "file scheme refused", url: "file:///etc", contain: `scheme "file" is not allowed`},
		{name: "ssh refused", url: "ssh://git@github.com/a/b", contain: `scheme "ssh" is not allowed`},
		{name: "scp-like refused", url: "git@github.com:a/b.git", contain: "not allowed"},
		{name: "local path refused", url: "/srv/repo.git", contain: "not allowed"},
		{name: "no path", url: "https://example.com/", contain: "no repository path"},
		{name: "query", url: "https://example.com/a/b?x=1", contain: "query"},
		{name: "control character", url: "https://example.com/a\x1b[2J", contain: "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ListRefs(context.Background(), tt.url, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if tt.contain != "" && !strings.Contains(err.Error(), tt.contain) {
				t.Errorf("error %q does not contain %q", err, tt.contain)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("error carries a control character: %q", err)
			}
		})
	}
}

func TestListRefsRedactsCredentials(t *testing.T) {
	s := gittest.NewServer(t)
	// The server answers 500 with a body echoing a token-bearing URL.
	s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("oops at https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@example.com/\x1b[31m"))
		return true
	})
	_, err := ListRefs(context.Background(), s.RepoURL("x"), ListOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, leak := range []string{"ghp_abcdefghijklmnop", "\x1b"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error leaks %q: %s", leak, err)
		}
	}
	var ue *UpstreamError
	if !errors.As(err, &ue) {
		t.Errorf("want an UpstreamError, got %#v", err)
	}

	// Credentials in the URL are refused before any request (the one
	// rule, valid.RepoURL), and the refusal does not repeat them.
	before := s.Requests()
	url := strings.Replace(s.RepoURL("x"), "http://", "http://user:hunter2secret@", 1)
	_, err = ListRefs(context.Background(), url, ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "must not carry credentials") {
		t.Fatalf("credentials in the URL: err %v, want a refusal", err)
	}
	for _, leak := range []string{"hunter2secret", "user:"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error leaks %q: %s", leak, err)
		}
	}
	if n := s.Requests() - before; n != 0 {
		t.Errorf("a URL with credentials reached the server (%d requests)", n)
	}
}

func TestListRefsRedirects(t *testing.T) {
	s := gittest.NewServer(t)
	c := s.NewRepo("renamed", "main").Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	other := gittest.NewServer(t)
	other.NewRepo("elsewhere", "main").Commit("main", "m", gittest.Files(map[string]string{"a": "2"}))
	s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/old.git/"):
			http.Redirect(w, r, strings.Replace(r.URL.String(), "/old.git/", "/renamed.git/", 1), http.StatusMovedPermanently)
			return true
		case strings.HasPrefix(r.URL.Path, "/away.git/"):
			http.Redirect(w, r, other.URL+"/elsewhere.git/info/refs?service=git-upload-pack", http.StatusFound)
			return true
		}
		return false
	})
	got, err := ListRefs(context.Background(), s.RepoURL("old"), ListOptions{})
	if err != nil || got.Refs["refs/heads/main"] != c {
		t.Errorf("same-host redirect: %+v, %v", got, err)
	}
	_, err = ListRefs(context.Background(), s.RepoURL("away"), ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Errorf("redirect to another host over http by IP: err = %v, want refused", err)
	}
}

func TestListRefsTimeout(t *testing.T) {
	s := gittest.NewServer(t)
	s.NewRepo("slow", "main").Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	start := time.Now()
	_, err := ListRefs(context.Background(), s.RepoURL("slow"), ListOptions{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if d := time.Since(start); d > 20*time.Second { // a hang guard: without the timeout this never returns
		t.Fatalf("timeout took %s", d)
	}
}

// TestListRefsTimeoutGit: a git:// server that accepts and never answers
// costs the listing's timeout, not a hung pass.
func TestListRefsTimeoutGit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	start := time.Now()
	_, err = ListRefs(context.Background(), "git://"+ln.Addr().String()+"/silent.git", ListOptions{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if d := time.Since(start); d > 20*time.Second { // a hang guard: without the timeout this never returns
		t.Fatalf("timeout took %s", d)
	}
}

// BenchmarkListRefs20k measures resolving against an upstream advertising
// 20,000 refs (issue 7): the listing plus ref selection.
func BenchmarkListRefs20k(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("huge", "main")
	c := r.Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	r.ManyRefs(20_000, c)
	for _, proto := range []struct{ name, url string }{
		{"http", s.RepoURL("huge")},
		{"git", s.DaemonURL("huge")},
	} {
		b.Run(proto.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				refs, err := ListRefs(context.Background(), proto.url, ListOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if len(refs.Refs) != 20_001 {
					b.Fatalf("%d refs", len(refs.Refs))
				}
				if _, err := SelectRef(refs, "v0.0.0"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
