package upstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/mcp-registry/updater/gitops/internal/retry"
)

// This file stores a fetched pack in a cache repository with memory
// bounded whatever the pack holds: git's index-pack, in the little the
// cache needs. go-git's own pack writer inflates every object whole while
// it indexes, so a file of zeros that packs into 32 KiB costs 64 MiB of
// heap, and a 2 GiB one 4 GiB: an upstream without partial clone (the
// blob size filter) could exhaust the bot's memory with a few megabytes
// on the wire. Here an object is only ever streamed: inflated through its
// hash, or through a delta into its hash. Delta bases, which must be read
// at random, are held in memory up to a small budget and in temporary
// files past it, and all bases held at once are capped. Large files are
// stored as they came; readers check sizes before reading contents.

// packIndexLimits bounds what indexing one pack may hold.
type packIndexLimits struct {
	// baseMemory bounds the delta bases held in memory at once; bases
	// past it, or larger than baseInMemoryMax alone, go to temporary
	// files beside the pack.
	baseMemory       int64
	baseInMemoryMax  int64
	maxHeldBaseBytes int64 // all bases held at once, memory and files
}

// defaultPackIndexLimits: source files delta against bases well under a
// megabyte, and chains are tens deep, so real packs stay in memory.
var defaultPackIndexLimits = packIndexLimits{
	baseMemory:       8 << 20,
	baseInMemoryMax:  1 << 20,
	maxHeldBaseBytes: 2 << 30,
}

// maxDeltaChainDepth is git's own ceiling on delta chains (pack-objects'
// OE_DEPTH_BITS); a deeper chain is a hostile pack.
const maxDeltaChainDepth = 4095

// errBadPack marks a pack that does not follow the format.
var errBadPack = packfile.ErrMalformedPackFile

