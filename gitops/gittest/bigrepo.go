package gittest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Generators for large fixtures (benchmarks and hostile-upstream tests).

// ManyRefs adds n refs pointing at commit, written straight into
// packed-refs (writing 20,000 loose refs one by one takes seconds). Half
// are tags v0.<i/1000>.<i%1000>, a quarter branches bulk/<i>, a quarter
// pull-request refs, the mix a large GitHub repository advertises. It
// returns the names added.
func (r *Repo) ManyRefs(n int, commit string) []string {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	lines := map[string]string{} // name -> "sha name"
	path := filepath.Join(r.Dir, "packed-refs")
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "^") {
				continue
			}
			if _, name, ok := strings.Cut(line, " "); ok {
				lines[name] = line
			}
		}
		f.Close()
	}
	var added []string
	for i := range n {
		var name string
		switch i % 4 {
		case 0, 1:
			name = fmt.Sprintf("refs/tags/v0.%d.%d", i/1000, i%1000)
		case 2:
			name = fmt.Sprintf("refs/heads/bulk/%d", i)
		default:
			name = fmt.Sprintf("refs/pull/%d/head", i)
		}
		lines[name] = commit + " " + name
		added = append(added, name)
	}
	names := make([]string, 0, len(lines))
	for name := range lines {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
	for _, name := range names {
		b.WriteString(lines[name])
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		r.t.Fatalf("gittest: %s: write packed-refs: %v", r.Name, err)
	}
	return added
}

// RangeSpec shapes a generated range of history.
type RangeSpec struct {
	Commits    int    // commits from base (exclusive) to head
	Files      int    // files touched over the range; one in ten is new, the rest modified
	AddedLines int    // lines added over the range, spread evenly over the files
	Dir        string // directory the files live in ("" for the root)
}

// GenerateRange commits a base with the files to be modified, then
// spec.Commits commits that together touch spec.Files files and add
// spec.AddedLines lines (inserted mid-file, so diffs are real diffs). It
// returns the base and head SHAs.
func (r *Repo) GenerateRange(branch string, spec RangeSpec) (base, head string) {
	r.t.Helper()
	if spec.Commits < 1 || spec.Files < 1 {
		r.t.Fatalf("gittest: GenerateRange needs at least one commit and one file")
	}
	name := func(i int) string {
		p := fmt.Sprintf("pkg%02d/file%04d.go", i%17, i)
		if spec.Dir != "" {
			p = spec.Dir + "/" + p
		}
		return p
	}
	contents := map[string]string{}
	var initial []Change
	for i := range spec.Files {
		if i%10 == 9 {
			continue // created during the range
		}
		var b strings.Builder
		for l := range 40 {
			fmt.Fprintf(&b, "// %s line %d: unchanged context\n", name(i), l)
		}
		contents[name(i)] = b.String()
		initial = append(initial, Change{Path: name(i), Content: []byte(contents[name(i)])})
	}
	base = r.Commit(branch, "base for generated range", initial)
	perFile := max(spec.AddedLines/spec.Files, 1)
	for c := range spec.Commits {
		var changes []Change
		for i := c; i < spec.Files; i += spec.Commits {
			var add strings.Builder
			for l := range perFile {
				fmt.Fprintf(&add, "\tvalue%d := compute(%d, %q) // added in commit %d\n", l, l, name(i), c)
			}
			old := contents[name(i)]
			mid := strings.Index(old[len(old)/2:], "\n")
			var next string
			if mid < 0 {
				next = old + add.String()
			} else {
				cut := len(old)/2 + mid + 1
				next = old[:cut] + add.String() + old[cut:]
			}
			contents[name(i)] = next
			changes = append(changes, Change{Path: name(i), Content: []byte(next)})
		}
		head = r.Commit(branch, fmt.Sprintf("generated change %d", c), changes)
	}
	return base, head
}
