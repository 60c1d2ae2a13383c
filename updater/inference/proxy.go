// Package inference is the key-injecting reverse proxy an agent reviewer
// reaches its model through. It runs in the bot, outside the sandbox, and
// is reachable inside only through the unix socket the sandbox binds in:
// the agent holds a placeholder key, the proxy replaces it with the real
// one, forwards only to the configured API host and only its model
// endpoints, and caps requests, bytes and time per review.
//
// It is a trust boundary of its own: it holds the inference key, so it
// must not import the review, the sandbox or the bot's GitHub code, and
// nothing it returns (Usage, errors) may contain the key.
package inference

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcp-registry/updater/updater/agentbox"
)

// Paths are the only endpoints forwarded: Anthropic Messages, OpenAI
// Responses and Chat Completions.
var Paths = []string{"/v1/messages", "/v1/responses", "/v1/chat/completions"}

// DefaultUpstream is the API the proxy forwards to unless configured.
const DefaultUpstream = "https://api.anthropic.com"

// PlaceholderKey is the key the agent is given: any value works, the
// proxy replaces it.
const PlaceholderKey = agentbox.PlaceholderKey

// Defaults per review.
const (
	DefaultMaxRequests = 300
	DefaultMaxBytes    = 256 << 20
)

// Config is one review's proxy.
type Config struct {
	// Upstream is the API's scheme and host (a path is ignored).
	Upstream *url.URL
	// Key is the real API key, injected as x-api-key for /v1/messages and
	// as a bearer token for the OpenAI endpoints.
	Key string
	// MaxRequests, MaxBytes (request and response bodies together) and
	// MaxDuration (from Serve) cap the review; 0 means the default (for
	// MaxDuration: no cap beyond the review's own timeout).
	MaxRequests int
	MaxBytes    int64
	MaxDuration time.Duration
	// Transport reaches the upstream; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// ParseUpstream checks an --inference-upstream value: http(s), a host,
// no credentials, no query.
func ParseUpstream(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("inference upstream: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("inference upstream %q: want https://host[:port]", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// Proxy serves one review.
type Proxy struct {
	cfg      Config
	srv      *http.Server
	rp       *httputil.ReverseProxy
	start    time.Time
	deadline time.Time
	done     chan struct{}

	mu    sync.Mutex
	usage agentbox.Usage
}

// Serve starts the proxy on ln (a unix socket, or loopback TCP for an
// unsandboxed agent). Close stops it and returns the usage.
func Serve(cfg Config, ln net.Listener) (*Proxy, error) {
	if cfg.Upstream == nil || cfg.Upstream.Host == "" {
		return nil, errors.New("inference proxy: no upstream")
	}
	if cfg.Key == "" {
		return nil, errors.New("inference proxy: no key (set UPDATER_INFERENCE_KEY or --inference-key-file)")
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	p := &Proxy{cfg: cfg, start: time.Now(), done: make(chan struct{})}
	if cfg.MaxDuration > 0 {
		p.deadline = p.start.Add(cfg.MaxDuration)
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      cfg.Transport,
		ModifyResponse: p.countResponse,
		FlushInterval:  -1, // stream server-sent events as they come
		ErrorLog:       log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "inference proxy: upstream unavailable", http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// Serve makes a Config a review.InferenceProxy: it starts the proxy on ln
// and returns what stops it.
func (c Config) Serve(ln net.Listener) (stop func() agentbox.Usage, err error) {
	p, err := Serve(c, ln)
	if err != nil {
		return nil, err
	}
	return p.Close, nil
}

// Close stops the proxy, cutting requests in flight, and returns the usage.
func (p *Proxy) Close() agentbox.Usage {
	_ = p.srv.Close()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	p.usage.Duration = time.Since(p.start)
	return p.usage
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if reason, status := p.admit(r); reason != "" {
		http.Error(w, "inference proxy: "+reason, status)
		return
	}
	ctx := r.Context()
	if !p.deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, p.deadline)
		defer cancel()
	}
	r = r.WithContext(ctx)
	r.Body = &budgetReader{r: r.Body, p: p, sent: true}
	p.rp.ServeHTTP(w, r)
}

// admit counts a request against the caps, or says why it is refused.
func (p *Proxy) admit(r *http.Request) (string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	refuse := func(reason string, status int, capped string) (string, int) {
		p.usage.Refused++
		if capped != "" {
			p.usage.Capped = capped
		}
		return reason, status
	}
	switch {
	case r.Method != http.MethodPost:
		return refuse("only POST is forwarded", http.StatusMethodNotAllowed, "")
	case !slices.Contains(Paths, r.URL.Path) || r.URL.RawPath != "":
		return refuse("only "+strings.Join(Paths, ", ")+" are forwarded", http.StatusForbidden, "")
	case p.usage.Requests >= p.cfg.MaxRequests:
		return refuse(fmt.Sprintf("this review's %d requests are used up", p.cfg.MaxRequests), http.StatusTooManyRequests, "request")
	case p.usage.RequestBytes+p.usage.ResponseBytes >= p.cfg.MaxBytes:
		return refuse(fmt.Sprintf("this review's %d bytes are used up", p.cfg.MaxBytes), http.StatusTooManyRequests, "byte")
	case !p.deadline.IsZero() && time.Now().After(p.deadline):
		return refuse("this review's time is used up", http.StatusTooManyRequests, "time")
	}
	p.usage.Requests++
	return "", 0
}

// rewrite sends the request to the configured host only, with the real
// key in place of whatever the agent sent.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	out := pr.Out
	out.URL = &url.URL{Scheme: p.cfg.Upstream.Scheme, Host: p.cfg.Upstream.Host, Path: pr.In.URL.Path, RawQuery: pr.In.URL.RawQuery}
	out.Host = p.cfg.Upstream.Host
	for _, h := range []string{"Authorization", "X-Api-Key", "Cookie", "Proxy-Authorization", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		out.Header.Del(h)
	}
	if pr.In.URL.Path == "/v1/messages" {
		out.Header.Set("X-Api-Key", p.cfg.Key)
	} else {
		out.Header.Set("Authorization", "Bearer "+p.cfg.Key)
	}
}

func (p *Proxy) countResponse(resp *http.Response) error {
	resp.Body = &budgetReader{r: resp.Body, p: p}
	return nil
}

// budgetReader counts a body against the review's byte cap and fails
// once the cap is passed.
type budgetReader struct {
	r    io.ReadCloser
	p    *Proxy
	sent bool
}

var errBudget = errors.New("inference proxy: this review's byte budget is used up")

func (b *budgetReader) Read(buf []byte) (int, error) {
	n, err := b.r.Read(buf)
	p := b.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if b.sent {
		p.usage.RequestBytes += int64(n)
	} else {
		p.usage.ResponseBytes += int64(n)
	}
	if p.usage.RequestBytes+p.usage.ResponseBytes > p.cfg.MaxBytes {
		p.usage.Capped = "byte"
		return n, errBudget
	}
	return n, err
}

func (b *budgetReader) Close() error { return b.r.Close() }
