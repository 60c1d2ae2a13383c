//go:build unix

package bench

import (
	"fmt"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// manyRefsCount is the size of the large advertisement: a popular GitHub
// repository's tags, branches and refs/pull/*.
const manyRefsCount = 20_000

// manyRefs compares resolving an upstream advertising 20,000 refs with a
// small one, alone (updater and floor) and inside a pass over the
// smallest fleet, where it must not dominate.
func (c config) manyRefs(t *testing.T, fleets fleets) *Table {
	count := manyRefsCount
	if c.smoke {
		count = 500
	}
	s := gittest.NewServer(t)
	small := s.NewRepo("small", "main")
	smallHead := small.Commit("main", "small", gittest.Files(map[string]string{"src/a.ts": "a\n"}))
	many := s.NewRepo("many", "main")
	manyHead := many.Commit("main", "many", gittest.Files(map[string]string{"src/a.ts": "a\n"}))
	many.ManyRefs(count, manyHead)
	env := childEnv(t)

	tab := &Table{
		Title: fmt.Sprintf("Resolution of an upstream with %d refs (median of %d runs)", count, c.runs),
		Header: []string{"what", "protocol", "updater wall", "floor wall", "ratio", "updater CPU", "server CPU: updater / floor",
			"updater peak RSS"},
	}
	for _, proto := range c.protos {
		url := func(name string) string {
			if proto == "git" {
				return s.DaemonURL(name)
			}
			return s.RepoURL(name)
		}
		for _, up := range []struct {
			name, head, label string
		}{{"small", smallHead, "1 upstream, 2 refs"}, {"many", manyHead, fmt.Sprintf("1 upstream, %d refs", count+1)}} {
			reg := registrytest.NewRegistry(t, map[string]string{
				registry.ServerPath(up.name): serverYAML(up.name, url(up.name), "", up.head),
			})
			input := writeFloorInput(t, url(up.name)+" HEAD\n")
			var mine, floor []Usage
			for range c.runs {
				u, rep := runPass(t, passArgs{registry: reg, cacheDir: t.TempDir(), concurrency: c.concurrency, dryRun: true}, env)
				if rep.Summary.UpToDate != 1 {
					t.Fatalf("%s over %s: %+v", up.name, proto, rep.Summary)
				}
				mine = append(mine, u)
				floor = append(floor, runFloor(t, input, 1, 1, env))
			}
			m, fl := Median(mine), Median(floor)
			tab.Add(up.label, proto, Seconds(m.Wall), Seconds(fl.Wall), Ratio(m.Wall, fl.Wall), Seconds(m.CPU()),
				Seconds(m.ServerCPU)+" / "+Seconds(fl.ServerCPU), MB(m.MaxRSS))
		}

		if c.smoke {
			continue
		}
		// Inside a pass: the smallest fleet, with and without the large
		// upstream added.
		n := c.sizes[0]
		f := fleets[n]
		files := f.registryFiles(proto, n, everyTenth)
		plain := registrytest.NewRegistry(t, files)
		files[registry.ServerPath("many")] = serverYAML("many", url("many"), "", manyHead)
		withMany := registrytest.NewRegistry(t, files)
		for _, p := range []struct {
			reg, label string
		}{{plain, fmt.Sprintf("pass over %d upstreams", n)}, {withMany, fmt.Sprintf("the same pass plus the %d-ref upstream", count+1)}} {
			var mine []Usage
			for range c.runsFor(n) {
				u, _ := runPass(t, passArgs{registry: p.reg, cacheDir: t.TempDir(), concurrency: c.concurrency, dryRun: true}, env)
				mine = append(mine, u)
			}
			m := Median(mine)
			tab.Add(p.label, proto, Seconds(m.Wall), "", "", Seconds(m.CPU()), Seconds(m.ServerCPU), MB(m.MaxRSS))
		}
	}
	return tab
}
