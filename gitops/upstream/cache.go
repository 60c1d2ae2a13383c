package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/mcp-registry/updater/gitops/internal/redact"
	"github.com/mcp-registry/updater/gitops/internal/retry"
	"github.com/mcp-registry/updater/registry/valid"
)

// Cache keeps one bare repository per upstream under a directory, reused
// between passes, and answers questions about upstream history from it
// (ranges, cooldown, pin checks, tree exports), fetching only what it
// lacks.
//
// Depth: the followed ref is fetched with its full history. A shallow
// fetch would have to guess how deep the old pin is and deepen in rounds
// (each a round trip, and go-git's shallow support is partial); a full
// fetch costs once per upstream, later passes fetch only new objects (the
// cache's refs are sent as "haves"), and it answers "is the old pin an
// ancestor" exactly. When the old pin is not in the ref's history (a
// force-push), it is asked for by SHA, which GitHub and git servers with
// uploadpack.allowAnySHA1InWant grant while the object exists.
//
// Concurrency: calls for different upstreams run in parallel; calls for
// the same upstream are serialised by a per-upstream lock (waiting honours
// ctx). One process per cache directory: there is no cross-process lock.
type Cache struct {
	dir  string
	opts CacheOptions
	log  *slog.Logger

	mu    sync.Mutex
	locks map[string]*keyLock
}

// CacheOptions configures a Cache. Zero values mean the defaults.
type CacheOptions struct {
	// List bounds ref advertisements: CheckPin's listing, and the one
	// read before each fetch (its MaxBytes).
	List ListOptions
	// FetchTimeout bounds one fetch, all attempts (default 5 minutes).
	FetchTimeout time.Duration
	// MaxPackBytes caps one fetched pack (default 1 GiB).
	MaxPackBytes int64
	// MaxBlobBytes: blobs larger than this are not fetched from servers
	// that support partial clone (default 16 MiB, the export's per-file
	// cap; negative: fetch everything). Servers without it send them:
	// they are stored as sent and indexed without being held in memory
	// (storePack). Ranges and exports report such files as skipped.
	MaxBlobBytes int64
	// Retry governs fetch retries (default retry.DefaultRetryPolicy without a
	// per-attempt timeout: FetchTimeout bounds the whole).
	Retry *retry.RetryPolicy
	// ObjectCacheBytes is the decoded-object cache per open repository
	// (default 32 MiB).
	ObjectCacheBytes int64
	// Export bounds ExportTree.
	Export ExportLimits
	Logger *slog.Logger
}

// Defaults for CacheOptions.
const (
	DefaultFetchTimeout     = 5 * time.Minute
	DefaultMaxPackBytes     = 1 << 30
	DefaultMaxBlobBytes     = 16 << 20
	DefaultObjectCacheBytes = 32 << 20
	// largeObjectThreshold: blobs above it are streamed from the pack
	// rather than read whole into memory.
	largeObjectThreshold = 8 << 20
)

// NewCache opens (creating it if needed, mode 0700) a cache directory.
func NewCache(dir string, opts CacheOptions) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("cache directory not set")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory: %w", err)
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxPackBytes <= 0 {
		opts.MaxPackBytes = DefaultMaxPackBytes
	}
	if opts.MaxBlobBytes == 0 {
		opts.MaxBlobBytes = DefaultMaxBlobBytes
	}
	if opts.ObjectCacheBytes <= 0 {
		opts.ObjectCacheBytes = DefaultObjectCacheBytes
	}
	if opts.Retry == nil {
		p := retry.DefaultRetryPolicy()
		p.AttemptTimeout = 0
		opts.Retry = &p
	}
	opts.Export = opts.Export.withDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{dir: dir, opts: opts, log: log, locks: map[string]*keyLock{}}, nil
}

// keyLock serialises work on one upstream; a channel so waiting can be
// abandoned when ctx ends.
type keyLock struct {
	ch    chan struct{}
	users int
}

