package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/google/go-github/v66/github"

	ghapi "github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/gittest"
)

// upstreams builds the fixture every resolution test uses and returns the
// commits tests expect by name.
func upstreams(t *testing.T, s *gittest.Server, prefix string) map[string]string {
	t.Helper()
	sha := map[string]string{}
	r := s.NewRepo(prefix+"branch", "main")
	r.Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	sha["develop"] = r.Commit("develop", "d", gittest.Files(map[string]string{"a": "2"}))

	r = s.NewRepo(prefix+"master", "master")
	sha["master"] = r.Commit("master", "m", gittest.Files(map[string]string{"a": "1"}))
	r.Commit("other", "o", gittest.Files(map[string]string{"a": "3"}))

	r = s.NewRepo(prefix+"main", "main")
	sha["main"] = r.Commit("main", "m", gittest.Files(map[string]string{"a": "main"}))

	r = s.NewRepo(prefix+"tags", "main")
	c1 := r.Commit("main", "1.0", gittest.Files(map[string]string{"v": "1.0"}))
	c2 := r.Commit("main", "1.1", gittest.Files(map[string]string{"v": "1.1"}))
	c3 := r.Commit("main", "1.2", gittest.Files(map[string]string{"v": "1.2"}))
	c4 := r.Commit("main", "2.0rc", gittest.Files(map[string]string{"v": "2.0-rc"}))
	r.Tag("v1.0.0", c1, true)  // older, annotated
	r.Tag("v1.1.0", c2, false) // current, lightweight
	r.Tag("v1.2.0", c3, true)  // newest release, annotated: must be peeled
	r.Tag("v2.0.0-rc.1", c4, true)
	r.Tag("nightly", c4, false)
	sha["v1.2.0"] = c3

	r = s.NewRepo(prefix+"pr", "main")
	c := r.Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	r.SetRef("refs/pull/7/merge", c)

	r = s.NewRepo(prefix+"deleted", "main")
	r.Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
	r.Commit("feature", "f", gittest.Files(map[string]string{"a": "2"}))
	r.DeleteRef("refs/heads/feature")
	return sha
}

// retryLog counts the resolver's retry log lines.
type retryLog struct{ n atomic.Int64 }

func (l *retryLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *retryLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "retrying") {
		l.n.Add(1)
	}
	return nil
}
func (l *retryLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *retryLog) WithGroup(string) slog.Handler      { return l }

func fastResolver(mode string, gh HeadAPI, log *retryLog) *Resolver {
	opts := ResolverOptions{Mode: mode, Timeout: 10 * time.Second, Attempts: 3, Backoff: time.Millisecond, GitHub: gh}
	if log != nil {
		opts.Logger = slog.New(log)
	}
	return NewResolver(opts)
}

