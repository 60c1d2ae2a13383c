package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitproto "github.com/go-git/go-git/v5/plumbing/transport/git"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// This file opens git-upload-pack sessions to upstream repositories: the
// one place that decides which URLs may be contacted and how much a remote
// may send. Ref listing (refs.go) and fetching into the cache (fetch.go)
// both go through it.

// maxUpstreamURLLen bounds a project URL from the registry; real ones are
// well under 200 characters.
const maxUpstreamURLLen = 2048

// ErrResponseTooLarge is returned when an upstream sends more than the
// configured cap (a huge ref advertisement, pack or error page).
var ErrResponseTooLarge = errors.New("upstream response exceeds the size cap")

// upstreamSchemes are the URL schemes upstreams may use. https is what
// real registries hold; http and git:// serve loopback test fixtures and
// self-hosted mirrors. file://, ssh:// and scp-like paths are refused: a
// registry entry must not make the bot read local paths or use its keys.
var upstreamSchemes = map[string]bool{"https": true, "http": true, "git": true}

// parseUpstream validates a project URL from the registry and returns the
// go-git endpoint for it. Errors never repeat credentials.
func parseUpstream(raw string) (*transport.Endpoint, error) {
	if raw == "" {
		return nil, errors.New("empty upstream URL")
	}
	if len(raw) > maxUpstreamURLLen {
		return nil, fmt.Errorf("upstream URL longer than %d bytes", maxUpstreamURLLen)
	}
	for _, r := range raw {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return nil, fmt.Errorf("upstream URL %q contains a control or space character", RedactURL(raw))
		}
	}
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("upstream %q is not a URL: local paths and scp-like addresses are not allowed", RedactURL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input; say it ourselves, redacted.
		return nil, fmt.Errorf("upstream URL %q does not parse", RedactURL(raw))
	}
	scheme := strings.ToLower(u.Scheme)
	if !upstreamSchemes[scheme] {
		return nil, fmt.Errorf("upstream URL %q: scheme %q is not allowed (https, http or git)", RedactURL(raw), u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return nil, fmt.Errorf("upstream URL %q has no host", RedactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("upstream URL %q must not have a query or fragment", RedactURL(raw))
	}
	if strings.Trim(u.Path, "/") == "" {
		return nil, fmt.Errorf("upstream URL %q has no repository path", RedactURL(raw))
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream URL %q: %w", RedactURL(raw), RedactError(err))
	}
	return ep, nil
}

// RedactURL returns raw with any userinfo removed entirely (url.Redacted
// would keep the user name, which is where tokens usually sit), then
// passes it through Redact.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// Not a URL (scp-like "user:pass@host:path"): drop what precedes
		// an "@" that comes before any "/".
		if at := strings.Index(raw, "@"); at >= 0 && !strings.Contains(raw[:at], "/") {
			raw = "***" + raw[at:]
		}
		return Redact(raw)
	}
	if u.User == nil {
		return Redact(raw)
	}
	u.User = nil
	return Redact(u.String())
}

// cappedReader fails a read once more than left bytes came through, so
// a hostile server cannot make go-git buffer an endless advertisement,
// pack or error page (go-git reads error bodies whole).
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1] // one byte more, to tell "exactly the cap" from "more"
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), ErrResponseTooLarge
	}
	return n, err
}

// cappedBody is an HTTP response body behind a cappedReader.
type cappedBody struct {
	cappedReader
	io.Closer
}

// maxErrorBody caps an HTTP error page an upstream sends.
const maxErrorBody = 64 << 10

// uploadPackLimits caps what one session may receive over http(s): the
// ref advertisement (the GET) and the pack (the POST) separately. Zero
// means no cap.
type uploadPackLimits struct {
	advertisement int64
	pack          int64
}

// cappedTransport wraps every response body in a cappedBody.
type cappedTransport struct {
	base   http.RoundTripper
	limits uploadPackLimits
}

func (t *cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	limit := t.limits.pack
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// go-git reads error bodies whole into the message.
		limit = maxErrorBody
	case req.Method == http.MethodGet:
		limit = t.limits.advertisement
	}
	if limit > 0 {
		resp.Body = &cappedBody{cappedReader{r: resp.Body, left: limit}, resp.Body}
	}
	return resp, nil
}

// sharedUpstreamTransport pools connections across all upstream calls, so
// a pass over hundreds of repositories on one host (github.com) reuses
// them.
var sharedUpstreamTransport = sync.OnceValue(func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return t
})

// maxUpstreamRedirects bounds a redirect chain (git allows 20; hosts that
// redirect renamed repositories need one).
const maxUpstreamRedirects = 5

// checkUpstreamRedirect lets an upstream redirect within its own host
// (never from https down to http), or to another host by name over https
// (GitHub's renamed repositories, mirrors). A redirect to an IP literal or
// to plain http on another host is refused: a registry entry must not
// turn the bot into a probe of its own network, whose answers would end
// up in error messages. go-git applies its own redirect policy as well.
func checkUpstreamRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxUpstreamRedirects {
		return fmt.Errorf("more than %d redirects", maxUpstreamRedirects)
	}
	prev, next := via[len(via)-1].URL, req.URL
	if next.Scheme != "https" && prev.Scheme == "https" {
		return fmt.Errorf("redirect from https to %s refused", next.Scheme)
	}
	if strings.EqualFold(next.Host, prev.Host) {
		return nil
	}
	if next.Scheme != "https" || net.ParseIP(strings.Trim(next.Hostname(), "[]")) != nil {
		return fmt.Errorf("redirect to another host (%s) refused: only https to a host name is followed", RedactURL(next.Scheme+"://"+next.Host))
	}
	return nil
}

// openUploadPack opens an upload-pack session. Over http(s) response
// bodies are capped as limits say. For git://, go-git
// dials without a context, so the dial runs aside and ctx abandons it;
// the connection is closed when the dial eventually returns. git://
// transfers are bounded by time (ctx) only: go-git does not expose the
// connection to cap it.
func openUploadPack(ctx context.Context, ep *transport.Endpoint, limits uploadPackLimits) (transport.UploadPackSession, error) {
	switch ep.Protocol {
	case "http", "https":
		client := &http.Client{
			Transport:     &cappedTransport{base: sharedUpstreamTransport(), limits: limits},
			CheckRedirect: checkUpstreamRedirect,
		}
		return githttp.NewClient(client).NewUploadPackSession(ep, nil)
	case "git":
		type result struct {
			s   transport.UploadPackSession
			err error
		}
		done := make(chan result, 1)
		go func() {
			s, err := gitproto.DefaultClient.NewUploadPackSession(ep, nil)
			done <- result{s, err}
		}()
		select {
		case r := <-done:
			return r.s, r.err
		case <-ctx.Done():
			go func() {
				if r := <-done; r.s != nil {
					r.s.Close()
				}
			}()
			return nil, ctx.Err()
		}
	default:
		return nil, fmt.Errorf("scheme %q is not allowed", ep.Protocol)
	}
}
