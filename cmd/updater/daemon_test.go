package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/mcp-registry/updater/registry/registrytest"
)

// runningDaemon is `updater daemon` started in-process.
type runningDaemon struct {
	t              *testing.T
	cancel         context.CancelFunc // the SIGTERM of main's signal.NotifyContext
	stdout, stderr *registrytest.LockedBuffer
	exit           chan int
}

func startDaemon(t *testing.T, env map[string]string, args ...string) *runningDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &runningDaemon{t: t, cancel: cancel, stdout: &registrytest.LockedBuffer{}, stderr: &registrytest.LockedBuffer{}, exit: make(chan int, 1)}
	go func() {
		d.exit <- run(ctx, append([]string{"daemon", "--log-format", "json"}, args...), func(k string) string { return env[k] }, d.stdout, d.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.exit:
		case <-time.After(30 * time.Second):
			t.Error("the daemon did not stop")
		}
	})
	return d
}

// stop sends the shutdown signal and returns the exit code.
func (d *runningDaemon) stop() int {
	d.t.Helper()
	d.cancel()
	return d.wait()
}

// wait returns the exit code once the daemon exits.
func (d *runningDaemon) wait() int {
	d.t.Helper()
	select {
	case code := <-d.exit:
		d.exit <- code // for Cleanup
		return code
	case <-time.After(30 * time.Second):
		d.t.Fatalf("the daemon did not exit after the signal\nstderr:\n%s", d.stderr)
		return 0
	}
}

// logged returns the first JSON log line with message msg, waiting for
// it to appear.
func (d *runningDaemon) logged(msg string) map[string]any {
	d.t.Helper()
	line, ok := d.awaitLog(msg)
	if !ok {
		d.t.Fatalf("no log line %q\nstderr:\n%s", msg, d.stderr)
	}
	return line
}

// awaitLog waits for a log line; safe off the test's goroutine.
func (d *runningDaemon) awaitLog(msg string) (map[string]any, bool) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if line, ok := findLogLine(d.stderr.String(), msg); ok {
			return line, true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, false
}

func findLogLine(logs, msg string) (map[string]any, bool) {
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
			return line, true
		}
	}
	return nil, false
}