// storePack writes the pack read from r into packDir (a repository's
// objects/pack) with its index, named by its checksum as git names them.
// Temporary files are named tmp_pack_* and removed on every return; a
// process killed midway leaves them for removeTempPacks. The index is
// installed before the pack, so a crash between the two leaves an
// unreferenced index rather than a pack readers cannot find objects in.
func storePack(ctx context.Context, packDir string, r io.Reader, lim packIndexLimits) error {
	tmp, err := os.CreateTemp(packDir, "tmp_pack_")
	if err != nil {
		return fmt.Errorf("store pack: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	n, err := io.Copy(tmp, r)
	if err != nil {
		return err
	}
	if n == 0 {
		return packfile.ErrEmptyPackfile
	}
	ix := &packIndexer{ctx: ctx, pack: tmp, dir: packDir, lim: lim}
	checksum, err := ix.index()
	if err != nil {
		return fmt.Errorf("index pack: %w", err)
	}
	if len(ix.objects) == 0 {
		return nil
	}
	base := filepath.Join(packDir, "pack-"+checksum.String())
	if _, err := os.Stat(base + ".pack"); err == nil {
		return nil // the same pack was stored before
	}
	if err := ix.writeIndex(checksum, base+".idx"); err != nil {
		return fmt.Errorf("write pack index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), base+".pack"); err != nil {
		return fmt.Errorf("store pack: %w", err)
	}
	return nil
}

// packObject is what the index needs of one object, plus how to resolve
// it: 48 bytes, so a pack of a million objects costs 48 MB to index.
type packObject struct {
	offset int64
	size   int64 // inflated size of the entry: the object, or its delta
	hash   plumbing.Hash
	crc    uint32
	typ    plumbing.ObjectType // the object's type; for a delta, once resolved
	delta  bool
}

// deltaEdge links an offset delta to its base, both indexes in objects.
type deltaEdge struct{ base, child int32 }

type packIndexer struct {
	ctx  context.Context
	pack *os.File
	dir  string // for temporary files
	lim  packIndexLimits

	objects    []packObject // in pack order, so by offset
	ofsDeltas  []deltaEdge  // sorted by base once the pack is scanned
	refDeltas  map[plumbing.Hash][]int32
	unresolved int

	heldBytes, heldMemory int64
	copyBuf               []byte
}

// index scans the pack, hashing every whole object as it streams by, then
// resolves the deltas from their bases. It returns the pack's checksum.
func (ix *packIndexer) index() (plumbing.Hash, error) {
	checksum, err := ix.scan()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sort.SliceStable(ix.ofsDeltas, func(i, j int) bool { return ix.ofsDeltas[i].base < ix.ofsDeltas[j].base })
	for i := range ix.objects {
		if ix.objects[i].delta || !ix.hasChildren(int32(i)) {
			continue
		}
		if err := ix.resolveRoot(int32(i)); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if ix.unresolved > 0 {
		for _, o := range ix.objects {
			if o.delta && o.hash.IsZero() {
				return plumbing.ZeroHash, fmt.Errorf("%w: the base of the delta at offset %d is not in the pack", errBadPack, o.offset)
			}
		}
	}
	return checksum, nil
}

// scan reads every entry once, in order: whole objects are hashed, deltas
// are linked to their bases, and the pack checksum is verified.
func (ix *packIndexer) scan() (plumbing.Hash, error) {
	if _, err := ix.pack.Seek(0, io.SeekStart); err != nil {
		return plumbing.ZeroHash, err
	}
	sc := packfile.NewScanner(ix.pack)
	_, count, err := sc.Header()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if count > math.MaxInt32 {
		return plumbing.ZeroHash, fmt.Errorf("%w: %d objects", errBadPack, count)
	}
	// count is the pack's word: a hint only, so a hostile header cannot
	// size an allocation.
	ix.objects = make([]packObject, 0, min(count, 1<<16))
	for i := uint32(0); i < count; i++ {
		if err := ix.ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		oh, err := sc.NextObjectHeader()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("entry %d of %d: %w", i+1, count, wrapPackEOF(err))
		}
		o := packObject{offset: oh.Offset, size: oh.Length, typ: oh.Type}
		self := int32(len(ix.objects))
		var sink io.Writer = io.Discard
		var hasher plumbing.Hasher
		switch oh.Type {
		case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
			hasher = plumbing.NewHasher(oh.Type, oh.Length)
			sink = hasher
		case plumbing.OFSDeltaObject:
			base, ok := ix.objectAt(oh.OffsetReference)
			if !ok {
				return plumbing.ZeroHash, fmt.Errorf("%w: the delta at offset %d points at no object", errBadPack, oh.Offset)
			}
			o.delta = true
			ix.ofsDeltas = append(ix.ofsDeltas, deltaEdge{base: base, child: self})
		case plumbing.REFDeltaObject:
			o.delta = true
			if ix.refDeltas == nil {
				ix.refDeltas = map[plumbing.Hash][]int32{}
			}
			ix.refDeltas[oh.Reference] = append(ix.refDeltas[oh.Reference], self)
		default:
			return plumbing.ZeroHash, fmt.Errorf("%w: object type %d at offset %d", errBadPack, oh.Type, oh.Offset)
		}
		n, crc, err := sc.NextObject(&ctxWriter{ctx: ix.ctx, w: sink})
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("entry %d of %d: %w", i+1, count, wrapPackEOF(err))
		}
		if n != oh.Length {
			return plumbing.ZeroHash, fmt.Errorf("%w: the entry at offset %d inflates to %d bytes, its header says %d", errBadPack, oh.Offset, n, oh.Length)
		}
		o.crc = crc
		if o.delta {
			o.typ = plumbing.InvalidObject
			ix.unresolved++
		} else {
			o.hash = hasher.Sum()
		}
		ix.objects = append(ix.objects, o)
	}
	checksum, err := sc.Checksum()
	if err != nil {
		return plumbing.ZeroHash, wrapPackEOF(err)
	}
	return checksum, nil
}

func wrapPackEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated: %w", errBadPack, err)
	}
	return err
}

// objectAt finds the entry starting at offset.
func (ix *packIndexer) objectAt(offset int64) (int32, bool) {
	i := sort.Search(len(ix.objects), func(i int) bool { return ix.objects[i].offset >= offset })
	if i < len(ix.objects) && ix.objects[i].offset == offset {
		return int32(i), true
	}
	return 0, false
}

// children returns the deltas whose base is objects[i] (its hash must be
// known for deltas naming their base by hash).
func (ix *packIndexer) children(i int32) []int32 {
	var out []int32
	first := sort.Search(len(ix.ofsDeltas), func(k int) bool { return ix.ofsDeltas[k].base >= i })
	for _, e := range ix.ofsDeltas[first:] {
		if e.base != i {
			break
		}
		out = append(out, e.child)
	}
	return append(out, ix.refDeltas[ix.objects[i].hash]...)
}

