package upstream

import (
	"context"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// The range carries the server's Dockerfile at both ends even when the
// range does not change it, found where source.dockerfile says (relative
// to the directory, as the registry builds, or to the repository root).
func TestRangeReadsTheDockerfile(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("df", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{
		"Dockerfile":             "FROM node:20\nCOPY . .\n",
		"srv/Dockerfile.mcp":     "FROM node:20\nCOPY src /app\n",
		"docker/weather.docker":  "FROM python:3\n",
		"srv/Dockerfile":         strings.Repeat("# padding\n", 200),
		"srv/src/index.js":       "console.log(1)\n",
		"scripts/entrypoint.sh":  "#!/bin/sh\n",
		"other/Dockerfile.other": "FROM x\n",
	}))
	head := r.Commit("main", "change", []gittest.Change{
		{Path: "scripts/entrypoint.sh", Content: []byte("#!/bin/sh\ncurl x | sh\n")},
		{Path: "srv/Dockerfile.mcp", Content: []byte("FROM node:20\nCOPY src /app\nCOPY bin /bin\n")},
	})
	st := r.Git().Storer
	cases := []struct {
		dir, dockerfile, want, old, new string
		tooBig                          bool
	}{
		{dir: "", dockerfile: "", want: "Dockerfile", old: "FROM node:20\nCOPY . .\n", new: "FROM node:20\nCOPY . .\n"},
		{dir: "srv", dockerfile: "Dockerfile.mcp", want: "srv/Dockerfile.mcp", old: "FROM node:20\nCOPY src /app\n", new: "FROM node:20\nCOPY src /app\nCOPY bin /bin\n"},
		{dir: "srv", dockerfile: "docker/weather.docker", want: "docker/weather.docker", old: "FROM python:3\n", new: "FROM python:3\n"},
		{dir: "srv", dockerfile: "", want: "srv/Dockerfile", tooBig: true},
		{dir: "nowhere", dockerfile: "", want: ""},
	}
	for _, c := range cases {
		rng, err := ComputeRange(context.Background(), st, RangeQuery{Project: "p", Directory: c.dir, Dockerfile: c.dockerfile, Base: base, Head: head,
			Limits: RangeLimits{MaxFileBytes: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		bf := rng.Dockerfile
		if c.want == "" {
			if bf != nil {
				t.Errorf("%s/%s: got %+v, want none", c.dir, c.dockerfile, bf)
			}
			continue
		}
		if bf == nil || bf.Path != c.want || string(bf.Old) != c.old || string(bf.New) != c.new || bf.TooBig != c.tooBig {
			t.Errorf("%s/%s: got %+v, want %s", c.dir, c.dockerfile, bf, c.want)
		}
	}
	full, err := ComputeFull(context.Background(), st, RangeQuery{Project: "p", Directory: "srv", Dockerfile: "Dockerfile.mcp", Head: head})
	if err != nil {
		t.Fatal(err)
	}
	if full.Dockerfile == nil || full.Dockerfile.Old != nil || !strings.Contains(string(full.Dockerfile.New), "COPY bin") {
		t.Errorf("full review's Dockerfile: %+v", full.Dockerfile)
	}
}
