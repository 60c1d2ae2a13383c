//go:build unix

package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/githubtest"
)

// writePasses runs real passes against the GitHub emulator, which counts
// every request. At the smallest N, for each bump count B (at most N), a
// pass that opens B pull requests and reviews them, and after the
// largest B a second pass with nothing moved, which must write nothing;
// at the larger sizes, the pass with nothing moved, to show what grows
// with N. (The requests of a bump do not depend on N; a 100-bump pass at
// N = 1000 would add two minutes of resolution to the harness.)
func (c config) writePasses(t *testing.T, fleets fleets) *Table {
	tab := &Table{
		Title: fmt.Sprintf("Passes against the GitHub emulator (concurrency %d, --write-pause 0, one run each)", c.concurrency),
		Header: []string{"N", "bumps", "pass", "wall", "wall at the default 1 s pause (est.)", "REST reads", "REST writes",
			"registry fetches", "pushes", "PRs opened", "updater CPU", "updater peak RSS"},
	}
	smallest := slices.Min(c.sizes)
	for _, n := range c.sizes {
		f := fleets[n]
		counts := []int{0}
		if n == smallest {
			counts = nil
			for _, b := range c.bumps {
				if b <= n {
					counts = append(counts, b)
				}
			}
		}
		for k, b := range counts {
			passes := 1
			if n == smallest && k == len(counts)-1 {
				passes = 2
			}
			gh := githubtest.New(t, githubtest.Options{})
			gh.Seed(f.registryFiles("http", n, firstN(b)))
			reg := f.registry(t, "http", n, firstN(b))
			env := childEnv(t,
				"GITHUB_REPOSITORY="+gh.Owner+"/"+gh.Repo,
				"GITHUB_TOKEN="+gh.Token,
				"GITHUB_API_URL="+gh.APIURL,
				"GITHUB_SERVER_URL="+gh.URL+"/git",
			)
			args := passArgs{registry: reg, cacheDir: t.TempDir(), concurrency: c.concurrency, writePause: "0"}
			for pass := 1; pass <= passes; pass++ {
				gh.ResetLog()
				u, rep := runPass(t, args, env)
				counts := countRequests(gh.Requests())
				opened := 0
				for _, d := range rep.Decisions {
					if d.PR != nil && d.PR.Outcome == "opened" {
						opened++
					}
				}
				switch {
				case pass == 1 && opened != b:
					t.Fatalf("N=%d, %d bumps: the first pass opened %d PRs", n, b, opened)
				case (pass == 2 || b == 0) && counts.restWrites+counts.pushes != 0:
					t.Fatalf("N=%d, %d bumps, pass %d: nothing moved, yet %d REST writes and %d pushes",
						n, b, pass, counts.restWrites, counts.pushes)
				}
				// Writes run one at a time with the pause between them.
				paced := u.Wall + time.Duration(max(counts.restWrites-1, 0))*time.Second
				tab.Add(fmt.Sprint(n), fmt.Sprint(b), []string{"", "first", "second"}[pass], Seconds(u.Wall), Seconds(paced),
					fmt.Sprint(counts.restReads), fmt.Sprint(counts.restWrites), fmt.Sprint(counts.gitFetches),
					fmt.Sprint(counts.pushes), fmt.Sprint(opened), Seconds(u.CPU()), MB(u.MaxRSS))
				t.Logf("N=%d bumps=%d pass %d: %v, %+v", n, b, pass, u.Wall, counts)
			}
		}
	}
	return tab
}

// requestCounts classifies the emulator's request log.
type requestCounts struct {
	restReads, restWrites int
	gitFetches            int // requests of fetches of the registry repository (advertisement and pack)
	pushes                int // receive-pack POSTs: one per branch pushed
}

func countRequests(log []githubtest.Request) requestCounts {
	var c requestCounts
	for _, r := range log {
		git := strings.HasPrefix(r.Path, "/git/")
		switch {
		case git && r.Write:
			c.pushes++
		case git && !strings.Contains(r.Path+"?"+r.Query, "receive-pack"):
			c.gitFetches++
		case !git && r.Write:
			c.restWrites++
		case !git:
			c.restReads++
		}
	}
	return c
}