func (c *Cache) lock(ctx context.Context, key string) (unlock func(), err error) {
	c.mu.Lock()
	l := c.locks[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		c.locks[key] = l
	}
	l.users++
	c.mu.Unlock()
	release := func() {
		c.mu.Lock()
		l.users--
		if l.users == 0 {
			delete(c.locks, key)
		}
		c.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// cacheKey names an upstream's directory: a hash of the normalised URL
// (credentials dropped, scheme and host lower-cased, trailing "/" and
// ".git" removed) so no two upstreams share one and no URL can escape the
// cache directory, plus a sanitised readable tail for humans.
func cacheKey(project string) (string, error) {
	u, err := url.Parse(project)
	if err != nil {
		return "", err
	}
	u.User = nil
	norm := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) +
		strings.TrimSuffix(strings.TrimRight(u.EscapedPath(), "/"), ".git")
	sum := sha256.Sum256([]byte(norm))
	var readable strings.Builder
	for _, r := range strings.ToLower(u.Hostname()) + "_" + strings.Trim(strings.TrimSuffix(strings.TrimRight(u.Path, "/"), ".git"), "/") {
		if readable.Len() >= 60 {
			break
		}
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-':
			readable.WriteRune(r)
		case r == '.' && readable.Len() > 0 && isAlnum(readable.String()[readable.Len()-1]):
			readable.WriteRune(r) // dots only after a letter or digit: no ".."
		default:
			readable.WriteByte('_')
		}
	}
	return hex.EncodeToString(sum[:8]) + "-" + readable.String(), nil
}

func isAlnum(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }

// upstreamRepo is an open cache repository for one upstream, used while
// its lock is held.
type upstreamRepo struct {
	c       *Cache
	project string
	path    string
	ep      *transport.Endpoint
	st      *filesystem.Storage
}

// open locks project's cache repository and opens it, creating it on
// first use and recreating it when it is unreadable (a process killed
// mid-write). The caller must call close.
func (c *Cache) open(ctx context.Context, project string) (*upstreamRepo, func(), error) {
	ep, err := parseUpstream(project)
	if err != nil {
		return nil, nil, err
	}
	key, err := cacheKey(project)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := c.lock(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(c.dir, key+".git")
	st, err := c.openStorage(path)
	if err != nil {
		unlock()
		return nil, nil, upstreamError(project, "open cache", err)
	}
	repo := &upstreamRepo{c: c, project: project, path: path, ep: ep, st: st}
	repo.removeTempPacks() // left by a process killed mid-fetch
	return repo, func() { st.Close(); unlock() }, nil
}

// removeTempPacks deletes partial packs: go-git leaves its temporary pack
// file behind when a fetch fails mid-stream (the size cap, a reset).
// Only called with the upstream's lock held, so no fetch is writing one.
func (u *upstreamRepo) removeTempPacks() {
	tmp, _ := filepath.Glob(filepath.Join(u.path, "objects", "pack", "tmp_pack_*"))
	for _, f := range tmp {
		os.Remove(f)
	}
}

func (c *Cache) openStorage(path string) (*filesystem.Storage, error) {
	newStorage := func() *filesystem.Storage {
		return filesystem.NewStorageWithOptions(osfs.New(path),
			cache.NewObjectLRU(cache.FileSize(c.opts.ObjectCacheBytes)),
			filesystem.Options{LargeObjectThreshold: largeObjectThreshold})
	}
	if _, err := os.Stat(filepath.Join(path, "config")); err == nil {
		st := newStorage()
		if _, err := st.Config(); err == nil {
			return st, nil
		}
		c.log.Warn("cache repository unreadable; recreating it", "path", path)
		st.Close()
		if err := os.RemoveAll(path); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, err
	}
	st := newStorage()
	if err := st.Init(); err != nil {
		st.Close()
		return nil, err
	}
	cfg, err := st.Config()
	if err != nil {
		st.Close()
		return nil, err
	}
	cfg.Core.IsBare = true
	if err := st.SetConfig(cfg); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// ensure makes sure the commits in need are present, fetching ref (full
// history; "HEAD" for the default branch; "" for none) when any is
// missing and then asking for those still missing by SHA. It returns the
// commits that could not be had: a missing commit is an answer, not an
// error; errors are for upstreams that could not be fetched from at all.
func (u *upstreamRepo) ensure(ctx context.Context, ref string, need ...plumbing.Hash) (missing []plumbing.Hash, err error) {
	missing = u.missing(need)
	if len(missing) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, u.c.opts.FetchTimeout)
	defer cancel()
	defer u.removeTempPacks()
	if ref != "" {
		if err := u.fetchRef(ctx, ref); err != nil {
			return missing, upstreamError(u.project, "fetch "+ref, err)
		}
		missing = u.missing(need)
		if len(missing) == 0 {
			return nil, nil
		}
	}
	// One request per commit: a server refuses a whole request ("not our
	// ref") for one commit it no longer has.
	for _, h := range missing {
		if err := u.fetchCommit(ctx, h); err != nil {
			if ctx.Err() != nil {
				return u.missing(need), upstreamError(u.project, "fetch by SHA", err)
			}
			u.c.log.Debug("upstream refused a commit by SHA", "project", RedactURL(u.project), "commit", h.String(), "err", redact.RedactError(err))
		}
	}
	return u.missing(need), nil
}

func (u *upstreamRepo) missing(need []plumbing.Hash) []plumbing.Hash {
	var out []plumbing.Hash
	for _, h := range need {
		if !h.IsZero() && !hasObject(u.st, h) {
			out = append(out, h)
		}
	}
	return out
}

// fetchRef brings ref up to date with the upstream and records it
// locally, so later fetches send it as a "have". A ref the upstream no
// longer advertises is not an error (the commits may still be had by SHA).
func (u *upstreamRepo) fetchRef(ctx context.Context, ref string) error {
	return retry.Retry(ctx, *u.c.opts.Retry, func(ctx context.Context) error {
		fs, err := openFetch(ctx, u.ep, u.c.uploadPackLimits())
		if err != nil {
			return err
		}
		defer fs.Close()
		name, tip, ok := fs.refTip(ref)
		if !ok {
			return nil
		}
		if !hasObject(u.st, tip) {
			haves, err := localHaves(u.st)
			if err != nil {
				return retry.Permanent(err)
			}
			if err := fs.fetch(ctx, u.st, []plumbing.Hash{tip}, haves, u.c.fetchLimits()); err != nil {
				return err
			}
		}
		return u.st.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), tip))
	})
}

