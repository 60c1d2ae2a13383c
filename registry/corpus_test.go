package registry_test

import (
	"bytes"
	"reflect"
	"regexp"
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// The corpus is 328 real files from Docker's registry; the figures pin
// what it holds so that a loader silently skipping files fails here.
const (
	corpusFiles  = 328
	corpusPinned = 249
)

// tagBranch matches branches that name a release tag (2025.4.24, v1.0.2):
// the servers that move branch and commit together.
var tagBranch = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)+$`)

func TestCorpusLoadsAndValidates(t *testing.T) {
	root := registrytest.Corpus(t)
	files, errs := registry.Load(root)
	for _, err := range errs {
		t.Errorf("load: %v", err)
	}
	if len(files) != corpusFiles {
		t.Errorf("loaded %d files, want %d", len(files), corpusFiles)
	}
	pinned := 0
	for _, f := range files {
		for _, err := range registry.Validate(f) {
			t.Errorf("validate: %v", err)
		}
		if f.Pinned() {
			pinned++
		}
	}
	if pinned != corpusPinned {
		t.Errorf("%d pinned servers, want %d", pinned, corpusPinned)
	}
}

func TestCorpusSetPin(t *testing.T) {
	root := registrytest.Corpus(t)
	files, errs := registry.Load(root)
	if len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	const newCommit = "0123456789abcdef0123456789abcdef01234567"
	tagTracking := 0
	for _, f := range files {
		if !f.Pinned() {
			if _, err := registry.SetPin(f.Raw, registry.Pin{Commit: newCommit}); err == nil && f.Server.Source == nil {
				t.Errorf("%s: SetPin succeeded on a file without source", f.Path)
			}
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			pin := registry.Pin{Commit: newCommit}
			out := setPinChecked(t, f, pin, []string{"source.commit"})
			if !bytes.Equal(f.Raw, out) && bytes.Count(f.Raw, []byte("\n")) != bytes.Count(out, []byte("\n")) {
				t.Errorf("line count changed")
			}
		})
		if tagBranch.MatchString(f.Server.Source.Branch) {
			tagTracking++
			t.Run(f.Name+"/tag", func(t *testing.T) {
				setPinChecked(t, f, registry.Pin{Commit: newCommit, Branch: "2099.1.1"}, []string{"source.commit", "source.branch"})
			})
		}
	}
	if tagTracking == 0 {
		t.Error("no tag-tracking server in the corpus; the branch rewrite went untested")
	}
}

// setPinChecked re-pins f and checks that exactly the lines of keys
// changed, and that the result re-parses to the original model but for
// the pin.
func setPinChecked(t *testing.T, f *registry.File, pin registry.Pin, keys []string) []byte {
	t.Helper()
	out, err := registry.SetPin(f.Raw, pin)
	if err != nil {
		t.Fatalf("SetPin: %v", err)
	}
	wantLines := map[int]bool{}
	for _, k := range keys {
		wantLines[f.Line(k)] = true
	}
	if got := changedLines(f.Raw, out); !reflect.DeepEqual(got, wantLines) {
		t.Errorf("changed lines %v, want exactly %v", got, wantLines)
	}
	g, err := registry.Parse(f.Path, out)
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	want := f.Server
	src := *want.Source
	src.Commit = pin.Commit
	if pin.Branch != "" {
		src.Branch = pin.Branch
	}
	want.Source = &src
	if !reflect.DeepEqual(g.Server, want) {
		t.Errorf("re-parsed model differs beyond the pin:\n got %+v\nwant %+v", g.Server, want)
	}
	return out
}

// changedLines returns the 1-based numbers of the lines that differ
// between a and b, which must have as many lines.
func changedLines(a, b []byte) map[int]bool {
	al := bytes.SplitAfter(a, []byte("\n"))
	bl := bytes.SplitAfter(b, []byte("\n"))
	changed := map[int]bool{}
	for i := 0; i < max(len(al), len(bl)); i++ {
		if i >= len(al) || i >= len(bl) || !bytes.Equal(al[i], bl[i]) {
			changed[i+1] = true
		}
	}
	return changed
}