func (ix *packIndexer) hasChildren(i int32) bool {
	first := sort.Search(len(ix.ofsDeltas), func(k int) bool { return ix.ofsDeltas[k].base >= i })
	if first < len(ix.ofsDeltas) && ix.ofsDeltas[first].base == i {
		return true
	}
	return len(ix.refDeltas[ix.objects[i].hash]) > 0
}

// resolveRoot holds a whole object that deltas are based on and resolves
// its descendants.
func (ix *packIndexer) resolveRoot(i int32) error {
	o := &ix.objects[i]
	held, err := ix.hold(o.size)
	if err != nil {
		return fmt.Errorf("object at offset %d: %w", o.offset, err)
	}
	defer ix.release(held)
	r, done, err := ix.entryReader(o.offset)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(held, r, ix.buffer())
	done()
	if err != nil {
		return wrapPackEOF(err)
	}
	if err := held.finish(); err != nil {
		return err
	}
	return ix.resolveChildren(i, held, 1)
}

// resolveChildren resolves the deltas based on objects[i], whose content
// is base, and theirs in turn, depth first: a chain holds one base per
// level, never a whole tree of them.
func (ix *packIndexer) resolveChildren(i int32, base *heldObject, depth int) error {
	if depth > maxDeltaChainDepth {
		return fmt.Errorf("%w: delta chain deeper than %d", errBadPack, maxDeltaChainDepth)
	}
	for _, c := range ix.children(i) {
		if !ix.objects[c].hash.IsZero() {
			continue // a duplicate base hash reached it already
		}
		if err := ix.resolveDelta(c, ix.objects[i].typ, base, depth); err != nil {
			return err
		}
	}
	return nil
}

// resolveDelta resolves the delta objects[c] against base, then the
// deltas based on it.
func (ix *packIndexer) resolveDelta(c int32, typ plumbing.ObjectType, base *heldObject, depth int) error {
	held, err := ix.applyDelta(c, typ, base)
	if err != nil || held == nil {
		return err
	}
	defer ix.release(held)
	return ix.resolveChildren(c, held, depth+1)
}

// applyDelta applies the delta objects[c] to base, hashing the result, and
// returns the result held when deltas may be based on it (nil otherwise).
// When the pack names bases by hash, whether an object is a base is known
// only once it is hashed, so such packs hold every delta target. The
// delta's reader is closed before returning: a chain thousands deep must
// not keep an inflater open per level.
func (ix *packIndexer) applyDelta(c int32, typ plumbing.ObjectType, base *heldObject) (_ *heldObject, err error) {
	if err := ix.ctx.Err(); err != nil {
		return nil, err
	}
	o := &ix.objects[c]
	r, done, err := ix.entryReader(o.offset)
	if err != nil {
		return nil, err
	}
	defer done()
	delta := bufio.NewReader(r)
	srcSize, targetSize, err := readDeltaHeader(delta)
	if err != nil {
		return nil, fmt.Errorf("delta at offset %d: %w", o.offset, err)
	}
	if srcSize != base.size {
		return nil, fmt.Errorf("%w: delta at offset %d is for a %d-byte base, its base has %d", errBadPack, o.offset, srcSize, base.size)
	}
	hasher := plumbing.NewHasher(typ, targetSize)
	var out io.Writer = hasher
	var held *heldObject
	if ix.refDeltas != nil || ix.hasChildren(c) {
		if held, err = ix.hold(targetSize); err != nil {
			return nil, fmt.Errorf("delta at offset %d: %w", o.offset, err)
		}
		defer func() {
			if err != nil {
				ix.release(held)
			}
		}()
		out = io.MultiWriter(hasher, held)
	}
	if err := patchDelta(&ctxWriter{ctx: ix.ctx, w: out}, base, targetSize, delta, ix.buffer()); err != nil {
		return nil, fmt.Errorf("delta at offset %d: %w", o.offset, err)
	}
	if held != nil {
		if err := held.finish(); err != nil {
			return nil, err
		}
	}
	o.hash, o.typ, o.size = hasher.Sum(), typ, targetSize
	ix.unresolved--
	return held, nil
}

