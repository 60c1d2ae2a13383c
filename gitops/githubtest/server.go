// Package githubtest is an in-process GitHub for tests: an httptest server
// speaking the REST endpoints the updater uses, with GitHub's semantics
// (422 for a duplicate pull request, head=owner:branch filtering, Link
// pagination, GitHub-shaped error bodies, token and GitHub App
// authentication), mounted under /api/v3/ as go-github's own tests mount
// theirs, so an absolute URL leaking past the base fails loudly.
//
// The registry repository is a real bare git repository, served over smart
// HTTP under /git/ (clone URL CloneURL) with pushes enabled: a branch the
// bot pushes is a branch the REST API sees, and refs, commits and file
// contents are read from the bare repository with go-git.
//
// Every request is logged (Requests, Writes, Count) and may be answered by
// a fault hook first (SetFault), for the hardening tests. Helpers act as a
// maintainer would: ClosePR, MergePR, PushFile.
package githubtest

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// APIPrefix is where the REST API is mounted.
const APIPrefix = "/api/v3"

// Options configures a Server. Zero values get the defaults noted.
type Options struct {
	Owner, Repo   string // registry repository; default "registry-owner/registry"
	DefaultBranch string // default "main"
	Token         string // the accepted token; default "ghp_" + a fixed test value
	BotLogin      string // the login the token acts as; default "updater-bot"

	// AppID and AppKey enable GitHub App authentication: JWTs signed with
	// AppKey (see NewAppKey) are accepted on /app and installation
	// endpoints, and installation tokens minted there on the rest.
	AppID          int64
	AppKey         *rsa.PublicKey
	InstallationID int64         // default 4242
	TokenTTL       time.Duration // installation token lifetime, default 1h

	// CheckRunsForbidden answers check run creation with 403 "Resource not
	// accessible by integration", as GitHub does for non-App tokens.
	CheckRunsForbidden bool

	Now func() time.Time // default time.Now
}

// DefaultToken is the token a Server accepts unless Options.Token is set.
const DefaultToken = "ghp_githubtestTOKENabcdefghijklmnopqrstuv"

// Server is the emulator. Its fields are set by New and read-only after.
type Server struct {
	URL      string // http://127.0.0.1:port
	APIURL   string // URL + "/api/v3/", GITHUB_API_URL for the client
	CloneURL string // smart-HTTP URL of the registry repository
	Owner    string
	Repo     string
	Token    string

	opts    Options
	t       testing.TB
	http    *httptest.Server
	api     *http.ServeMux
	git     http.Handler
	gitRepo *gittest.Repo

	faultMu sync.Mutex
	fault   Fault

	mu         sync.Mutex // guards everything below and the go-git handle
	log        []Request
	pulls      []*PullRequest
	comments   []*Comment
	repoLabels map[string]*Label    // by lower-case name
	releases   map[string][]Release // upstream releases by lower-case owner/repo, oldest first
	checkRuns  []*CheckRun
	statuses   []*Status
	dispatches []Dispatch
	required   map[string][]string  // branch -> checks its protection requires
	installTok map[string]time.Time // installation token -> expiry
	// refsMoved says branches may have moved since pull requests were
	// last synced with them (reading every head on every request is slow).
	refsMoved bool
	nextID    int64

	issues []*Issue          // plain issues (plainissues.go)
	perms  map[string]string // login -> permission on the registry
}

