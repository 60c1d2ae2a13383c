package github_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// openPR makes the emulator hold an open bot PR (#1) and returns it.
func openPR(t *testing.T, gh *githubtest.Server, g *github.GitHub) github.PullRequest {
	t.Helper()
	gh.PushFile("updater/pin-stripe", serverYAML, "new pin\n", "bump")
	pr, err := g.CreatePull(context.Background(), github.NewPull{Title: "t", Head: "updater/pin-stripe", Base: "main"})
	if err != nil {
		t.Fatalf("CreatePull: %v", err)
	}
	return pr
}

func TestTransportRetries(t *testing.T) {
	ctx := context.Background()
	const pulls = "/repos/registry-owner/registry/pulls"
	const comments = "/repos/registry-owner/registry/issues/1/comments"
	for _, tc := range []struct {
		name        string
		fault       func(gh *githubtest.Server) githubtest.Fault
		call        func(g *github.GitHub) error
		wantErr     string // "" for success
		wantSent    int    // requests the emulator saw for the path
		path        string
		method      string
		wantRetries int64
	}{
		{
			name: "GET retried after 502 with an HTML body",
			fault: func(*githubtest.Server) githubtest.Fault {
				return githubtest.Times(2, githubtest.Match("GET", pulls), githubtest.BadGateway)
			},
			call: func(g *github.GitHub) error {
				_, err := g.ListPulls(ctx, "updater/pin-")
				return err
			},
			method: "GET", path: pulls, wantSent: 3, wantRetries: 2,
		},
		{
			name: "GET gives up after the retries",
			fault: func(*githubtest.Server) githubtest.Fault {
				return githubtest.Times(100, githubtest.Match("GET", pulls), githubtest.StatusCode(503))
			},
			call: func(g *github.GitHub) error {
				_, err := g.ListPulls(ctx, "updater/pin-")
				return err
			},
			wantErr: "503", method: "GET", path: pulls, wantSent: 5, wantRetries: 4,
		},
		{
			name: "comment POST that reached GitHub is not sent twice",
			fault: func(*githubtest.Server) githubtest.Fault {
				return githubtest.Times(1, githubtest.Match("POST", comments), githubtest.StatusCode(500))
			},
			call: func(g *github.GitHub) error {
				return g.UpsertComment(ctx, 1, "<!-- m -->", "<!-- m --> report")
			},
			wantErr: "500", method: "POST", path: comments, wantSent: 1,
		},
		{
			name: "PATCH marked retry-safe is retried",
			fault: func(*githubtest.Server) githubtest.Fault {
				return githubtest.Times(1, githubtest.Match("PATCH", pulls+"/1"), githubtest.BadGateway)
			},
			call:   func(g *github.GitHub) error { return g.EditPull(ctx, 1, "t2", "b2") },
			method: "PATCH", path: pulls + "/1", wantSent: 2, wantRetries: 1,
		},
		{
			name: "403 that is not a rate limit is not retried",
			fault: func(*githubtest.Server) githubtest.Fault {
				return githubtest.Times(1, githubtest.Match("GET", pulls), githubtest.StatusCode(403))
			},
			call: func(g *github.GitHub) error {
				_, err := g.ListPulls(ctx, "updater/pin-")
				return err
			},
			wantErr: "403", method: "GET", path: pulls, wantSent: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh, g := newGitHub(t, githubtest.Options{})
			openPR(t, gh, g)
			gh.ResetLog()
			before := g.Requests()
			gh.SetFault(tc.fault(gh))
			err := tc.call(g)
			gh.SetFault(nil)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if got := gh.Count(tc.method, tc.path); got != tc.wantSent {
				t.Fatalf("%s %s sent %d times, want %d", tc.method, tc.path, got, tc.wantSent)
			}
			if got := g.Requests().Retries - before.Retries; got != tc.wantRetries {
				t.Fatalf("retries = %d, want %d", got, tc.wantRetries)
			}
		})
	}
}