func TestResolve(t *testing.T) {
	s := gittest.NewServer(t)
	sha := upstreams(t, s, "")
	tests := []struct {
		name    string
		repo    string
		branch  string
		closed  bool
		want    Resolution
		wantErr error
	}{
		{name: "branch given", repo: "branch", branch: "develop",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/develop", Commit: sha["develop"], Via: "git"}},
		{name: "default branch master", repo: "master",
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/master", Commit: sha["master"], Via: "git"}},
		{name: "default branch main", repo: "main",
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/main", Commit: sha["main"], Via: "git"}},
		{name: "tag moves to newest release", repo: "tags", branch: "v1.1.0",
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v1.2.0", Commit: sha["v1.2.0"], Branch: "v1.2.0", Via: "git"}},
		{name: "pull request ref", repo: "pr", branch: "refs/pull/7/merge",
			want: Resolution{Kind: KindBranch, Ref: "refs/pull/7/merge", Frozen: "follows pull request ref refs/pull/7/merge"}},
		{name: "deleted branch", repo: "deleted", branch: "feature",
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/feature", Frozen: "ref feature no longer exists upstream", Via: "git"}},
		{name: "repository 404", repo: "missing", wantErr: transport.ErrRepositoryNotFound},
		{name: "unreachable host", closed: true, wantErr: syscall.ECONNREFUSED},
	}
	for _, proto := range []string{"http", "git"} {
		for _, tt := range tests {
			t.Run(proto+"/"+tt.name, func(t *testing.T) {
				project := s.RepoURL(tt.repo)
				switch {
				case tt.closed:
					project = gittest.ClosedURL(t, proto, "x")
				case proto == "git":
					project = s.DaemonURL(tt.repo)
				}
				var log retryLog
				got, err := fastResolver(ResolveGit, nil, &log).Resolve(context.Background(), Upstream{Project: project, Branch: tt.branch})
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					if !strings.Contains(err.Error(), project) {
						t.Errorf("error %q does not name the project", err)
					}
					if n := log.n.Load(); n != 0 {
						t.Errorf("%d retries for a permanent failure", n)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("\n got %+v\nwant %+v", got, tt.want)
				}
			})
		}
	}
}

// failFirst answers the first n requests with the given status.
func failFirst(s *gittest.Server, n int64, status int) *atomic.Int64 {
	var seen atomic.Int64
	s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) <= n {
			http.Error(w, "injected", status)
			return true
		}
		return false
	})
	return &seen
}

func TestResolveRetries(t *testing.T) {
	tests := []struct {
		name      string
		repo      string
		inject    func(s *gittest.Server) *atomic.Int64
		wantErr   bool
		wantTries int64
	}{
		{name: "500 twice then success", repo: "main",
			inject: func(s *gittest.Server) *atomic.Int64 { return failFirst(s, 2, 500) }, wantTries: 3},
		{name: "503 forever gives up after 3", repo: "main",
			inject: func(s *gittest.Server) *atomic.Int64 { return failFirst(s, 100, 503) }, wantErr: true, wantTries: 3},
		{name: "404 is not retried", repo: "missing",
			inject: func(s *gittest.Server) *atomic.Int64 { return failFirst(s, 0, 0) }, wantErr: true, wantTries: 1},
		{name: "401 is not retried", repo: "main",
			inject: func(s *gittest.Server) *atomic.Int64 { return failFirst(s, 100, 401) }, wantErr: true, wantTries: 1},
		{name: "connection reset then success", repo: "main", wantTries: 2,
			inject: func(s *gittest.Server) *atomic.Int64 {
				var seen atomic.Int64
				s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
					if seen.Add(1) == 1 {
						conn, _, err := w.(http.Hijacker).Hijack()
						if err == nil {
							conn.Close()
						}
						return true
					}
					return false
				})
				return &seen
			}},
		{name: "attempt timeout then success", repo: "main", wantTries: 2,
			inject: func(s *gittest.Server) *atomic.Int64 {
				var seen atomic.Int64
				s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
					if seen.Add(1) == 1 {
						<-r.Context().Done() // hang until the client gives up
						return true
					}
					return false
				})
				return &seen
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := gittest.NewServer(t)
			s.NewRepo("main", "main").Commit("main", "m", gittest.Files(map[string]string{"a": "1"}))
			seen := tt.inject(s)
			r := NewResolver(ResolverOptions{Mode: ResolveGit, Timeout: 3 * time.Second, Attempts: 3, Backoff: time.Millisecond})
			res, err := r.Resolve(context.Background(), Upstream{Project: s.RepoURL(tt.repo)})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && res.Commit == "" {
				t.Errorf("no commit resolved: %+v", res)
			}
			if got := seen.Load(); got != tt.wantTries {
				t.Errorf("%d requests, want %d", got, tt.wantTries)
			}
		})
	}
}

func TestResolveConcurrent200(t *testing.T) {
	s := gittest.NewServer(t)
	const n = 200
	want := make([]string, n)
	for i := range n {
		def := []string{"main", "master", "trunk"}[i%3]
		r := s.NewRepo(fmt.Sprintf("up%03d", i), def)
		want[i] = r.Commit(def, fmt.Sprintf("commit %d", i), gittest.Files(map[string]string{"n": fmt.Sprint(i)}))
	}
	r := fastResolver(ResolveAuto, nil, nil)
	got := make([]Resolution, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got[i], errs[i] = r.Resolve(context.Background(), Upstream{Project: s.RepoURL(fmt.Sprintf("up%03d", i))})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i].Commit != want[i] || got[i].Kind != KindDefaultBranch {
			t.Errorf("up%03d: %+v, %v; want %s", i, got[i], errs[i], want[i])
		}
	}
	t.Logf("%d upstreams resolved at concurrency 16 in %s", n, time.Since(start))
}

// fakeCommitsAPI answers GET /api/v3/repos/{owner}/{repo}/commits/{ref} the
// way GitHub does with the sha media type: the SHA as the body, 304 when
// If-None-Match names it, 404 for unknown refs. status, when set, is
// returned instead.
type fakeCommitsAPI struct {
	heads    map[string]string // "owner/repo@ref" -> sha
	status   int
	body     string
	requests atomic.Int64
}

func (f *fakeCommitsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v3/repos/")
	parts := strings.SplitN(rest, "/", 4)
	if !ok || len(parts) != 4 || parts[2] != "commits" || r.Header.Get("Accept") != "application/vnd.github.v3.sha" {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(f.body))
		return
	}
	ref, _ := url.PathUnescape(parts[3])
	sha, ok := f.heads[parts[0]+"/"+parts[1]+"@"+ref]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"No commit found for SHA: ` + ref + `"}`))
		return
	}
	if r.Header.Get("If-None-Match") == `"`+sha+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Write([]byte(sha))
}

func newFakeGitHub(t *testing.T, api *fakeCommitsAPI) HeadAPI {
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := github.NewClient(nil).WithAuthToken("test-token-not-real")
	c.BaseURL, _ = url.Parse(srv.URL + "/api/v3/")
	return ghapi.NewHeadAPI(c)
}

