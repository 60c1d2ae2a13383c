package review

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// lineTemplates are the kinds of lines a real bump adds, most of them
// harmless, some that rules report.
var lineTemplates = []string{
	"  const result%d = await client.request({ method: \"tools/call\", params: { name, arguments: args } });",
	"  if (!response.ok) throw new Error(`request %d failed: ${response.status} ${response.statusText}`);",
	"export function handler%d(input: ToolInput): Promise<ToolResult> { return run(input, options); }",
	"    description: \"Returns the forecast for a city, with %d hourly entries and the current alerts.\",",
	"  // Retry with exponential backoff; the upstream API rate-limits at %d requests per minute.",
	"  const url = new URL(`/v1/items/${id}?page=%d`, \"https://api.service-%d.example-api.io\");",
	"import { spawn } from \"node:child_process\"; // %d",
	"    logger.debug({ attempt: %d, elapsed: Date.now() - start }, \"retrying\");",
	"def tool_%d(ctx: Context, query: str, limit: int = 10) -> list[dict[str, Any]]:",
	"        raise ValueError(f\"invalid query {query!r} at offset %d\")",
}

// syntheticRange is a 25-commit range touching files files with about
// addedLines added lines: the size the issue asks the review to handle.
func syntheticRange(files, addedLines int) *ranges.Range {
	r := newRange()
	r.Directory = "src/app"
	r.Commits = nil
	for i := range 25 {
		r.Commits = append(r.Commits, ranges.Commit{SHA: fmt.Sprintf("%040x", i+1), Subject: fmt.Sprintf("change %d", i),
			AuthorEmail: fmt.Sprintf("dev%d@upstream.test", i%4), When: time.Unix(int64(1700000000+i*60), 0), Signed: i%5 != 0})
	}
	r.TotalCommits = 25
	r.NewAuthors = []string{"dev3@upstream.test"}
	perFile := addedLines / files
	exts := []string{".ts", ".ts", ".ts", ".py", ".js", ".md", ".json", ".go"}
	for i := range files {
		var path string
		switch {
		case i%50 == 7:
			path = fmt.Sprintf("src/app/pkg%d/package.json", i)
		case i%50 == 13:
			path = fmt.Sprintf("src/app/pkg%d/Dockerfile", i)
		case i%50 == 21:
			path = fmt.Sprintf(".github/workflows/w%d.yml", i)
		case i%3 == 0:
			path = fmt.Sprintf("src/other/mod%d/file%d%s", i%17, i, exts[i%len(exts)])
		default:
			path = fmt.Sprintf("src/app/mod%d/file%d%s", i%17, i, exts[i%len(exts)])
		}
		var before, after strings.Builder
		for j := range perFile {
			line := fmt.Sprintf(lineTemplates[(i+j)%len(lineTemplates)], i*1000+j, j)
			if j%4 == 0 {
				fmt.Fprintf(&before, "%s // old\n", line)
			}
			after.WriteString(line + "\n")
		}
		f := modFile(path, before.String(), after.String())
		f.InDirectory = inDirectory(r.Directory, path)
		r.Files = append(r.Files, f)
	}
	return r
}

func TestSyntheticRange(t *testing.T) {
	r := syntheticRange(260, 20800)
	added := 0
	for _, f := range r.Files {
		added += len(f.AddedLines)
	}
	if len(r.Commits) != 25 || len(r.Files) < 250 || added < 20000 {
		t.Fatalf("benchmark range too small: %d commits, %d files, %d added lines", len(r.Commits), len(r.Files), added)
	}
	// A quarter of it is enough to check the review of a big range (the
	// benchmark times the whole one).
	small := syntheticRange(65, 5200)
	res := Review(small, Options{})
	if res.Risk < Medium || len(res.Findings) < 50 {
		t.Errorf("synthetic range with exec and endpoints: %s", res.Summary())
	}
	md := res.Markdown(MetaFor("bench", small))
	if len(md) > 65536 || strings.Count(md, "- **[HIGH]**") != countAtLeast(res.Findings, High) {
		t.Errorf("report of %d bytes for %d findings", len(md), len(res.Findings))
	}
}

// BenchmarkReview measures the rules alone over the synthetic range
// (building the range is outside the timer).
func BenchmarkReview(b *testing.B) {
	r := syntheticRange(260, 20800)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Review(r, Options{})
	}
}

func BenchmarkMarkdown(b *testing.B) {
	r := syntheticRange(260, 20800)
	res := Review(r, Options{})
	meta := MetaFor("bench", r)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = res.Markdown(meta)
	}
}

// BenchmarkRealRange computes and reviews real git ranges from the
// repository's objects: a 25-commit range of one server, and a 300-commit
// range of a monorepo whose server is one of 17 packages. The issue's
// budget is 0.5 s and 2 s per range.
func BenchmarkRealRange(b *testing.B) {
	for _, tc := range []struct {
		name string
		spec gittest.RangeSpec
		dir  string
	}{
		{"25-commits", gittest.RangeSpec{Commits: 25, Files: 260, AddedLines: 20_800, Dir: "src"}, "src"},
		{"300-commit-monorepo", gittest.RangeSpec{Commits: 300, Files: 1200, AddedLines: 36_000, Dir: "servers"}, "servers/pkg03"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			repo := gittest.InitBare(b, filepath.Join(b.TempDir(), "r.git"), "r", "main")
			base, head := repo.GenerateRange("main", tc.spec)
			q := upstream.RangeQuery{Project: "https://github.com/o/r", Directory: tc.dir, Base: base, Head: head}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rng, err := upstream.ComputeRange(context.Background(), repo.Git().Storer, q)
				if err != nil {
					b.Fatal(err)
				}
				res := Review(rng, Options{})
				_ = res.Markdown(MetaFor("r", rng))
			}
		})
	}
}

// BenchmarkCorpus reviews every corpus case (range facts and rules).
func BenchmarkCorpus(b *testing.B) {
	cases := loadCorpus(b)
	ranges := make([]*ranges.Range, len(cases))
	for i, c := range cases {
		ranges[i] = buildCorpusRange(b, c)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range ranges {
			Review(r, Options{})
		}
	}
}

// BenchmarkRunStatementsLongRun: a hostile Dockerfile whose one RUN spans
// 250 KiB of continued lines. Placing each statement on its line must stay
// linear (it took 12 s when every statement scanned every line).
func BenchmarkRunStatementsLongRun(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("FROM x\nRUN ")
	for sb.Len() < 250<<10 {
		sb.WriteString("x\\\ny\\\nz;x\\\n")
	}
	sb.WriteString("true\n")
	content := []byte(sb.String())
	for b.Loop() {
		runStatements(content, map[int]bool{})
	}
}