// New starts an emulator with an empty registry repository (its default
// branch is born with the first Seed or PushFile). It stops when the test
// ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Owner == "" {
		opts.Owner = "registry-owner"
	}
	if opts.Repo == "" {
		opts.Repo = "registry"
	}
	if opts.DefaultBranch == "" {
		opts.DefaultBranch = "main"
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotLogin == "" {
		opts.BotLogin = "updater-bot"
	}
	if opts.InstallationID == 0 {
		opts.InstallationID = 4242
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	root := t.TempDir()
	full := opts.Owner + "/" + opts.Repo
	s := &Server{
		Owner: opts.Owner, Repo: opts.Repo, Token: opts.Token,
		opts: opts, t: t,
		gitRepo:    gittest.InitBare(t, filepath.Join(root, full+".git"), full, opts.DefaultBranch),
		git:        gittest.Backend(t, root, "/git"),
		installTok: map[string]time.Time{},
		nextID:     1000,
	}
	s.api = http.NewServeMux()
	s.routes()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.http.Close)
	s.URL = s.http.URL
	s.APIURL = s.URL + APIPrefix + "/"
	s.CloneURL = s.URL + "/git/" + full + ".git"
	return s
}

// Fault sees every request first (REST and git); returning true means it
// answered the request and the emulator does nothing else with it.
type Fault func(w http.ResponseWriter, r *http.Request) bool

// SetFault installs (or, with nil, removes) the fault hook.
func (s *Server) SetFault(f Fault) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.fault = f
}

// Request is one logged request. Path has APIPrefix removed for REST calls
// ("/repos/o/r/pulls") and is the full path for git ("/git/o/r.git/...").
type Request struct {
	Method string
	Path   string
	Query  string
	Status int
	// Write is true for requests that change something: every REST method
	// but GET and HEAD, and git pushes (the receive-pack POST).
	Write bool
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	defer func() { s.record(r, rec.status()) }()
	s.faultMu.Lock()
	fault := s.fault
	s.faultMu.Unlock()
	if fault != nil && fault(rec, r) {
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, APIPrefix+"/"), r.URL.Path == graphQLPath:
		s.api.ServeHTTP(rec, r)
	case strings.HasPrefix(r.URL.Path, "/git/"):
		s.serveGit(rec, r)
	default:
		// Not GitHub's shape on purpose: a client that built an absolute
		// URL past the configured base must fail loudly.
		http.Error(rec, "githubtest: request outside "+APIPrefix+"/ and /git/: "+r.URL.Path, http.StatusTeapot)
	}
}

func (s *Server) record(r *http.Request, status int) {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status}
	if strings.HasPrefix(req.Path, APIPrefix+"/") {
		req.Path = strings.TrimPrefix(req.Path, APIPrefix)
		req.Write = r.Method != http.MethodGet && r.Method != http.MethodHead
	} else {
		// The POST carries the push; the discovery GET before it changes nothing.
		req.Write = r.Method == http.MethodPost && isReceivePack(r)
	}
	s.mu.Lock()
	s.log = append(s.log, req)
	s.mu.Unlock()
}

// Requests returns the request log so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Writes returns the logged requests that change something.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Write {
			out = append(out, r)
		}
	}
	return out
}

// Count counts logged requests with method ("" for any) whose path starts
// with pathPrefix.
func (s *Server) Count(method, pathPrefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests logged so far (between passes of a test).
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// statusRecorder remembers the status written, for the log.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// docsURL is the documentation_url GitHub puts in error bodies.
const docsURL = "https://docs.github.com/rest"

// notFound answers like GitHub does for anything missing or hidden.
func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": docsURL})
}

// ValidationError is one entry of a 422's "errors".
type ValidationError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// unprocessable answers 422 "Validation Failed" with the given errors.
func unprocessable(w http.ResponseWriter, errs ...ValidationError) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": errs, "documentation_url": docsURL,
	})
}

// unprocessableMessage answers 422 with a bare message, as the git refs
// endpoints do ("Reference does not exist").
func unprocessableMessage(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": msg, "documentation_url": docsURL})
}

func badRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"message": msg, "documentation_url": docsURL})
}

// decodeBody reads a JSON request body (at most 25 MiB, as GitHub caps
// payloads) into v, answering 400 when it does not parse.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 25<<20))
	if err := dec.Decode(v); err != nil {
		badRequest(w, "Problems parsing JSON")
		return false
	}
	return true
}