// entryReader returns the inflated data of the entry at offset (for a
// delta, the delta itself). A scanner per read keeps the reads
// independent; its buffers are small and pooled.
func (ix *packIndexer) entryReader(offset int64) (io.Reader, func(), error) {
	sc := packfile.NewScanner(ix.pack)
	if _, err := sc.SeekObjectHeader(offset); err != nil {
		return nil, nil, wrapPackEOF(err)
	}
	rc, err := sc.ReadObject()
	if err != nil {
		return nil, nil, err
	}
	return rc, func() { rc.Close() }, nil
}

func (ix *packIndexer) buffer() []byte {
	if ix.copyBuf == nil {
		ix.copyBuf = make([]byte, 32<<10)
	}
	return ix.copyBuf
}

// writeIndex writes the pack's .idx to path, through a temporary file.
func (ix *packIndexer) writeIndex(checksum plumbing.Hash, path string) error {
	w := new(idxfile.Writer)
	for _, o := range ix.objects {
		w.Add(o.hash, uint64(o.offset), o.crc)
	}
	if err := w.OnFooter(checksum); err != nil {
		return err
	}
	idx, err := w.Index()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(ix.dir, "tmp_pack_idx_")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriter(f)
	if _, err := idxfile.NewEncoder(bw).Encode(idx); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// heldObject is an object's content kept while deltas are resolved
// against it: in memory, or in a temporary file.
type heldObject struct {
	size int64
	data []byte   // in memory
	file *os.File // or on disk
	bw   *bufio.Writer
}

// hold makes room for an object of size bytes, in memory while the
// budget allows.
func (ix *packIndexer) hold(size int64) (*heldObject, error) {
	if ix.heldBytes+size > ix.lim.maxHeldBaseBytes {
		// Deliberately not retried: the same pack would fail the same way.
		return nil, retry.Permanent(fmt.Errorf("delta chain holds bases of more than %d bytes at once", ix.lim.maxHeldBaseBytes))
	}
	h := &heldObject{size: size}
	if size <= ix.lim.baseInMemoryMax && ix.heldMemory+size <= ix.lim.baseMemory {
		h.data = make([]byte, 0, size)
		ix.heldMemory += size
	} else {
		f, err := os.CreateTemp(ix.dir, "tmp_pack_base_")
		if err != nil {
			return nil, err
		}
		h.file, h.bw = f, bufio.NewWriterSize(f, 32<<10)
	}
	ix.heldBytes += size
	return h, nil
}

func (ix *packIndexer) release(h *heldObject) {
	ix.heldBytes -= h.size
	if h.file != nil {
		h.file.Close()
		os.Remove(h.file.Name())
		return
	}
	ix.heldMemory -= h.size
}

// Write appends content; never past the size it was held for.
func (h *heldObject) Write(p []byte) (int, error) {
	if h.file != nil {
		return h.bw.Write(p)
	}
	if int64(len(h.data)+len(p)) > h.size {
		return 0, fmt.Errorf("%w: object larger than declared", errBadPack)
	}
	h.data = append(h.data, p...)
	return len(p), nil
}

// finish ends writing; the content must be whole.
func (h *heldObject) finish() error {
	if h.file == nil {
		if int64(len(h.data)) != h.size {
			return fmt.Errorf("%w: object of %d bytes where %d were declared", errBadPack, len(h.data), h.size)
		}
		return nil
	}
	if err := h.bw.Flush(); err != nil {
		return err
	}
	st, err := h.file.Stat()
	if err != nil {
		return err
	}
	if st.Size() != h.size {
		return fmt.Errorf("%w: object of %d bytes where %d were declared", errBadPack, st.Size(), h.size)
	}
	return nil
}

// copyRange writes n bytes of the content from off to w.
func (h *heldObject) copyRange(w io.Writer, off, n int64, buf []byte) error {
	if h.file == nil {
		_, err := w.Write(h.data[off : off+n])
		return err
	}
	_, err := io.CopyBuffer(w, io.NewSectionReader(h.file, off, n), buf)
	return err
}

// ctxWriter stops a long inflation or delta when ctx ends: a pack of a
// megabyte can inflate to gigabytes, which take seconds to hash.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
