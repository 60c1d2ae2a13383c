package upstream

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/internal/retry"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// storePack is checked against git itself: for every pack, the index it
// writes must be byte for byte the one git index-pack writes, whether the
// delta bases are held in memory or in files.

func runGit(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gittest.IsolatedGitEnv(t.TempDir())
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// gitPack is git pack-objects' pack of every object of the repository a
// fast-import stream builds.
func gitPack(t *testing.T, stream string, packArgs ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "--quiet", "--bare", ".")
	runGit(t, dir, []byte(stream), "fast-import", "--quiet")
	objects := runGit(t, dir, nil, "rev-list", "--objects", "--all")
	return runGit(t, dir, objects, append([]string{"pack-objects", "--stdout", "--window=50", "--depth=50"}, packArgs...)...)
}

// gitIndex is git index-pack's index of pack.
func gitIndex(t *testing.T, pack []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "x.pack")
	if err := os.WriteFile(p, pack, 0o600); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, nil, "index-pack", "-o", filepath.Join(dir, "x.idx"), p)
	idx, err := os.ReadFile(filepath.Join(dir, "x.idx"))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// storeIn stores pack in a new directory and returns it with the names
// of the files it holds afterwards.
func storeIn(t *testing.T, ctx context.Context, pack []byte, lim packIndexLimits) (dir string, files []string, err error) {
	t.Helper()
	dir = t.TempDir()
	err = storePack(ctx, dir, bytes.NewReader(pack), lim)
	entries, rerr := os.ReadDir(dir)
	if rerr != nil {
		t.Fatal(rerr)
	}
	for _, e := range entries {
		files = append(files, e.Name())
	}
	sort.Strings(files)
	return dir, files, err
}

// packBuilder writes packs by hand, with entries git would not write:
// chains mixing offset and hash deltas, deltas that expand a thousandfold,
// malformed entries.
type packBuilder struct {
	body  bytes.Buffer
	count uint32
	zw    *zlib.Writer // reused: a new one costs hundreds of KiB
}

func (b *packBuilder) offset() int64 { return int64(12 + b.body.Len()) }

func (b *packBuilder) entry(typ plumbing.ObjectType, size int64, extra, data []byte) int64 {
	off := b.offset()
	c := byte(typ)<<4 | byte(size&15)
	for size >>= 4; size > 0; size >>= 7 {
		b.body.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
	}
	b.body.WriteByte(c)
	b.body.Write(extra)
	if b.zw == nil {
		b.zw = zlib.NewWriter(&b.body)
	} else {
		b.zw.Reset(&b.body)
	}
	b.zw.Write(data)
	b.zw.Close()
	b.count++
	return off
}

func (b *packBuilder) whole(typ plumbing.ObjectType, content []byte) int64 {
	return b.entry(typ, int64(len(content)), nil, content)
}

func (b *packBuilder) ofsDelta(base int64, delta []byte) int64 {
	n := b.offset() - base
	var buf [10]byte
	i := len(buf) - 1
	buf[i] = byte(n & 0x7f)
	for n >>= 7; n > 0; n >>= 7 {
		n--
		i--
		buf[i] = 0x80 | byte(n&0x7f)
	}
	return b.entry(plumbing.OFSDeltaObject, int64(len(delta)), buf[i:], delta)
}

func (b *packBuilder) refDelta(base plumbing.Hash, delta []byte) int64 {
	return b.entry(plumbing.REFDeltaObject, int64(len(delta)), base[:], delta)
}

func (b *packBuilder) pack() []byte {
	var out bytes.Buffer
	out.WriteString("PACK")
	binary.Write(&out, binary.BigEndian, uint32(2))
	binary.Write(&out, binary.BigEndian, b.count)
	out.Write(b.body.Bytes())
	sum := sha1.Sum(out.Bytes())
	out.Write(sum[:])
	return out.Bytes()
}

// delta encodes a delta: the sizes, then the instructions.
func delta(baseSize, targetSize int64, ops ...[]byte) []byte {
	var out []byte
	for _, n := range []int64{baseSize, targetSize} {
		for n >= 0x80 {
			out = append(out, byte(n)|0x80)
			n >>= 7
		}
		out = append(out, byte(n))
	}
	for _, op := range ops {
		out = append(out, op...)
	}
	return out
}

// copyOp copies n bytes of the base from off (n 0x10000 has no size bytes).
func copyOp(off, n int64) []byte {
	cmd, args := byte(0x80), []byte{}
	for i := range 4 {
		if b := byte(off >> (8 * i)); b != 0 {
			cmd |= 1 << i
			args = append(args, b)
		}
	}
	if n != 0x10000 {
		for i := range 3 {
			if b := byte(n >> (8 * i)); b != 0 {
				cmd |= 0x10 << i
				args = append(args, b)
			}
		}
	}
	return append([]byte{cmd}, args...)
}

