//go:build unix

package bench

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	harness = flag.Bool("harness", false, "run the benchmark harness (minutes): see scripts/bench.sh")
	sizes   = flag.String("n", "100,1000", "fleet sizes, comma-separated")
	conc    = flag.Int("c", 16, "concurrency of the pass and of the floor")
	runs    = flag.Int("runs", 3, "repetitions of each timing; medians are reported")
	// At N >= 1000 the floor over smart HTTP alone takes about two
	// minutes a run on two cores; one run keeps the harness under ten.
	largeRuns = flag.Int("large-runs", 1, "repetitions of the timings at N >= 1000")
	protos    = flag.String("proto", "http,git", "upstream protocols: http (git http-backend), git (git daemon)")
	// git:// is rare upstream (GitHub dropped it in 2022) and the N = 100
	// rows already compare the protocols.
	largeProtos = flag.String("large-proto", "http", "upstream protocols at N >= 1000")
	bumps       = flag.String("bumps", "0,10,100", "bump counts of the write passes at the smallest N")
	outFile     = flag.String("out", "", "also write the Markdown tables to this file")
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

// TestHarness measures everything BENCHMARKS.md reports. It runs only
// when asked (-harness), since it takes minutes.
func TestHarness(t *testing.T) {
	if !*harness {
		t.Skip("the harness runs with -harness; see scripts/bench.sh")
	}
	ns, err := parseInts(*sizes)
	if err != nil {
		t.Fatalf("-n: %v", err)
	}
	bs, err := parseInts(*bumps)
	if err != nil {
		t.Fatalf("-bumps: %v", err)
	}
	cfg := config{sizes: ns, bumps: bs, concurrency: *conc, runs: max(*runs, 1), largeRuns: max(*largeRuns, 1),
		protos: strings.Split(*protos, ","), largeProtos: strings.Split(*largeProtos, ",")}
	tables := cfg.all(t)
	var b strings.Builder
	for _, tb := range tables {
		b.WriteString(tb.Markdown())
		b.WriteString("\n")
	}
	fmt.Print(b.String())
	if *outFile != "" {
		if err := os.WriteFile(*outFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSmoke drives every part of the harness at tiny sizes, as part of
// the ordinary test run: the figures must be well formed, their values
// are not asserted.
func TestSmoke(t *testing.T) {
	cfg := config{sizes: []int{10}, bumps: []int{0, 1}, concurrency: 4, runs: 1, largeRuns: 1,
		protos: []string{"http"}, largeProtos: []string{"http"}, smoke: true}
	tables := cfg.all(t)
	for _, tb := range tables {
		if tb.Len() == 0 {
			t.Errorf("table %q has no rows", tb.Title)
		}
		md := tb.Markdown()
		if strings.Contains(md, "NaN") || strings.Contains(md, "Inf") {
			t.Errorf("table %q has a figure that is not a number:\n%s", tb.Title, md)
		}
	}
	if len(tables) != 6 {
		t.Errorf("%d tables, want 6: machine, dry passes, write passes, review, refs, pushes", len(tables))
	}
}

// config is one harness run.
type config struct {
	sizes       []int
	bumps       []int
	concurrency int
	runs        int
	largeRuns   int // runs at N >= 1000
	protos      []string
	largeProtos []string // protocols at N >= 1000
	// smoke shrinks the generated inputs (the big range, the 20,000 refs,
	// the push series) and leaves out the repeated passes, so the run
	// takes seconds.
	smoke bool
}

// section is one part of the harness; it returns its table.
type section struct {
	name string
	run  func(t *testing.T, fleets fleets) *Table
}

// all runs every section as a subtest (select some with -run
// 'TestHarness/(dry|review)') and returns the tables of those that ran.
func (c config) all(t *testing.T) []*Table {
	fleets := newFleets(t, c.sizes)
	sections := []section{
		{"machine", c.machine},
		{"dry", c.dryPasses},
		{"write", c.writePasses},
		{"review", c.bigReview},
		{"refs", c.manyRefs},
		{"push", c.pushes},
	}
	var tables []*Table
	for _, s := range sections {
		t.Run(s.name, func(t *testing.T) {
			if tab := s.run(t, fleets); tab != nil {
				tables = append(tables, tab)
			}
		})
	}
	return tables
}

// large is the size from which a timing runs fewer times and over fewer
// protocols, to keep the harness under ten minutes.
const large = 1000

// runsFor is how many times a timing at size n is repeated.
func (c config) runsFor(n int) int {
	if n >= large {
		return c.largeRuns
	}
	return c.runs
}

// protosFor are the protocols measured at size n.
func (c config) protosFor(n int) []string {
	if n >= large {
		return c.largeProtos
	}
	return c.protos
}

// fleets are the generated fleets by size, shared by the sections. They
// are made by the top-level test (a subtest's would stop serving when it
// ends), a few seconds for N = 1000.
type fleets map[int]*fleet

func newFleets(t *testing.T, sizes []int) fleets {
	t.Helper()
	fs := fleets{}
	for _, n := range sizes {
		if fs[n] != nil {
			continue
		}
		start := time.Now()
		fs[n] = newFleet(t, n)
		t.Logf("fleet of %d upstreams generated in %v", n, time.Since(start).Round(time.Millisecond))
	}
	return fs
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a count", f)
		}
		out = append(out, n)
	}
	return out, nil
}
