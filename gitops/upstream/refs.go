package upstream

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Refs is what an upstream advertises.
type Refs struct {
	// Head is the ref the upstream's HEAD points at (its default branch),
	// e.g. "refs/heads/master"; "" when the server does not advertise it.
	Head string
	// Refs maps every advertised ref's full name to a commit. Annotated
	// tags are peeled: refs/tags/v1 maps to the commit, not the tag object.
	Refs map[string]string
}

// ListOptions bounds one ref listing.
type ListOptions struct {
	// Timeout bounds the whole call (0: DefaultListTimeout). ctx may end
	// it earlier.
	Timeout time.Duration
	// MaxBytes caps the advertisement over http(s) (0:
	// DefaultMaxAdvertisementBytes). 20,000 refs are about 1.2 MB.
	MaxBytes int64
	// MaxRefs caps the number of refs kept (0: DefaultMaxRefs).
	MaxRefs int
}

// Defaults for ListOptions.
const (
	DefaultListTimeout           = 30 * time.Second
	DefaultMaxAdvertisementBytes = 64 << 20
	DefaultMaxRefs               = 500_000
)

func (o ListOptions) withDefaults() ListOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultListTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxAdvertisementBytes
	}
	if o.MaxRefs <= 0 {
		o.MaxRefs = DefaultMaxRefs
	}
	return o
}

// ListRefs lists the refs an upstream advertises (git ls-remote --symref),
// in one attempt; Resolver adds retries. url is https, http or git://.
// Errors are *UpstreamError naming url without credentials.
func ListRefs(ctx context.Context, url string, opts ListOptions) (*Refs, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	ep, err := parseUpstream(url)
	if err != nil {
		return nil, err
	}
	ar, err := advertisedRefs(ctx, ep, opts.MaxBytes)
	if err != nil {
		return nil, upstreamError(url, "list refs", err)
	}
	refs, err := refsFromAdvertisement(ar, opts.MaxRefs)
	if err != nil {
		return nil, upstreamError(url, "list refs", err)
	}
	return refs, nil
}

// advertisedRefs opens a session, reads the advertisement and closes.
// It drives the upload-pack session itself rather than Remote.List: that
// gives the peeled values and the symref capability as the server sent
// them, without copying 20,000 refs into a memory storer and without
// go-git's guess of HEAD from matching hashes. git:// has its own reader
// (gitDaemonAdvertisement).
func advertisedRefs(ctx context.Context, ep *transport.Endpoint, maxBytes int64) (*packp.AdvRefs, error) {
	if ep.Protocol == "git" {
		return gitDaemonAdvertisement(ctx, ep, maxBytes)
	}
	sess, err := openUploadPack(ctx, ep, uploadPackLimits{advertisement: maxBytes})
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	return sess.AdvertisedReferencesContext(ctx)
}

// refsFromAdvertisement turns go-git's advertisement into Refs: hashes
// for every ref, peeled values replacing tag objects, and HEAD's target
// from the symref capability only. go-git guesses HEAD from matching
// hashes when the capability is missing; a guess could pick the wrong
// branch, so no capability means Head "".
func refsFromAdvertisement(ar *packp.AdvRefs, maxRefs int) (*Refs, error) {
	if len(ar.References) > maxRefs {
		return nil, fmt.Errorf("upstream advertises %d refs, more than the cap of %d", len(ar.References), maxRefs)
	}
	out := &Refs{Refs: make(map[string]string, len(ar.References))}
	for name, h := range ar.References {
		if !validAdvertisedName(name) {
			continue
		}
		out.Refs[name] = h.String()
	}
	for name, h := range ar.Peeled {
		if _, ok := out.Refs[name]; ok {
			out.Refs[name] = h.String()
		}
	}
	out.Head = advertisedHead(ar)
	return out, nil
}

// advertisedHead is the target of the HEAD symref capability, "" when
// the server does not send one.
func advertisedHead(ar *packp.AdvRefs) string {
	for _, v := range ar.Capabilities.Get(capability.SymRef) {
		from, to, ok := strings.Cut(v, ":")
		if ok && from == "HEAD" && validAdvertisedName(to) {
			return to
		}
	}
	return ""
}

// validAdvertisedName keeps what a well-behaved server sends; a hostile
// one could advertise names that are no refs at all. It checks the rules
// that matter for a name we may echo or ask for (git's full check,
// ReferenceName.Validate, costs a regexp per component: a quarter of the
// CPU of listing 20,000 refs).
func validAdvertisedName(name string) bool {
	if len(name) > maxRefNameLen || !strings.HasPrefix(name, "refs/") || strings.Contains(name, "..") || strings.HasSuffix(name, "/") {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c < 0x20, c == 0x7f, c == ' ', c == '~', c == '^', c == ':', c == '?', c == '*', c == '[', c == '\\':
			return false
		}
	}
	return true
}

// maxRefNameLen bounds an advertised ref name (git itself allows about
// 4 KiB in a pkt-line).
const maxRefNameLen = 1024