// insertOp inserts data (at most 127 bytes).
func insertOp(data string) []byte { return append([]byte{byte(len(data))}, data...) }

// evolvingFile is a stream of commits editing a few lines of one file at
// a time: what real history looks like to git's delta search.
func evolvingFile(versions int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	lines := make([]string, 400)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d: %x", i, rng.Uint64())
	}
	var stream strings.Builder
	for v := 1; v <= versions; v++ {
		for range 3 {
			lines[rng.IntN(len(lines))] = fmt.Sprintf("edit %d: %x", v, rng.Uint64())
		}
		importCommit(&stream, v, fmt.Sprintf("version %d", v),
			inline("644", "src/file.txt", strings.Join(lines, "\n")+"\n"),
			inline("644", fmt.Sprintf("notes/%d.txt", v%4), fmt.Sprintf("note %d\n", v)))
	}
	return stream.String()
}

// handMadeChains is a pack whose deltas chain four deep, by offset and by
// hash, with a base of a base named by hash before it appears.
func handMadeChains() []byte {
	base := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog\n"), 2000)
	v1 := append(append([]byte{}, base[:1000]...), "inserted\n"...)
	v2 := append(append(append([]byte{}, v1...), "tail\n"...), v1[:500]...)
	v3 := append([]byte("head\n"), v2[100:200]...)
	var b packBuilder
	// By hash, ahead of the delta it is based on.
	b.refDelta(plumbing.ComputeHash(plumbing.BlobObject, v2), delta(int64(len(v2)), int64(len(v3)), insertOp("head\n"), copyOp(100, 100)))
	b0 := b.whole(plumbing.BlobObject, base)
	d1 := b.ofsDelta(b0, delta(int64(len(base)), int64(len(v1)), copyOp(0, 1000), insertOp("inserted\n")))
	b.ofsDelta(d1, delta(int64(len(v1)), int64(len(v2)), copyOp(0, int64(len(v1))), insertOp("tail\n"), copyOp(0, 500)))
	b.whole(plumbing.CommitObject, []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\nm\n"))
	return b.pack()
}

// allOnDisk holds every delta base in a temporary file.
var allOnDisk = packIndexLimits{baseMemory: 0, baseInMemoryMax: 0, maxHeldBaseBytes: 1 << 40}

func TestStorePackMatchesGitIndexPack(t *testing.T) {
	history := evolvingFile(40)
	packs := []struct {
		name string
		pack func(t *testing.T) []byte
	}{
		{"git, offset deltas", func(t *testing.T) []byte { return gitPack(t, history, "--delta-base-offset") }},
		{"git, hash deltas", func(t *testing.T) []byte { return gitPack(t, history) }},
		{"hand-made chains", func(*testing.T) []byte { return handMadeChains() }},
	}
	for _, p := range packs {
		t.Run(p.name, func(t *testing.T) {
			pack := p.pack(t)
			want := gitIndex(t, pack)
			sum := pack[len(pack)-20:]
			name := fmt.Sprintf("pack-%x", sum)
			for _, lim := range []struct {
				name string
				lim  packIndexLimits
			}{{"bases in memory", defaultPackIndexLimits}, {"bases on disk", allOnDisk}} {
				dir, files, err := storeIn(t, context.Background(), pack, lim.lim)
				if err != nil {
					t.Fatalf("%s: %v", lim.name, err)
				}
				if want := []string{name + ".idx", name + ".pack"}; !equalStrings(files, want) {
					t.Fatalf("%s: files %v, want %v (temporary files removed)", lim.name, files, want)
				}
				got, err := os.ReadFile(filepath.Join(dir, name+".idx"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: the index differs from git index-pack's (%d bytes, want %d)", lim.name, len(got), len(want))
				}
				stored, _ := os.ReadFile(filepath.Join(dir, name+".pack"))
				if !bytes.Equal(stored, pack) {
					t.Errorf("%s: the pack was not stored as received", lim.name)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// The store reads what storePack wrote: an object at the end of a chain,
// after a second pack was added to a store already open.
func TestStorePackReadableByTheStore(t *testing.T) {
	dir := t.TempDir()
	st := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRUDefault(), filesystem.Options{})
	if err := st.Init(); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	packDir := filepath.Join(dir, "objects", "pack")
	if err := os.MkdirAll(packDir, 0o700); err != nil {
		t.Fatal(err)
	}
	var first packBuilder
	first.whole(plumbing.BlobObject, []byte("first\n"))
	if err := storePack(context.Background(), packDir, bytes.NewReader(first.pack()), defaultPackIndexLimits); err != nil {
		t.Fatal(err)
	}
	st.Reindex()
	if _, err := object.GetBlob(st, plumbing.ComputeHash(plumbing.BlobObject, []byte("first\n"))); err != nil {
		t.Fatal(err)
	}
	if err := storePack(context.Background(), packDir, bytes.NewReader(handMadeChains()), defaultPackIndexLimits); err != nil {
		t.Fatal(err)
	}
	st.Reindex()
	base := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog\n"), 2000)
	v3 := append([]byte("head\n"), append(append([]byte{}, base[:1000]...), "inserted\n"...)[100:200]...)
	b, err := object.GetBlob(st, plumbing.ComputeHash(plumbing.BlobObject, v3))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := b.Reader()
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, v3) {
		t.Errorf("blob at the end of the chain reads %q, want %q", got, v3)
	}
}

// A file of zeros, and a delta that copies a 64 KiB base 512 times, each
// 32 MiB inflated from a few KiB: indexed within a few MiB of heap, the
// big delta target (a base itself) held in a file.
func TestStorePackStreamsHugeObjects(t *testing.T) {
	const size = 32 << 20
	zeros := make([]byte, size)
	small := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	var copies []byte
	for range size / len(small) {
		copies = append(copies, 0x80) // copy 0x10000 bytes from 0
	}
	var b packBuilder
	b.whole(plumbing.BlobObject, zeros)
	sb := b.whole(plumbing.BlobObject, small)
	bomb := b.ofsDelta(sb, delta(int64(len(small)), size, copies))
	b.ofsDelta(bomb, delta(size, 3, copyOp(size-3, 3)))
	pack := b.pack()
	zeros = nil
	t.Logf("pack of %d KiB", len(pack)>>10)
	want := gitIndex(t, pack)

	var dir string
	var files []string
	var err error
	measured(t, "store a pack of 96 MiB inflated", bounds{60 * time.Second, 8 << 20}, func() {
		dir, files, err = storeIn(t, context.Background(), pack, defaultPackIndexLimits)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("files %v, want the pack and its index", files)
	}
	got, _ := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(files[0], ".idx")+".idx"))
	if !bytes.Equal(got, want) {
		t.Error("the index differs from git index-pack's")
	}
}

func TestStorePackRejects(t *testing.T) {
	blob := []byte("hello, world\n")
	good := func() *packBuilder {
		var b packBuilder
		b.whole(plumbing.BlobObject, blob)
		return &b
	}
	withDelta := func(d []byte) []byte {
		b := good()
		b.ofsDelta(12, d)
		return b.pack()
	}
	chain := func(depth int) []byte {
		b := good()
		prev := int64(12)
		for range depth {
			prev = b.ofsDelta(prev, delta(int64(len(blob)), int64(len(blob)), copyOp(0, int64(len(blob)))))
		}
		return b.pack()
	}
	cases := []struct {
		name string
		pack []byte
		lim  packIndexLimits
		want string
	}{
		{"empty", nil, defaultPackIndexLimits, "empty packfile"},
		{"not a pack", []byte("<html>502 Bad Gateway</html>"), defaultPackIndexLimits, "signature"},
		{"truncated", good().pack()[:20], defaultPackIndexLimits, "truncated"},
		{"checksum", func() []byte { p := good().pack(); p[len(p)-1] ^= 1; return p }(), defaultPackIndexLimits, "checksum mismatch"},
		{"more objects than sent", func() []byte {
			p := good().pack()
			binary.BigEndian.PutUint32(p[8:], 1<<30) // a hint only: no 48 GiB allocation
			return p
		}(), defaultPackIndexLimits, "entry 2 of 1073741824"},
		{"more objects than indexes count", func() []byte {
			p := good().pack()
			binary.BigEndian.PutUint32(p[8:], 1<<32-1)
			return p
		}(), defaultPackIndexLimits, "4294967295 objects"},
		{"inflates past its size", func() []byte {
			var b packBuilder
			b.entry(plumbing.BlobObject, 3, nil, blob)
			return b.pack()
		}(), defaultPackIndexLimits, "exceeds declared size"},
		{"inflates short of its size", func() []byte {
			var b packBuilder
			b.entry(plumbing.BlobObject, 100, nil, blob)
			return b.pack()
		}(), defaultPackIndexLimits, "inflates to 13 bytes, its header says 100"},
		{"offset delta to no object", func() []byte {
			b := good()
			b.ofsDelta(13, delta(13, 1, copyOp(0, 1))) // 13 is inside the blob's entry
			return b.pack()
		}(), defaultPackIndexLimits, "points at no object"},
		{"base outside the pack", func() []byte {
			b := good()
			b.refDelta(plumbing.ComputeHash(plumbing.BlobObject, []byte("elsewhere")), delta(9, 1, copyOp(0, 1)))
			return b.pack()
		}(), defaultPackIndexLimits, "is not in the pack"},
		{"delta for another base size", withDelta(delta(99, 1, copyOp(0, 1))), defaultPackIndexLimits, "is for a 99-byte base, its base has 13"},
		{"copy past the base", withDelta(delta(13, 20, copyOp(0, 20))), defaultPackIndexLimits, "copies 20 bytes at 0 from a 13-byte base"},
		{"copy past the target", withDelta(delta(13, 5, copyOp(0, 13))), defaultPackIndexLimits, "copies 13 bytes at 0"},
		{"insert past the target", withDelta(delta(13, 2, insertOp("abc"))), defaultPackIndexLimits, "inserts 3 bytes, 2 left"},
		{"reserved instruction", withDelta(delta(13, 2, []byte{0})), defaultPackIndexLimits, "reserved instruction 0"},
		{"instructions past the target", withDelta(delta(13, 1, insertOp("a"), insertOp("b"))), defaultPackIndexLimits, "data past the object's end"},
		{"instructions short of the target", withDelta(delta(13, 9, insertOp("a"))), defaultPackIndexLimits, "truncated"},
		{"size field overflows", withDelta(bytes.Repeat([]byte{0xff}, 12)), defaultPackIndexLimits, "size field overflows"},
		{"chain deeper than git allows", chain(maxDeltaChainDepth + 1), defaultPackIndexLimits, "delta chain deeper than 4095"},
		{"bases over the cap", withDelta(delta(13, 13, copyOp(0, 13))), packIndexLimits{baseMemory: 1 << 20, baseInMemoryMax: 1 << 20, maxHeldBaseBytes: 12}, "bases of more than 12 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, files, err := storeIn(t, context.Background(), tc.pack, tc.lim)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
			if len(files) != 0 {
				t.Errorf("left behind: %v", files)
			}
		})
	}
}

// A cap of the bases held is not a fault of the connection: retrying
// would fetch the same pack to fail the same way.
func TestStorePackHeldCapIsPermanent(t *testing.T) {
	var b packBuilder
	base := b.whole(plumbing.BlobObject, []byte("hello, world\n"))
	b.ofsDelta(base, delta(13, 13, copyOp(0, 13)))
	_, _, err := storeIn(t, context.Background(), b.pack(), packIndexLimits{maxHeldBaseBytes: 1})
	if err == nil || retry.Transient(err) {
		t.Errorf("err = %v, want a permanent error", err)
	}
}

func TestStorePackCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, files, err := storeIn(t, ctx, handMadeChains(), defaultPackIndexLimits)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if len(files) != 0 {
		t.Errorf("left behind: %v", files)
	}
}

// The same pack stored twice is kept once.
func TestStorePackTwice(t *testing.T) {
	pack := handMadeChains()
	dir := t.TempDir()
	for range 2 {
		if err := storePack(context.Background(), dir, bytes.NewReader(pack), defaultPackIndexLimits); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files, want the pack and its index", len(entries))
	}
}

// A delta that expands a thousandfold is stored as it came, and the range
// reads it as the store streams it: its size from the delta's header, a
// sniff of its first bytes, never the whole.
func TestStorePackDeltaBombInRange(t *testing.T) {
	const size = 32 << 20
	small := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	var copies []byte
	for range size / len(small) {
		copies = append(copies, 0x80)
	}
	var b packBuilder
	b.ofsDelta(b.whole(plumbing.BlobObject, small), delta(int64(len(small)), size, copies))
	h := plumbing.NewHasher(plumbing.BlobObject, size)
	for range size / len(small) {
		h.Write(small)
	}
	bomb := h.Sum()

	c, err := NewCache(t.TempDir(), CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bomb.git")
	st, err := c.openStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := storePack(context.Background(), filepath.Join(dir, "objects", "pack"), bytes.NewReader(b.pack()), defaultPackIndexLimits); err != nil {
		t.Fatal(err)
	}
	st.Reindex()
	var skip string
	fc := ranges.FileChange{Path: "bomb.bin"}
	measured(t, "range over a 32 MiB delta target", bounds{10 * time.Second, 8 << 20}, func() {
		fd := &fileDiffer{st: st, limits: RangeLimits{}.withDefaults()}
		skip, err = fd.fill(&fc, nil, &object.TreeEntry{Name: "bomb.bin", Mode: filemode.Regular, Hash: bomb})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fc.NewSize != size || !strings.Contains(skip, "over the per-file cap") || fc.Binary {
		t.Errorf("size %d, skip %q, binary %v; want %d, over the cap, text", fc.NewSize, skip, fc.Binary, size)
	}
}
