package gittest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Server serves every bare repository under Root as <URL>/<name>.git over
// smart HTTP, and, once StartDaemon is called, as git://<addr>/<name>.git.
type Server struct {
	Root string // holds <name>.git directories
	URL  string // http://127.0.0.1:<port>, no trailing slash

	t        testing.TB
	http     *httptest.Server
	backend  http.Handler
	requests atomic.Int64

	mu        sync.Mutex
	repos     map[string]*Repo
	intercept func(w http.ResponseWriter, r *http.Request) bool

	daemonOnce sync.Once
	daemonAddr string
}

// NewServer starts an empty server that stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("gittest: the git binary is required to serve fixture repositories: %v", err)
	}
	s := &Server{Root: t.TempDir(), t: t, repos: map[string]*Repo{}}
	s.backend = Backend(t, s.Root, "")
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.http.URL
	t.Cleanup(s.http.Close)
	return s
}

// Backend returns a smart-HTTP handler (git http-backend through CGI) for
// the bare repositories under root. prefix is the URL path the handler is
// mounted under ("" for the root), stripped before the repository path.
func Backend(t testing.TB, root, prefix string) http.Handler {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("gittest: git binary: %v", err)
	}
	home := t.TempDir()
	env := append(IsolatedGitEnv(home),
		"GIT_PROJECT_ROOT="+root,
		"GIT_HTTP_EXPORT_ALL=1",
	)
	return &cgi.Handler{
		Path: gitPath,
		Root: prefix,
		Args: []string{"http-backend"},
		Env:  env,
		// Let git's own protocol negotiation header through.
		InheritEnv: nil,
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	intercept := s.intercept
	s.mu.Unlock()
	if intercept != nil && intercept(w, r) {
		return
	}
	s.backend.ServeHTTP(w, r)
}

// Intercept installs a hook that sees every HTTP request first; when it
// returns true the request is considered answered (fault injection).
// nil removes the hook.
func (s *Server) Intercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = f
}

// Requests counts the HTTP requests served so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// NewRepo creates a bare repository <name>.git whose default branch is
// defaultBranch (it has no commits until the test adds some).
func (s *Server) NewRepo(name, defaultBranch string) *Repo {
	s.t.Helper()
	dir := filepath.Join(s.Root, name+".git")
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		s.t.Fatalf("gittest: %v", err)
	}
	r := InitBare(s.t, dir, name, defaultBranch)
	s.mu.Lock()
	s.repos[name] = r
	s.mu.Unlock()
	return r
}

// Repo returns a repository created by NewRepo.
func (s *Server) Repo(name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[name]
}

// RepoURL is the smart-HTTP URL of a repository.
func (s *Server) RepoURL(name string) string { return s.URL + "/" + name + ".git" }

// DaemonURL is the git:// URL of a repository; it starts the daemon listener
// on first use.
func (s *Server) DaemonURL(name string) string {
	s.daemonOnce.Do(s.startDaemon)
	return "git://" + s.daemonAddr + "/" + name + ".git"
}

// startDaemon listens on 127.0.0.1 and runs `git daemon --inetd` for each
// connection, so no port has to be guessed and every connection is served
// by the real git daemon code.
func (s *Server) startDaemon() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatalf("gittest: daemon listen: %v", err)
	}
	s.daemonAddr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	s.t.Cleanup(func() {
		cancel()
		ln.Close()
		wg.Wait()
	})
	home := s.t.TempDir()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				cmd := exec.CommandContext(ctx, "git", "daemon", "--inetd", "--export-all",
					"--base-path="+s.Root, "--informative-errors", s.Root)
				cmd.Env = IsolatedGitEnv(home)
				cmd.Stdin = conn
				cmd.Stdout = conn
				_ = cmd.Run()
			}()
		}
	}()
}

// ClosedURL returns a URL on 127.0.0.1 where nothing listens: connections
// are refused at once.
func ClosedURL(t testing.TB, scheme, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("gittest: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return fmt.Sprintf("%s://%s/%s.git", scheme, addr, strings.TrimSuffix(name, ".git"))
}
