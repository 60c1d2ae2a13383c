package review

import (
	"context"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream"
)

// A restructuring release moves the server's directory: the moved
// Dockerfile, license, workflow and logo are unchanged and yield nothing,
// the moved package.json only its one new dependency.
func TestMovedFilesReviewedAgainstTheirPreviousVersion(t *testing.T) {
	srv := gittest.NewServer(t)
	repo := srv.NewRepo("moved", "main")
	pkg := "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"zod\": \"3.0.0\",\n    \"express\": \"4.0.0\"\n  }\n}\n"
	files := map[string]string{
		"x/Dockerfile":               "FROM node:22-alpine\nCOPY . .\nRUN npm ci\n",
		"x/LICENSE":                  "MIT License\n",
		"x/logo.png":                 "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
		"x/src/index.ts":             "import { z } from 'zod';\nexport const schema = z.string();\n",
		".github/workflows/x.yml":    "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n",
		"x/package.json":             pkg,
		".github/workflows/keep.yml": "on: push\n",
	}
	base := repo.Commit("main", "base", gittest.Files(files))
	var move []gittest.Change
	for p, c := range files {
		if p == ".github/workflows/keep.yml" {
			continue
		}
		move = append(move, gittest.Delete(p))
		to := "tools/" + p
		if p == ".github/workflows/x.yml" {
			to = ".github/workflows/tools-x.yml"
		}
		if p == "x/package.json" {
			c = "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"zod\": \"3.0.0\",\n    \"express\": \"4.0.0\",\n    \"left-pad\": \"1.0.0\"\n  }\n}\n"
		}
		move = append(move, gittest.Change{Path: to, Content: []byte(c)})
	}
	head := repo.Commit("main", "move x under tools/", move)
	cache, err := upstream.NewCache(t.TempDir(), upstream.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng, err := cache.Range(context.Background(), upstream.RangeQuery{Project: srv.RepoURL("moved"), Ref: "refs/heads/main", Directory: "tools/x", Base: base, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	res := Review(rng, Options{})
	if len(res.Findings) != 1 || res.Findings[0].Rule != RuleDependencies || !strings.HasPrefix(res.Findings[0].Evidence[0], "tools/x/package.json") {
		t.Fatalf("want one dependency finding for tools/x/package.json, got:\n%s", dumpFindings(res.Findings))
	}
}
