package upstream

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// restructured is an upstream whose server directory x/ moves to tools/x/
// in one release: the Dockerfile unchanged, package.json with one new
// dependency, an unchanged source file; and y/ that vanishes.
func restructured(t *testing.T) (s *gittest.Server, base, head string) {
	s = gittest.NewServer(t)
	r := s.NewRepo("mono", "main")
	pkg := "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"1\",\n    \"c\": \"1\"\n  }\n}\n"
	base = r.Commit("main", "base", gittest.Files(map[string]string{
		"x/Dockerfile":   "FROM node:22\nCOPY . .\n",
		"x/package.json": pkg,
		"x/src/index.ts": "export const a = 1;\nexport const b = 2;\n",
		"y/Dockerfile":   "FROM python\n",
		"y/app.py":       "print(1)\n",
		"README.md":      "# mono\n",
	}))
	head = r.Commit("main", "move x under tools, drop y", []gittest.Change{
		gittest.Delete("x/Dockerfile"), gittest.Delete("x/package.json"), gittest.Delete("x/src/index.ts"),
		gittest.Delete("y/Dockerfile"), gittest.Delete("y/app.py"),
		{Path: "tools/x/Dockerfile", Content: []byte("FROM node:22\nCOPY . .\n")},
		{Path: "tools/x/package.json", Content: []byte(strings.Replace(pkg, "\"c\": \"1\"\n", "\"c\": \"1\",\n    \"d\": \"1\"\n", 1))},
		{Path: "tools/x/src/index.ts", Content: []byte("export const a = 1;\nexport const b = 2;\n")},
		{Path: "tools/x/src/copy.ts", Content: []byte("export const a = 1;\nexport const b = 2;\n")},
	})
	return s, base, head
}

