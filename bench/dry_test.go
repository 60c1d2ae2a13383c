//go:build unix

package bench

import (
	"fmt"
	"testing"
)

// dryPasses times `updater run --dry-run` against the floor, `xargs -P c
// git ls-remote <url> <ref>`, on the same fleet, same server and same
// concurrency, runs interleaved so both see the same machine load.
func (c config) dryPasses(t *testing.T, fleets fleets) *Table {
	tab := &Table{
		Title: fmt.Sprintf("Dry pass against the floor (concurrency %d; medians of %d runs, %d at N >= %d)", c.concurrency, c.runs, c.largeRuns, large),
		Header: []string{"N", "protocol", "updater wall", "floor wall", "ratio", "updater ms/server",
			"updater CPU", "floor CPU", "server CPU: updater / floor", "updater peak RSS", "floor peak RSS (one git)"},
	}
	for _, n := range c.sizes {
		f := fleets[n]
		want := 0
		for i := range n {
			if everyTenth(i) {
				want++
			}
		}
		for _, proto := range c.protosFor(n) {
			reg := f.registry(t, proto, n, everyTenth)
			input := f.floorInput(t, proto, n)
			env := childEnv(t)
			var mine, floor []Usage
			for range c.runsFor(n) {
				u, rep := runPass(t, passArgs{registry: reg, cacheDir: t.TempDir(), concurrency: c.concurrency, dryRun: true}, env)
				if rep.Summary.Servers != n || rep.Summary.Bump != want {
					t.Fatalf("N=%d %s: %d servers, %d bumps; want %d and %d", n, proto, rep.Summary.Servers, rep.Summary.Bump, n, want)
				}
				mine = append(mine, u)
				floor = append(floor, runFloor(t, input, c.concurrency, n, env))
			}
			m, fl := Median(mine), Median(floor)
			t.Logf("N=%d %s: updater %v, floor %v", n, proto, m.Wall, fl.Wall)
			tab.Add(fmt.Sprint(n), proto, Seconds(m.Wall), Seconds(fl.Wall), Ratio(m.Wall, fl.Wall),
				fmt.Sprintf("%.2f", float64(m.Wall.Microseconds())/1000/float64(max(n, 1))),
				Seconds(m.CPU()), Seconds(fl.CPU()), Seconds(m.ServerCPU)+" / "+Seconds(fl.ServerCPU),
				MB(m.MaxRSS), MB(fl.MaxRSS))
		}
	}
	return tab
}