func TestResolveAPI(t *testing.T) {
	s := gittest.NewServer(t)
	// The fixture server plays github.com: its repositories are owner/name.
	sha := upstreams(t, s, "o/")
	host := strings.TrimPrefix(s.URL, "http://")
	project := func(name string) string { return s.RepoURL("o/" + name) }
	const pin = "1111111111111111111111111111111111111111"
	tests := []struct {
		name      string
		mode      string
		up        Upstream
		status    int
		body      string
		want      Resolution
		wantErr   string
		wantCalls int64
	}{
		{name: "default branch via api", mode: ResolveAPI, up: Upstream{Project: project("main")},
			want: Resolution{Kind: KindDefaultBranch, Ref: "HEAD", Commit: sha["main"], Via: "api"}, wantCalls: 1},
		{name: "branch via api", mode: ResolveAuto, up: Upstream{Project: project("branch"), Branch: "develop"},
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/develop", Commit: sha["develop"], Via: "api"}, wantCalls: 1},
		{name: "unchanged: 304 keeps the pin", mode: ResolveAPI, up: Upstream{Project: project("pinned"), Pin: pin},
			want: Resolution{Kind: KindDefaultBranch, Ref: "HEAD", Commit: pin, Via: "api"}, wantCalls: 1},
		{name: "404 falls back to git: deleted branch is frozen", mode: ResolveAPI, up: Upstream{Project: project("deleted"), Branch: "feature"},
			want: Resolution{Kind: KindBranch, Ref: "refs/heads/feature", Frozen: "ref feature no longer exists upstream", Via: "git"}, wantCalls: 1},
		{name: "tags always via git", mode: ResolveAPI, up: Upstream{Project: project("tags"), Branch: "v1.1.0"},
			want: Resolution{Kind: KindTag, Ref: "refs/tags/v1.2.0", Commit: sha["v1.2.0"], Branch: "v1.2.0", Via: "git"}, wantCalls: 0},
		{name: "git mode never calls the api", mode: ResolveGit, up: Upstream{Project: project("main")},
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/main", Commit: sha["main"], Via: "git"}, wantCalls: 0},
		{name: "auto falls back to git on 500", mode: ResolveAuto, up: Upstream{Project: project("main")}, status: 500,
			want: Resolution{Kind: KindDefaultBranch, Ref: "refs/heads/main", Commit: sha["main"], Via: "git"}, wantCalls: 3},
		{name: "api mode fails on 500", mode: ResolveAPI, up: Upstream{Project: project("main")}, status: 500,
			wantErr: "500", wantCalls: 3},
		{name: "api answering garbage", mode: ResolveAPI, up: Upstream{Project: project("main")}, status: 200, body: "<html>\x1b[2J",
			wantErr: "not a commit SHA", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeCommitsAPI{status: tt.status, body: tt.body, heads: map[string]string{
				"o/main@HEAD":      sha["main"],
				"o/branch@develop": sha["develop"],
				"o/pinned@HEAD":    pin,
			}}
			r := NewResolver(ResolverOptions{Mode: tt.mode, Timeout: 10 * time.Second, Backoff: time.Millisecond,
				GitHub: newFakeGitHub(t, api), GitHubHost: host})
			got, err := r.Resolve(context.Background(), tt.up)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.ContainsRune(err.Error(), 0x1b) || strings.Contains(err.Error(), "test-token-not-real") {
					t.Errorf("unsafe error text: %q", err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if got != tt.want {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
			if n := api.requests.Load(); n != tt.wantCalls {
				t.Errorf("%d API requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestGitHubRepo(t *testing.T) {
	tests := []struct {
		in          string
		owner, repo string
		ok          bool
	}{
		{"https://github.com/stripe/agent-toolkit", "stripe", "agent-toolkit", true},
		{"https://github.com/stripe/agent-toolkit.git", "stripe", "agent-toolkit", true},
		{"https://GitHub.com/a/b/", "a", "b", true},
		{"https://www.github.com/a/b", "a", "b", true},
		{"https://github.com/a", "", "", false},
		{"https://github.com/a/b/tree/main", "", "", false},
		{"https://gitlab.com/a/b", "", "", false},
		{"https://github.com.evil.com/a/b", "", "", false},
		{"https://user:tok@github.com/a/b", "", "", false},
		{"git://github.com/a/b", "", "", false},
		{"https://github.com:8443/a/b", "", "", false},
		{"https://github.com/a/..", "", "", false},
	}
	for _, tt := range tests {
		owner, repo, ok := githubRepo(tt.in, "github.com")
		if owner != tt.owner || repo != tt.repo || ok != tt.ok {
			t.Errorf("githubRepo(%q) = %q %q %v", tt.in, owner, repo, ok)
		}
	}
}
