package upstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/transport"
	gitproto "github.com/go-git/go-git/v5/plumbing/transport/git"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/mcp-registry/updater/gitops/internal/redact"
	"github.com/mcp-registry/updater/gitops/internal/retry"
	"github.com/mcp-registry/updater/registry/valid"
)

// This file opens git-upload-pack sessions to upstream repositories: the
// one place that decides which URLs may be contacted and how much a remote
// may send. Ref listing (refs.go) and fetching into the cache (fetch.go)
// both go through it.

// ErrResponseTooLarge is returned when an upstream sends more than the
// configured cap (a huge ref advertisement, pack or error page). It is
// declared by the retry package, which never retries it.
var ErrResponseTooLarge = retry.ErrResponseTooLarge

// parseUpstream validates a project URL from the registry by the one
// rule (valid.RepoURL, which registry validation applies too) and returns
// the go-git endpoint for it. Errors never repeat credentials.
func parseUpstream(raw string) (*transport.Endpoint, error) {
	if err := valid.RepoURL(raw); err != nil {
		return nil, fmt.Errorf("upstream URL %q %w", RedactURL(raw), err)
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream URL %q: %w", RedactURL(raw), redact.RedactError(err))
	}
	return ep, nil
}

// RedactURL returns raw fit for an error or log line: valid.RedactURL's
// cut (credentials, query and fragment), then every registered secret.
func RedactURL(raw string) string { return redact.Redact(valid.RedactURL(raw)) }

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
// fetches are bounded by time (ctx) only: go-git does not expose the
// connection to cap it. (Ref listings over git:// do not come here: see
// gitDaemonAdvertisement.)
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

// gitDaemonAdvertisement reads a git:// server's ref advertisement and
// ends the session, without go-git's session. That one dials without a
// context, cannot cap what the server sends, and reads the connection
// unbuffered through a goroutine per read, two reads per ref: listing
// 20,000 refs took 0.5 s of CPU and 300,000 allocations, 3.5 times the
// same listing over smart HTTP. Here the dial and every read honour ctx,
// the advertisement is capped at maxBytes, and reads are buffered.
func gitDaemonAdvertisement(ctx context.Context, ep *transport.Endpoint, maxBytes int64) (*packp.AdvRefs, error) {
	port := ep.Port
	if port <= 0 {
		port = gitproto.DefaultPort
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ep.Host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// When ctx ends (cancelled or past its deadline), a deadline in the
	// past unblocks the read or write in progress; ctx.Err() is set by
	// then, so the error names the context.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	host := ep.Host
	if port != gitproto.DefaultPort {
		host = net.JoinHostPort(ep.Host, strconv.Itoa(port))
	}
	req := packp.GitProtoRequest{RequestCommand: transport.UploadPackServiceName, Pathname: ep.Path, Host: host}
	if err := req.Encode(conn); err != nil {
		return nil, withContextError(ctx, err)
	}
	ar := packp.NewAdvRefs()
	if err := ar.Decode(bufio.NewReader(&cappedReader{r: conn, left: maxBytes})); err != nil {
		return nil, gitDaemonError(ctx, err)
	}
	if ar.IsEmpty() {
		return nil, transport.ErrEmptyRemoteRepository
	}
	// A flush instead of a request: "nothing wanted", so the server's
	// upload-pack ends cleanly rather than on a broken connection.
	_, _ = conn.Write(pktline.FlushPkt)
	return ar, nil
}

// gitDaemonError says what a failed advertisement read means. git daemon
// answers a missing (or unexported) repository with an "ERR" line where
// the advertisement should be.
func gitDaemonError(ctx context.Context, err error) error {
	var unexpected *packp.ErrUnexpectedData
	var errLine *pktline.ErrorLine
	var text string
	switch {
	case errors.Is(err, packp.ErrEmptyAdvRefs):
		return transport.ErrEmptyRemoteRepository
	case errors.Is(err, packp.ErrEmptyInput):
		return fmt.Errorf("server closed the connection without an advertisement: %w", io.ErrUnexpectedEOF)
	case errors.As(err, &errLine):
		text = errLine.Text
	case errors.As(err, &unexpected) && bytes.HasPrefix(unexpected.Data, []byte("ERR ")):
		text = string(unexpected.Data[len("ERR "):])
	default:
		return withContextError(ctx, err)
	}
	lower := strings.ToLower(text)
	for _, notFound := range []string{"no such repository", "not exported", "not found", "access denied"} {
		if strings.Contains(lower, notFound) {
			return fmt.Errorf("%w: %s", transport.ErrRepositoryNotFound, text)
		}
	}
	return fmt.Errorf("server error: %s", text)
}

// withContextError names ctx's end as the cause of an I/O error it
// provoked (the past deadline set on cancellation reads as a timeout).
func withContextError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}