// A 502 after GitHub created the pull request: the retry meets GitHub's
// 422 "already exists", and CreatePull returns the one PR.
func TestCreatePullAfterAmbiguous502(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	gh.PushFile("updater/pin-stripe", serverYAML, "new pin\n", "bump")
	gh.SetFault(githubtest.Times(1, githubtest.Match("POST", "/repos/registry-owner/registry/pulls"), gh.ServeThenFail(502)))
	pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Head: "updater/pin-stripe", Base: "main", Labels: []string{"pin-update"}})
	if err != nil {
		t.Fatalf("CreatePull: %v", err)
	}
	if len(gh.Pulls()) != 1 || pr.Number != 1 {
		t.Fatalf("PRs = %+v, returned #%d", gh.Pulls(), pr.Number)
	}
	if got := gh.Labels(1); len(got) != 1 || got[0] != "pin-update" {
		t.Fatalf("labels = %v", got)
	}
	if n := gh.Count("POST", "/repos/registry-owner/registry/pulls"); n != 2 {
		t.Fatalf("POST pulls %d times, want 2 (the 502, then the 422)", n)
	}
}

func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	const pulls = "/repos/registry-owner/registry/pulls"
	list := func(g *github.GitHub) error {
		_, err := g.ListPulls(ctx, "updater/pin-")
		return err
	}
	for _, tc := range []struct {
		name          string
		respond       func() func(http.ResponseWriter, *http.Request)
		wantSecondary bool
		wantLimited   bool // *RateLimitError expected
		minElapsed    time.Duration
		maxElapsed    time.Duration
	}{
		{
			name:       "secondary limit waits Retry-After",
			respond:    func() func(http.ResponseWriter, *http.Request) { return githubtest.SecondaryRateLimit(time.Second) },
			minElapsed: time.Second, maxElapsed: 2500 * time.Millisecond,
		},
		{
			name:          "secondary limit past MaxWait defers",
			respond:       func() func(http.ResponseWriter, *http.Request) { return githubtest.SecondaryRateLimit(time.Minute) },
			wantLimited:   true,
			wantSecondary: true,
			maxElapsed:    time.Second,
		},
		{
			name: "primary limit waits for the reset",
			respond: func() func(http.ResponseWriter, *http.Request) {
				return githubtest.PrimaryRateLimit(time.Now().Add(time.Second))
			},
			minElapsed: 10 * time.Millisecond, maxElapsed: 2500 * time.Millisecond,
		},
		{
			name: "primary limit past MaxWait defers",
			respond: func() func(http.ResponseWriter, *http.Request) {
				return githubtest.PrimaryRateLimit(time.Now().Add(time.Hour))
			},
			wantLimited: true,
			maxElapsed:  time.Second,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh, g := newGitHub(t, githubtest.Options{})
			gh.SetFault(githubtest.Times(1, githubtest.Match("GET", pulls), tc.respond()))
			start := time.Now()
			err := list(g)
			elapsed := time.Since(start)
			var rl *github.RateLimitError
			if got := errors.As(err, &rl); got != tc.wantLimited {
				t.Fatalf("err = %v, want RateLimitError: %v", err, tc.wantLimited)
			}
			if tc.wantLimited {
				if rl.Secondary != tc.wantSecondary || rl.MaxWait != 3*time.Second || !strings.Contains(err.Error(), "registry-owner/registry") {
					t.Fatalf("rate limit error = %+v (%v)", rl, err)
				}
				if g.Requests().RateLimitWaits != 0 {
					t.Fatal("waited although the wait was past the maximum")
				}
			} else if g.Requests().RateLimitWaits != 1 {
				t.Fatalf("stats = %+v, want one wait", g.Requests())
			}
			if elapsed < tc.minElapsed || elapsed > tc.maxElapsed {
				t.Fatalf("took %s, want between %s and %s", elapsed, tc.minElapsed, tc.maxElapsed)
			}
		})
	}
}

