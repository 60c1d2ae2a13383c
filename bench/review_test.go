//go:build unix

package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// bigReview times `updater review` of the range the issue sizes: 25
// commits touching 260 files with 20,800 added lines. The cold run
// fetches the upstream into an empty cache; the warm runs find it there
// and measure the range facts and the rules.
func (c config) bigReview(t *testing.T, _ fleets) *Table {
	spec := gittest.RangeSpec{Commits: 25, Files: 260, AddedLines: 20_800, Dir: "src"}
	if c.smoke {
		spec.Commits, spec.Files, spec.AddedLines = 5, 10, 200
	}
	s := gittest.NewServer(t)
	r := s.NewRepo("big-range", "main")
	base, head := r.GenerateRange("main", spec)
	reg := registrytest.NewRegistry(t, map[string]string{
		registry.ServerPath("big-range"): serverYAML("big-range", s.RepoURL("big-range"), "", base),
	})
	env := childEnv(t)
	cache := t.TempDir()

	tab := &Table{
		Title:  fmt.Sprintf("Review of a %d-commit range: %d files, %d added lines", spec.Commits, spec.Files, spec.AddedLines),
		Header: []string{"cache", "wall", "CPU", "server CPU", "peak RSS", "report"},
	}
	row := func(label string, u Usage, report string) {
		if !strings.Contains(report, "Security Review Report") {
			t.Fatalf("updater review printed no report:\n%.1000s", report)
		}
		tab.Add(label, Seconds(u.Wall), Seconds(u.CPU()), Seconds(u.ServerCPU), MB(u.MaxRSS), fmt.Sprintf("%d bytes", len(report)))
	}
	u, report := runReview(t, reg, cache, "big-range", base, head, env)
	row("cold (fetch included)", u, report)
	var warm []Usage
	for range c.runs {
		u, report = runReview(t, reg, cache, "big-range", base, head, env)
		warm = append(warm, u)
	}
	row(fmt.Sprintf("warm (median of %d)", c.runs), Median(warm), report)
	return tab
}
