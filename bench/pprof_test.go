//go:build unix

package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/review"
)

// In-process benchmarks, for profiles: the harness runs the updater as a
// child process, whose CPU time pprof cannot see. Here the pass runs in
// the test binary, so
//
//	go test ./bench -run '^$' -bench WritePass -benchtime 1x -cpuprofile cpu.out
//
// shows the updater, the emulator and the HTTP serving together (the git
// processes the servers spawn are outside any Go profile; the harness's
// "server CPU" column counts them).

// benchPass runs one pass in-process.
func benchPass(b *testing.B, opts updater.Options) {
	b.Helper()
	opts.Stdout = io.Discard
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.JSON = true
	if err := updater.Run(context.Background(), opts); err != nil {
		b.Fatalf("pass: %v", err)
	}
}

// BenchmarkDryPass resolves 100 upstreams over smart HTTP, 10 moved.
func BenchmarkDryPass(b *testing.B) {
	const n = 100
	f := newFleet(b, n)
	reg := f.registry(b, "http", n, everyTenth)
	b.ResetTimer()
	for b.Loop() {
		benchPass(b, updater.Options{Registry: reg, DryRun: true, Concurrency: 16, CacheDir: b.TempDir(), Resolve: upstream.ResolveGit})
	}
}

// BenchmarkWritePass opens and reviews 100 pull requests against the
// emulator, with no pause between writes; each iteration starts from a
// fresh emulator and cache.
func BenchmarkWritePass(b *testing.B) {
	const n = 100
	f := newFleet(b, n)
	reg := f.registry(b, "http", n, firstN(n))
	for b.Loop() {
		b.StopTimer()
		gh := githubtest.New(b, githubtest.Options{})
		gh.Seed(f.registryFiles("http", n, firstN(n)))
		opts := updater.Options{Registry: reg, Concurrency: 16, CacheDir: b.TempDir(), GitHub: updater.GitHubOptions{
			Repository: gh.Owner + "/" + gh.Repo, APIURL: gh.APIURL, ServerURL: gh.URL + "/git", Token: gh.Token, WritePause: -1,
		}}
		b.StartTimer()
		benchPass(b, opts)
	}
}

// BenchmarkRegistryReads reads every server's file on the registry's
// base branch, as a writing pass does to re-plan each server against it
// (updater's rebaseOnBase): per op, N reads from an N-server registry. A
// cost per read that grows with N makes the pass quadratic.
func BenchmarkRegistryReads(b *testing.B) {
	for _, n := range []int{250, 1000, 4000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			files := map[string]string{}
			for i := range n {
				name := fmt.Sprintf("server%05d", i)
				files[registry.ServerPath(name)] = serverYAML(name, "https://github.com/example/"+name, "", strings.Repeat("0", 40))
			}
			gh := githubtest.New(b, githubtest.Options{})
			gh.Seed(files)
			remote, err := github.OpenRegistryRemote(context.Background(), github.RemoteConfig{
				URL: gh.CloneURL, Token: gh.Token, CacheDir: b.TempDir(), BaseBranch: "main", BranchPrefix: "updater/pin-",
				Author: github.CommitAuthor{Name: "bench", Email: "bench@example.test"},
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				for path := range files {
					if _, ok, err := remote.ReadFile(remote.BaseTip(), path); !ok || err != nil {
						b.Fatalf("%s: %v", path, err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/read")
		})
	}
}

// BenchmarkReviewRange computes and reviews the big range from a
// warm cache: the range facts (walk, tree diff, line diffs) and the
// rules.
func BenchmarkReviewRange(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("big-range", "main")
	base, head := r.GenerateRange("main", gittest.RangeSpec{Commits: 25, Files: 260, AddedLines: 20_800, Dir: "src"})
	cache, err := upstream.NewCache(b.TempDir(), upstream.CacheOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	url := s.RepoURL("big-range")
	if _, err := cache.Range(ctx, url, "refs/heads/main", "src", base, head, upstream.RangeLimits{}); err != nil {
		b.Fatal(err) // fills the cache
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rng, err := cache.Range(ctx, url, "refs/heads/main", "src", base, head, upstream.RangeLimits{})
		if err != nil {
			b.Fatal(err)
		}
		res := review.Review(rng, review.Options{})
		if len(rng.Files) < 250 {
			b.Fatalf("%d files in the range", len(rng.Files))
		}
		_ = res.Markdown(review.MetaFor("big-range", rng))
	}
}
