package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// This file is the cache's fetch: git-upload-pack driven directly rather
// than through Repository.Fetch, for three reasons. go-git's Fetch uses a
// process-wide HTTP client, so it could not cap response sizes per call;
// it needs refspecs, where the cache wants exact commits (the old pin
// after a force-push is fetched by SHA); and it writes remote-tracking
// refs the cache has no use for. Objects land in the pack store as git
// sends them, indexed by storePack within bounded memory; nothing is
// checked out and nothing is executed (go-git runs no hooks and no
// filters).

// fetchSession is one upload-pack conversation: the advertisement, then
// at most one pack.
type fetchSession struct {
	sess transport.UploadPackSession
	adv  *packp.AdvRefs
}

func openFetch(ctx context.Context, ep *transport.Endpoint, limits uploadPackLimits) (*fetchSession, error) {
	sess, err := openUploadPack(ctx, ep, limits)
	if err != nil {
		return nil, err
	}
	adv, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		sess.Close()
		return nil, err
	}
	return &fetchSession{sess: sess, adv: adv}, nil
}

func (f *fetchSession) Close() error { return f.sess.Close() }

// refTip returns the advertised (unpeeled) value of ref. "HEAD" or ""
// means the default branch, returned by its full name.
func (f *fetchSession) refTip(ref string) (name string, tip plumbing.Hash, ok bool) {
	name = ref
	if ref == "" || ref == "HEAD" {
		if name = advertisedHead(f.adv); name == "" {
			return "", plumbing.ZeroHash, false
		}
	}
	tip, ok = f.adv.References[name]
	return name, tip, ok
}

// fetchLimits bounds one fetch.
type fetchLimits struct {
	maxPackBytes int64 // the whole pack (0: no cap)
	// maxBlobBytes asks servers that support partial clone (GitHub does)
	// to leave out larger blobs, so a hostile 500 MB file is never
	// downloaded; readers treat a missing blob as "too large" (0: no
	// filter).
	maxBlobBytes int64
}

// fetch asks for wants (with their full history) and stores the pack in
// st. haves are commits st already holds with their history; the server
// leaves out what they reach.
func (f *fetchSession) fetch(ctx context.Context, st *filesystem.Storage, wants, haves []plumbing.Hash, lim fetchLimits) (err error) {
	if len(wants) == 0 {
		return nil
	}
	req := packp.NewUploadPackRequestFromCapabilities(f.adv.Capabilities)
	if f.adv.Capabilities.Supports(capability.NoProgress) {
		if err := req.Capabilities.Set(capability.NoProgress); err != nil {
			return err
		}
	}
	if lim.maxBlobBytes > 0 && f.adv.Capabilities.Supports(capability.Filter) {
		if err := req.Capabilities.Set(capability.Filter); err != nil {
			return err
		}
		// blob:limit=n omits blobs of n bytes or more.
		req.Filter = packp.FilterBlobLimit(uint64(lim.maxBlobBytes)+1, packp.BlobLimitPrefixNone)
	}
	req.Wants = wants
	req.Haves = haves
	resp, err := f.sess.UploadPack(ctx, req)
	if err != nil {
		if errors.Is(err, transport.ErrEmptyUploadPackRequest) {
			return nil // everything wanted is already here
		}
		return err
	}
	defer func() {
		if cerr := resp.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	var pack io.Reader = resp
	switch {
	case req.Capabilities.Supports(capability.Sideband64k):
		pack = sideband.NewDemuxer(sideband.Sideband64k, resp)
	case req.Capabilities.Supports(capability.Sideband):
		pack = sideband.NewDemuxer(sideband.Sideband, resp)
	}
	if lim.maxPackBytes > 0 {
		pack = &cappedReader{r: pack, left: lim.maxPackBytes}
	}
	packDir := filepath.Join(st.Filesystem().Root(), "objects", "pack")
	if err := os.MkdirAll(packDir, 0o700); err != nil {
		return err
	}
	if err := storePack(ctx, packDir, pack, defaultPackIndexLimits); err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return fmt.Errorf("pack larger than %d bytes: %w", lim.maxPackBytes, err)
		}
		return err
	}
	// The store lists its packs once: the new one must be looked for.
	st.Reindex()
	return nil
}

// localHaves lists the commits the local refs point at: what the cache
// holds with full history, so the server can send only what is new.
func localHaves(st storage.Storer) ([]plumbing.Hash, error) {
	iter, err := st.IterReferences()
	if err != nil {
		return nil, err
	}
	seen := map[plumbing.Hash]bool{}
	var haves []plumbing.Hash
	err = iter.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference || seen[r.Hash()] {
			return nil
		}
		if hasObject(st, r.Hash()) {
			seen[r.Hash()] = true
			haves = append(haves, r.Hash())
		}
		return nil
	})
	return haves, err
}

func hasObject(st storer.EncodedObjectStorer, h plumbing.Hash) bool {
	return st.HasEncodedObject(h) == nil
}
