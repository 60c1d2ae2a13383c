package registry_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// liveHeap returns the bytes of heap in use after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkLoadCorpus loads and validates the corpus, as a pass does, and
// reports the heap the loaded files keep alive beside the usual figures.
func BenchmarkLoadCorpus(b *testing.B) {
	root := registrytest.Corpus(b)
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		files, errs := registry.Load(root)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		for _, f := range files {
			if problems := registry.Validate(f); len(problems) > 0 {
				b.Fatal(problems)
			}
		}
		b.StopTimer()
		retained = liveHeap() - before
		runtime.KeepAlive(files)
		b.StartTimer()
	}
	b.ReportMetric(float64(retained), "retained-B")
}

// A parsed file keeps its bytes and its model, not the YAML node tree it
// was parsed from: the tree costs some 200 bytes a node, the model a few
// dozen. The file here is the worst the caps let through for that ratio:
// as many one-word list items as the node cap allows.
func TestParsedFileKeepsLittle(t *testing.T) {
	var b strings.Builder
	b.WriteString(validDemo + "meta:\n  tags:\n")
	for i := range registry.MaxNodes - 20 {
		fmt.Fprintf(&b, "    - t%d\n", i)
	}
	raw := []byte(b.String())
	before := liveHeap()
	f, err := registry.Parse("servers/demo/server.yaml", raw)
	retained := int64(liveHeap()) - int64(before)
	if err != nil {
		t.Fatal(err)
	}
	// The model: a string header per tag and the tags' bytes.
	tags := f.Server.Meta.Tags
	model := int64(len(tags)) * int64(unsafe.Sizeof(""))
	for _, tag := range tags {
		model += int64(len(tag))
	}
	if limit := 2*model + 64<<10; retained > limit {
		t.Errorf("a parsed %d-byte file keeps %d KiB alive beside its bytes; its model needs %d KiB (limit %d KiB)",
			len(raw), retained>>10, model>>10, limit>>10)
	}
	runtime.KeepAlive(f)
}