func TestRangeFollowsMovesAndCopies(t *testing.T) {
	s, base, head := restructured(t)
	got, err := newTestCache(t).Range(context.Background(), RangeQuery{Project: s.RepoURL("mono"), Ref: "refs/heads/main", Directory: "tools/x", Base: base, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]ranges.FileChange{}
	for _, f := range got.Files {
		by[f.Path] = f
	}
	if _, ok := by["x/Dockerfile"]; ok {
		t.Error("a moved file is still listed as deleted")
	}
	if f := by["tools/x/Dockerfile"]; f.OldPath != "x/Dockerfile" || f.Status != ranges.FileModified || f.Added != 0 || f.Removed != 0 || !f.InDirectory {
		t.Errorf("moved Dockerfile = %+v", f)
	}
	if f := by["tools/x/package.json"]; f.OldPath != "x/package.json" || f.Status != ranges.FileModified || f.Added != 2 || f.Removed != 1 || string(f.Old) == "" {
		t.Errorf("moved, edited package.json = %+v", f)
	}
	if f := by["tools/x/src/copy.ts"]; f.OldPath != "x/src/index.ts" || f.Status != ranges.FileAdded || f.Added != 0 {
		t.Errorf("copy = %+v", f)
	}
	if f := by["y/app.py"]; f.Status != ranges.FileDeleted || f.OldPath != "" {
		t.Errorf("deleted file = %+v", f)
	}
}

func TestCheckBuild(t *testing.T) {
	s, base, head := restructured(t)
	c := newTestCache(t)
	url := s.RepoURL("mono")
	for _, tc := range []struct {
		name string
		in   BuildInputs
		want BuildCheck
		// problem is a substring of the Problem wanted ("" for none).
		problem string
	}{
		{"moved directory", BuildInputs{Directory: "x"}, BuildCheck{Directory: "tools/x"}, ""},
		// source.dockerfile is relative to source.directory, as Docker
		// reads -f in the context project#commit:directory: it moves
		// with the directory and needs no rewrite.
		{"moved with dockerfile", BuildInputs{Directory: "./x/", Dockerfile: "Dockerfile"}, BuildCheck{Directory: "tools/x"}, ""},
		{"dockerfile read in the directory", BuildInputs{Directory: "x", Dockerfile: "x/Dockerfile"}, BuildCheck{}, `source.dockerfile "tools/x/x/Dockerfile" does not exist`},
		{"moved dockerfile alone", BuildInputs{Dockerfile: "x/Dockerfile"}, BuildCheck{Dockerfile: "tools/x/Dockerfile"}, ""},
		{"vanished directory", BuildInputs{Directory: "y"}, BuildCheck{}, `source.directory "y" does not exist`},
		{"vanished dockerfile", BuildInputs{Dockerfile: "y/Dockerfile"}, BuildCheck{}, `source.dockerfile "y/Dockerfile" does not exist`},
		{"whole repository", BuildInputs{}, BuildCheck{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.CheckBuild(context.Background(), url, "refs/heads/main", base, head, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.problem != "" {
				if !strings.Contains(got.Problem, tc.problem) || got.Moved() {
					t.Errorf("got %+v, want problem %q", got, tc.problem)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	// At one commit (validate --online), a missing directory has no successor.
	got, err := c.CheckBuild(context.Background(), url, "refs/heads/main", head, head, BuildInputs{Directory: "x"})
	if err != nil || got.Problem == "" {
		t.Errorf("directory missing at the pin: %+v, %v", got, err)
	}
	// Present everywhere: fine.
	got, err = c.CheckBuild(context.Background(), url, "refs/heads/main", base, base, BuildInputs{Directory: "x", Dockerfile: "Dockerfile"})
	if err != nil || got != (BuildCheck{}) {
		t.Errorf("present inputs: %+v, %v", got, err)
	}
}

// BenchmarkRangeDirectoryMove: a restructuring release moving 300 files
// (every tenth edited) under a new prefix, from a warm cache. Rename
// detection must keep it in the range of ordinary ranges.
func BenchmarkRangeDirectoryMove(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("move", "main")
	files := map[string]string{}
	var move []gittest.Change
	for i := range 300 {
		p := fmt.Sprintf("x/pkg%d/file%d.ts", i%20, i)
		content := strings.Repeat(fmt.Sprintf("export const v%d = %d;\n", i, i), 30)
		files[p] = content
		if i%10 == 0 {
			content += "export const edited = true;\n"
		}
		move = append(move, gittest.Delete(p), gittest.Change{Path: "tools/" + p, Content: []byte(content)})
	}
	base := r.Commit("main", "base", gittest.Files(files))
	head := r.Commit("main", "move", move)
	c := newTestCache(b)
	ctx := context.Background()
	first, err := c.Range(ctx, RangeQuery{Project: s.RepoURL("move"), Ref: "refs/heads/main", Directory: "tools/x", Base: base, Head: head})
	if err != nil {
		b.Fatal(err)
	}
	moved := 0
	for _, f := range first.Files {
		if f.OldPath != "" {
			moved++
		}
	}
	if moved != 300 {
		b.Fatalf("%d of 300 files seen as moved", moved)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Range(ctx, RangeQuery{Project: s.RepoURL("move"), Ref: "refs/heads/main", Directory: "tools/x", Base: base, Head: head}); err != nil {
			b.Fatal(err)
		}
	}
}

// A directory moved to a name no server.yaml can hold (here with a
// terminal escape) is a problem, escaped, never a pin to write.
func TestCheckBuildHostileSuccessor(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("hostile", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"x/a.go": "package a\n", "x/b.go": "package b\n"}))
	head := r.Commit("main", "move", []gittest.Change{
		gittest.Delete("x/a.go"), gittest.Delete("x/b.go"),
		{Path: "\x1b[31mred/x/a.go", Content: []byte("package a\n")},
		{Path: "\x1b[31mred/x/b.go", Content: []byte("package b\n")},
	})
	got, err := newTestCache(t).CheckBuild(context.Background(), s.RepoURL("hostile"), "refs/heads/main", base, head, BuildInputs{Directory: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Moved() || !strings.Contains(got.Problem, `\x1b[31mred/x`) || strings.Contains(got.Problem, "\x1b") {
		t.Errorf("got %+v", got)
	}
}
