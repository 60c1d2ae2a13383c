package inference

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const realKey = "sk-ant-real-KEY-never-inside-0123456789"

// upstream is a fake model API that records what reached it.
type upstream struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	srv      *httptest.Server
}

func newUpstream(t *testing.T, reply string) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.requests = append(u.requests, r.Clone(r.Context()))
		u.bodies = append(u.bodies, string(b))
		u.mu.Unlock()
		io.WriteString(w, reply)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) seen() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.requests...)
}

func startProxy(t *testing.T, up *upstream, edit func(*Config)) (*Proxy, string) {
	t.Helper()
	target, err := ParseUpstream(up.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Upstream: target, Key: realKey}
	if edit != nil {
		edit(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Serve(cfg, ln)
	if err != nil {
		t.Fatal(err)
	}
	return p, "http://" + ln.Addr().String()
}

func post(t *testing.T, base, path, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestProxyInjectsTheKeyPerAPI(t *testing.T) {
	up := newUpstream(t, `{"ok":true}`)
	p, base := startProxy(t, up, nil)
	hdr := map[string]string{"X-Api-Key": PlaceholderKey, "Authorization": "Bearer " + PlaceholderKey, "Cookie": "a=b", "Anthropic-Version": "2023-06-01"}
	for _, path := range []string{"/v1/messages?beta=true", "/v1/responses", "/v1/chat/completions"} {
		if code, body := post(t, base, path, `{"model":"m"}`, hdr); code != 200 || body != `{"ok":true}` {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	got := up.seen()
	if len(got) != 3 {
		t.Fatalf("%d requests reached the upstream, want 3", len(got))
	}
	if k := got[0].Header.Get("X-Api-Key"); k != realKey || got[0].Header.Get("Authorization") != "" || got[0].URL.RawQuery != "beta=true" {
		t.Errorf("messages: x-api-key %q authorization %q query %q", k, got[0].Header.Get("Authorization"), got[0].URL.RawQuery)
	}
	if got[0].Header.Get("Anthropic-Version") != "2023-06-01" {
		t.Error("the API's own headers were not passed on")
	}
	for _, r := range got[1:] {
		if a := r.Header.Get("Authorization"); a != "Bearer "+realKey || r.Header.Get("X-Api-Key") != "" {
			t.Errorf("%s: authorization %q x-api-key %q", r.URL.Path, a, r.Header.Get("X-Api-Key"))
		}
	}
	for _, r := range got {
		if r.Header.Get("Cookie") != "" || strings.Contains(r.Header.Get("X-Api-Key")+r.Header.Get("Authorization"), PlaceholderKey) {
			t.Errorf("%s: agent credentials passed on", r.URL.Path)
		}
	}
	u := p.Close()
	if u.Requests != 3 || u.RequestBytes != 3*int64(len(`{"model":"m"}`)) || u.ResponseBytes != 3*int64(len(`{"ok":true}`)) || u.Refused != 0 {
		t.Errorf("usage %+v", u)
	}
	if strings.Contains(u.String(), realKey) {
		t.Error("usage shows the key")
	}
}

// Only the model endpoints, by POST, reach the upstream; everything else
// is refused at the proxy.
func TestProxyForwardsOnlyTheModelEndpoints(t *testing.T) {
	up := newUpstream(t, "{}")
	p, base := startProxy(t, up, nil)
	for _, path := range []string{"/v1/models", "/v1/files", "/v1/messages/batches", "/v1/messages/../organizations", "/v1/%6Dessages",
		"/v1//messages", "/admin", "//evil.example/v1/messages", "/v1/messages/"} {
		if code, _ := post(t, base, path, "{}", nil); code != http.StatusForbidden && code != http.StatusNotFound && code != http.StatusBadRequest {
			t.Errorf("POST %s: %d", path, code)
		}
	}
	resp, err := http.Get(base + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if n := len(up.seen()); n != 0 {
		t.Errorf("%d refused requests reached the upstream: %v", n, up.seen()[0].URL)
	}
	if u := p.Close(); u.Refused == 0 || u.Requests != 0 {
		t.Errorf("usage %+v", u)
	}
}

func TestProxyCapsRequestsBytesAndTime(t *testing.T) {
	up := newUpstream(t, strings.Repeat("r", 100))
	p, base := startProxy(t, up, func(c *Config) { c.MaxRequests = 2 })
	for i, want := range []int{200, 200, http.StatusTooManyRequests} {
		if code, _ := post(t, base, "/v1/messages", "{}", nil); code != want {
			t.Errorf("request %d: %d, want %d", i, code, want)
		}
	}
	if u := p.Close(); u.Capped != "request" || u.Requests != 2 || u.Refused != 1 {
		t.Errorf("usage %+v", u)
	}

	p, base = startProxy(t, up, func(c *Config) { c.MaxBytes = 150 })
	post(t, base, "/v1/messages", "{}", nil)
	code, _ := post(t, base, "/v1/messages", "{}", nil)
	code3, _ := post(t, base, "/v1/messages", "{}", nil)
	if code == 200 && code3 == 200 {
		t.Errorf("past the byte cap: %d %d", code, code3)
	}
	if u := p.Close(); u.Capped != "byte" {
		t.Errorf("usage %+v", u)
	}

	before := len(up.seen())
	p, base = startProxy(t, up, func(c *Config) { c.MaxDuration = time.Nanosecond })
	time.Sleep(time.Millisecond)
	if code, _ := post(t, base, "/v1/messages", "{}", nil); code != http.StatusTooManyRequests {
		t.Errorf("past the time cap: %d", code)
	}
	if u := p.Close(); u.Capped != "time" || len(up.seen()) != before {
		t.Errorf("usage %+v, upstream saw %d", u, len(up.seen()))
	}
}

func TestParseUpstream(t *testing.T) {
	for _, bad := range []string{"", "api.anthropic.com", "ftp://x", "https://user:pw@x", "https://x/?a=b", "https://"} {
		if _, err := ParseUpstream(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	u, err := ParseUpstream("https://api.openai.com/v1")
	if err != nil || u.String() != "https://api.openai.com" {
		t.Errorf("%v %v", u, err)
	}
	if _, err := Serve(Config{Upstream: &url.URL{Scheme: "https", Host: "x"}}, nil); err == nil || !strings.Contains(err.Error(), "UPDATER_INFERENCE_KEY") {
		t.Errorf("no key: %v", err)
	}
}