// addr is where the daemon serves /healthz and /metrics: it listens on
// 127.0.0.1:0 and logs the port it got.
func (d *runningDaemon) addr() string {
	d.t.Helper()
	addr, _ := d.logged("serving /healthz and /metrics")["addr"].(string)
	if addr == "" {
		d.t.Fatal("the daemon logged no address")
	}
	return addr
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// scrapeMetrics reads /metrics as Prometheus would and flattens it to
// "name{label=value}" -> value (counters, gauges; histograms as _count).
func scrapeMetrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	code, body := httpGet(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := name
			if lps := m.GetLabel(); len(lps) > 0 {
				var parts []string
				for _, lp := range lps {
					parts = append(parts, lp.GetName()+"="+lp.GetValue())
				}
				key += "{" + strings.Join(parts, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

type healthBody struct {
	Status    string `json:"status"`
	Scheduler bool   `json:"scheduler_running"`
	LastPass  *struct {
		Finished time.Time `json:"finished"`
		Outcome  string    `json:"outcome"`
		Summary  string    `json:"summary"`
	} `json:"last_pass"`
	NextRun *time.Time `json:"next_run"`
}

func getHealthz(t *testing.T, addr string) (int, healthBody) {
	t.Helper()
	code, body := httpGet(t, "http://"+addr+"/healthz")
	var h healthBody
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz body: %v\n%s", err, body)
	}
	return code, h
}

// TestDaemonServesHealthAndMetrics runs the daemon through the command
// line on a one-second schedule against the GitHub emulator: it passes on
// schedule, opens the PRs, and /healthz and /metrics tell so.
func TestDaemonServesHealthAndMetrics(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0, "charlie": -1}, 2)
	d := startDaemon(t, f.env, "--schedule", "@every 1s", "--listen", "127.0.0.1:0",
		"--registry", f.checkout(), "--cache-dir", f.cache, "--write-pause", "0")
	addr := d.addr()

	code, h := getHealthz(t, addr)
	if code != http.StatusOK || h.Status != "ok" || !h.Scheduler || h.NextRun == nil {
		t.Errorf("/healthz before the first pass: %d %+v", code, h)
	}

	var m map[string]float64
	deadline := time.Now().Add(60 * time.Second)
	for {
		m = scrapeMetrics(t, addr)
		if m[`updater_passes_total{outcome=ok}`] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pass finished\nmetrics: %v\nstderr:\n%s", m, d.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for key, want := range map[string]float64{
		`updater_servers{decision=bump}`:                2,
		`updater_servers{decision=up-to-date}`:          1,
		`updater_servers{decision=error}`:               0,
		`updater_pull_requests_total{action=opened}`:    2,
		`updater_server_errors_total`:                   0,
		`updater_passes_total{outcome=panic}`:           0,
		`updater_passes_total{outcome=error}`:           0,
		`updater_pass_duration_seconds_count`:           m[`updater_passes_total{outcome=ok}`],
		`updater_last_completed_pass_timestamp_seconds`: m[`updater_last_pass_timestamp_seconds`],
	} {
		if got, ok := m[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	// "@every 1s": the next run is at most a second or two away.
	if next, now := m[`updater_next_run_timestamp_seconds`], float64(time.Now().Unix()); next < now-1 || next > now+2 {
		t.Errorf("updater_next_run_timestamp_seconds = %v, now %v", next, now)
	}
	if open := f.openPRs(); len(open) != 2 {
		t.Errorf("%d open PRs, want 2 (alpha, bravo)", len(open))
	}

	code, h = getHealthz(t, addr)
	if code != http.StatusOK || h.LastPass == nil || h.LastPass.Outcome != "ok" ||
		!strings.Contains(h.LastPass.Summary, "3 servers") || time.Since(h.LastPass.Finished) > time.Minute {
		t.Errorf("/healthz after a pass: %d %+v", code, h.LastPass)
	}

	if code := d.stop(); code != exitOK {
		t.Errorf("exit %d after the signal, want 0\nstderr:\n%s", code, d.stderr)
	}
	if out := d.stdout.String() + d.stderr.String(); strings.Contains(out, f.gh.Token) {
		t.Error("the token appeared in the daemon's output")
	}
	if _, ok := findLogLine(d.stderr.String(), "daemon stopped"); !ok {
		t.Errorf("no clean stop logged:\n%s", d.stderr)
	}
}

// TestDaemonSignalMidPass sends the shutdown signal while the pass pushes
// its first branch: that server's write completes (branch and PR), no
// other server is started, and no bot branch is left without its PR. The
// next pass converges.
func TestDaemonSignalMidPass(t *testing.T) {
	names := map[string]int{"one": 0, "two": 0, "three": 0, "four": 0}
	f := newRegistryFixture(t, names, 2)
	started := make(chan *runningDaemon, 1)
	var once sync.Once
	f.gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			once.Do(func() {
				d := <-started
				d.cancel()
				// Let the push through only once the daemon has told the
				// pass to stop, so the signal is surely mid-write.
				if _, ok := d.awaitLog("shutting down: no new servers will be started; waiting for the write in flight"); !ok {
					t.Error("the daemon did not log its shutdown")
				}
			})
		}
		return false
	})
	d := startDaemon(t, f.env, "--run-on-start", "--registry", f.checkout(), "--cache-dir", f.cache,
		"--write-pause", "0", "--json", "--shutdown-timeout", "1m")
	started <- d
	if code := d.wait(); code != exitOK {
		t.Fatalf("exit %d after the signal, want 0\nstderr:\n%s", code, d.stderr)
	}
	f.gh.SetFault(nil)

	var branches []string
	for _, b := range f.gh.Branches() {
		if strings.HasPrefix(b, "updater/pin-") {
			branches = append(branches, b)
		}
	}
	open := f.openPRs()
	if len(branches) != 1 || len(open) != 1 {
		t.Fatalf("after the signal: bot branches %v, open PRs %d; want exactly the one in flight, with its PR\nstderr:\n%s", branches, len(open), d.stderr)
	}
	for _, b := range branches {
		if _, ok := open[strings.TrimPrefix(b, "updater/pin-")]; !ok {
			t.Errorf("branch %s has no PR", b)
		}
	}
	if line, ok := findLogLine(d.stderr.String(), "pass finished"); !ok || line["outcome"] != "interrupted" {
		t.Errorf("pass outcome %v, want interrupted", line["outcome"])
	}

	// The next pass picks up the servers the signal left.
	f.pass(exitOK)
	if open := f.openPRs(); len(open) != len(names) {
		t.Errorf("after the next pass: %d open PRs, want %d", len(open), len(names))
	}
}

// TestDaemonBadConfig: the daemon's own flags are checked before anything
// starts, as usage errors.
func TestDaemonBadConfig(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--schedule", "nightly"}, "--schedule"},
		{[]string{"--schedule", "0 17 3 * * *"}, "--schedule"},
		{[]string{"--tz", "Mars/Olympus_Mons"}, "--tz"},
		{[]string{"--listen", "127.0.0.1:http-alt-nonsense"}, "--listen"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"daemon", "--dry-run", "--registry", t.TempDir()}, tc.args...)
			code, _, stderr := cli(context.Background(), nil, args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d naming %s", code, stderr, exitUsage, tc.want)
			}
		})
	}
}