// A successful response that uses up the quota makes the next request
// wait for the reset instead of being refused.
func TestQuotaExhaustedOnSuccess(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{}, func(c *github.GitHubConfig) { c.MaxWait = 100 * time.Millisecond })
	reset := time.Now().Add(time.Hour)
	gh.SetFault(githubtest.Times(1, githubtest.Match("GET", "/repos/"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"default_branch":"main"}`))
	}))
	if _, err := g.DefaultBranch(context.Background()); err != nil {
		t.Fatalf("DefaultBranch: %v", err)
	}
	_, err := g.ListPulls(context.Background(), "x")
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || rl.Secondary {
		t.Fatalf("err = %v, want a primary RateLimitError before sending", err)
	}
	if n := gh.Count("GET", "/repos/registry-owner/registry/pulls"); n != 0 {
		t.Fatalf("sent %d list requests while the quota was used up", n)
	}
}

func TestResponseBodyCap(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{}, func(c *github.GitHubConfig) { c.MaxResponseBytes = 1024 })
	gh.SetFault(githubtest.Times(10, githubtest.Match("GET", "/repos/"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"default_branch":"` + strings.Repeat("m", 4096) + `"}`))
	}))
	_, err := g.DefaultBranch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Fatalf("err = %v, want the body cap", err)
	}
	// The emulator logs a request when its handler returns, which can be
	// after the client gave up reading the oversized body.
	registrytest.Eventually(t, "the request logged", func() bool { return gh.Count("GET", "/repos/") >= 1 })
	if n := gh.Count("GET", "/repos/"); n != 1 {
		t.Fatalf("an oversized body was fetched %d times, want 1 (not retried)", n)
	}
}

func TestRequestTimeout(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{}, func(c *github.GitHubConfig) {
		c.Timeout = 100 * time.Millisecond
		c.Retries = 1
	})
	release := make(chan struct{})
	defer close(release)
	gh.SetFault(githubtest.Times(10, githubtest.Match("GET", "/repos/"), func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	start := time.Now()
	_, err := g.DefaultBranch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second { // a hang guard: the fault holds each attempt until the test ends
		t.Fatalf("took %s for two 100ms attempts", elapsed)
	}
	if st := g.Requests(); st.Reads != 2 || st.Retries != 1 {
		t.Fatalf("stats = %+v, want 2 reads and 1 retry", st)
	}
}

// A POST whose connection was refused never reached GitHub: it is retried.
func TestConnectionRefusedPOSTIsRetried(t *testing.T) {
	closed := strings.TrimSuffix(gittest.ClosedURL(t, "http", "x"), "/x.git")
	g, err := github.NewGitHub(context.Background(), github.GitHubConfig{
		APIURL: closed + "/api/v3", Repository: "o/r", Token: "tok", RetryBase: time.Millisecond, Retries: 2, WritePause: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	err = g.Dispatch(context.Background(), "o/r", "security-review", map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want connection refused", err)
	}
	if st := g.Requests(); st.Writes != 3 || st.Retries != 2 {
		t.Fatalf("stats = %+v, want 3 writes sent, 2 retries", st)
	}
}

func TestWritesArePaced(t *testing.T) {
	const pause = 150 * time.Millisecond
	gh, g := newGitHub(t, githubtest.Options{}, func(c *github.GitHubConfig) { c.WritePause = pause })
	pr := openPR(t, gh, g)
	start := time.Now()
	for _, l := range []string{"a", "b", "c"} {
		if err := g.AddLabels(context.Background(), pr.Number, []string{l}); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 3*pause {
		t.Fatalf("3 writes after a write took %s, want at least %s", elapsed, 3*pause)
	}
	// A read is not held behind a write in flight.
	entered, release := make(chan struct{}), make(chan struct{})
	gh.SetFault(githubtest.Times(1, githubtest.Match("POST", "/repos/"), func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		githubtest.StatusCode(http.StatusServiceUnavailable)(w, r)
	}))
	writeDone := make(chan error, 1)
	go func() { writeDone <- g.AddLabels(context.Background(), pr.Number, []string{"d"}) }()
	<-entered
	if _, err := g.ListPulls(context.Background(), "x"); err != nil {
		t.Fatalf("read during a write: %v", err)
	}
	close(release)
	if err := <-writeDone; err != nil {
		t.Fatalf("the write after its 503 retry: %v", err)
	}
}