// fetchCommit asks for a commit by SHA (with its history). It is then
// recorded under refs/updater/sha/ so that later fetches count it as a
// "have".
func (u *upstreamRepo) fetchCommit(ctx context.Context, commit plumbing.Hash) error {
	return retry.Retry(ctx, *u.c.opts.Retry, func(ctx context.Context) error {
		fs, err := openFetch(ctx, u.ep, u.c.uploadPackLimits())
		if err != nil {
			return err
		}
		defer fs.Close()
		haves, err := localHaves(u.st)
		if err != nil {
			return retry.Permanent(err)
		}
		if err := fs.fetch(ctx, u.st, []plumbing.Hash{commit}, haves, u.c.fetchLimits()); err != nil {
			return err
		}
		if !hasObject(u.st, commit) {
			return nil
		}
		name := plumbing.ReferenceName("refs/updater/sha/" + commit.String())
		return u.st.SetReference(plumbing.NewHashReference(name, commit))
	})
}

func (c *Cache) uploadPackLimits() uploadPackLimits {
	return uploadPackLimits{advertisement: c.opts.List.withDefaults().MaxBytes, pack: c.opts.MaxPackBytes}
}

func (c *Cache) fetchLimits() fetchLimits {
	return fetchLimits{maxPackBytes: c.opts.MaxPackBytes, maxBlobBytes: max(c.opts.MaxBlobBytes, 0)}
}

// parseCommitArg validates a commit SHA given by a caller (from the
// registry or the command line).
func parseCommitArg(what, sha string) (plumbing.Hash, error) {
	if !valid.FullSHA(sha) {
		return plumbing.ZeroHash, fmt.Errorf("%s %q is not a full 40-hex commit SHA", what, printableText(sha, 80))
	}
	return plumbing.NewHash(strings.ToLower(sha)), nil
}
