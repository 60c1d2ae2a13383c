package updater

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/mcp-registry/updater/registry/registrytest"
)

// testDaemon builds a daemon over a fake pass; its logs go to the
// returned buffer.
func testDaemon(t *testing.T, schedule string, pass func(ctx context.Context) (*Report, error)) (*daemon, *registrytest.LockedBuffer) {
	t.Helper()
	logs := &registrytest.LockedBuffer{}
	d, err := newDaemon(DaemonOptions{
		Pass:            Options{DryRun: true, Logger: slog.New(slog.NewJSONHandler(logs, nil))},
		Schedule:        schedule,
		ShutdownTimeout: 5 * time.Second,
		passFn:          pass,
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, logs
}

// serve runs the daemon until the test cancels it; wait returns its error.
func serve(t *testing.T, d *daemon) (cancel func(), wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.run(ctx) }()
	var once sync.Once
	var err error
	wait = func() error {
		once.Do(func() {
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				t.Fatal("the daemon did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { cancel(); wait() })
	return cancel, wait
}

// valueOf reads a counter or gauge.
func valueOf(m prometheus.Metric) float64 {
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		panic(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

func TestOutcomeOf(t *testing.T) {
	for _, tc := range []struct {
		err         error
		interrupted bool
		want        string
	}{
		{nil, false, outcomeOK},
		{ErrServersFailed, false, outcomeFailed},
		{fmt.Errorf("pass: %w", ErrServersFailed), false, outcomeFailed},
		{errors.New("listing the bot's pull requests: 502"), false, outcomeError},
		{nil, true, outcomeInterrupted},
		{context.Canceled, true, outcomeInterrupted},
		{&passPanic{value: "boom"}, false, outcomePanic},
		{&passPanic{value: "boom"}, true, outcomePanic},
	} {
		if got := outcomeOf(tc.err, tc.interrupted); got != tc.want {
			t.Errorf("outcomeOf(%v, %v) = %s, want %s", tc.err, tc.interrupted, got, tc.want)
		}
	}
}

// TestDaemonSkipsOverlappingTick drives the real scheduler every second
// with a pass that outlasts the first tick: the second tick is skipped
// and counted, and two passes never run at once.
func TestDaemonSkipsOverlappingTick(t *testing.T) {
	var running, maxRunning, calls atomic.Int32
	var d *daemon
	d, logs := testDaemon(t, "@every 1s", func(ctx context.Context) (*Report, error) {
		n := running.Add(1)
		defer running.Add(-1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		if calls.Add(1) == 1 {
			// Outlast the next tick: hold on until it has been skipped.
			deadline := time.Now().Add(5 * time.Second)
			for valueOf(d.metrics.skipped) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
		return &Report{}, nil
	})
	cancel, wait := serve(t, d)
	registrytest.Eventually(t, "the long pass finished", func() bool { return valueOf(d.metrics.passes.WithLabelValues(outcomeOK)) >= 1 })
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if got := valueOf(d.metrics.skipped); got < 1 {
		t.Errorf("skipped ticks = %v, want at least 1", got)
	}
	if m := maxRunning.Load(); m != 1 {
		t.Errorf("%d passes ran at once", m)
	}
	if !strings.Contains(logs.String(), "previous pass still running; skipping this tick") {
		t.Errorf("the skip was not logged:\n%s", logs)
	}
}

// TestTickSkipsWhilePassRuns is the same rule without a clock: ticks that
// come while a pass runs neither start a pass nor wait for one.
func TestTickSkipsWhilePassRuns(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	var calls atomic.Int32
	d, _ := testDaemon(t, "", func(ctx context.Context) (*Report, error) {
		calls.Add(1)
		close(started)
		<-release
		return &Report{}, nil
	})
	first := make(chan struct{})
	go func() { d.tick(); close(first) }()
	<-started
	for i := 0; i < 3; i++ {
		d.tick() // returns at once: skipped
	}
	if d.passRunning() != 1 {
		t.Error("updater_pass_running is not 1 during the pass")
	}
	close(release)
	<-first
	if n := calls.Load(); n != 1 {
		t.Errorf("%d passes ran, want 1", n)
	}
	if got := valueOf(d.metrics.skipped); got != 3 {
		t.Errorf("skipped ticks = %v, want 3", got)
	}
	if d.passRunning() != 0 {
		t.Error("updater_pass_running is not 0 after the pass")
	}
}

// TestPanickingPassIsRecovered: the panic is logged with its stack and
// counted, /healthz turns unhealthy, and the next pass runs and heals it.
func TestPanickingPassIsRecovered(t *testing.T) {
	var calls atomic.Int32
	d, logs := testDaemon(t, "", func(ctx context.Context) (*Report, error) {
		if calls.Add(1) == 1 {
			var m map[string]int
			m["boom"]++ // a real runtime panic, not a string
		}
		return &Report{}, nil
	})
	d.started = true
	d.tick()
	if got := valueOf(d.metrics.passes.WithLabelValues(outcomePanic)); got != 1 {
		t.Errorf("panics counted = %v, want 1", got)
	}
	h := d.health()
	if h.Status != "unhealthy" || h.LastPass == nil || h.LastPass.Outcome != outcomePanic || !strings.Contains(h.LastPass.Error, "nil map") {
		t.Errorf("health after the panic: %+v", h)
	}
	if !strings.Contains(logs.String(), "pass panicked; the daemon lives on") || !strings.Contains(logs.String(), "daemon_test.go") {
		t.Errorf("the panic was not logged with its stack:\n%s", logs)
	}
	d.tick()
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d passes ran, want 2", n)
	}
	if h := d.health(); h.Status != "ok" || h.LastPass.Outcome != outcomeOK {
		t.Errorf("health after the next pass: %+v", h)
	}
}

// TestShutdownLetsTheWriteInFlightFinish: on cancellation the pass sees
// its context cancelled (it stops starting servers) while the write it
// had begun runs to its end, and the daemon returns only after that.
func TestShutdownLetsTheWriteInFlightFinish(t *testing.T) {
	started := make(chan struct{})
	var wrote atomic.Bool
	d, logs := testDaemon(t, "", func(ctx context.Context) (*Report, error) {
		close(started)
		<-ctx.Done() // the shutdown signal reaches the pass
		time.Sleep(200 * time.Millisecond)
		wrote.Store(true) // the write in flight completes
		return &Report{Decisions: []Decision{{Server: "a", Action: ActionBump, PR: &PRResult{Outcome: "opened"}}}}, nil
	})
	d.opts.RunOnStart = true
	cancel, wait := serve(t, d)
	<-started
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("daemon: %v", err)
	}
	if !wrote.Load() {
		t.Fatal("the daemon returned before the write in flight finished")
	}
	h := d.health()
	if h.LastPass == nil || h.LastPass.Outcome != outcomeInterrupted || h.Scheduler || h.Status != "unhealthy" {
		t.Errorf("health after shutdown: %+v", h)
	}
	if got := valueOf(d.metrics.prs.WithLabelValues("opened")); got != 1 {
		t.Errorf("the interrupted pass's PR was not counted: %v", got)
	}
	if !strings.Contains(logs.String(), "no new servers will be started") {
		t.Errorf("shutdown not logged:\n%s", logs)
	}
	// No pass starts after shutdown.
	d.tick()
	if valueOf(d.metrics.passes.WithLabelValues(outcomeOK))+valueOf(d.metrics.passes.WithLabelValues(outcomeInterrupted)) != 1 {
		t.Error("a tick after shutdown ran a pass")
	}
}

// TestShutdownTimeout: a pass that ignores the signal cannot keep the
// process past --shutdown-timeout.
func TestShutdownTimeout(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	d, _ := testDaemon(t, "", func(ctx context.Context) (*Report, error) {
		close(started)
		<-release
		return nil, nil
	})
	d.opts.RunOnStart = true
	d.opts.ShutdownTimeout = 100 * time.Millisecond
	cancel, wait := serve(t, d)
	<-started
	begin := time.Now()
	cancel()
	err := wait()
	if err == nil || !strings.Contains(err.Error(), "--shutdown-timeout 100ms") {
		t.Fatalf("err = %v, want the shutdown timeout", err)
	}
	if took := time.Since(begin); took > 20*time.Second { // a hang guard, far above a loaded machine
		t.Errorf("shutdown took %s with a 100ms timeout", took)
	}
}

func TestHealthz(t *testing.T) {
	now := time.Date(2025, 3, 1, 3, 17, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		started  bool
		closing  bool
		last     *passRecord
		wantCode int
	}{
		{"before the first pass", true, false, nil, 200},
		{"last pass ok", true, false, &passRecord{Outcome: outcomeOK}, 200},
		{"some servers failed", true, false, &passRecord{Outcome: outcomeFailed, Summary: "3 servers: 1 error"}, 200},
		{"pass could not run", true, false, &passRecord{Outcome: outcomeError, Error: "GitHub: 401"}, 503},
		{"pass panicked", true, false, &passRecord{Outcome: outcomePanic, Error: "boom"}, 503},
		{"scheduler not started", false, false, nil, 503},
		{"shutting down", true, true, &passRecord{Outcome: outcomeOK}, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testDaemon(t, "", func(context.Context) (*Report, error) { return nil, nil })
			d.started, d.closing = tc.started, tc.closing
			if tc.last != nil {
				tc.last.Started, tc.last.Finished = now, now.Add(time.Minute)
				d.last = tc.last
			}
			if tc.started && !tc.closing {
				d.scheduler.Start()
				defer d.scheduler.Stop()
			}
			rec := httptest.NewRecorder()
			d.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tc.wantCode {
				t.Errorf("code %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			var body struct {
				Status    string      `json:"status"`
				Scheduler bool        `json:"scheduler_running"`
				LastPass  *passRecord `json:"last_pass"`
				NextRun   *time.Time  `json:"next_run"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body: %v\n%s", err, rec.Body)
			}
			if (body.Status == "ok") != (tc.wantCode == 200) {
				t.Errorf("status %q with code %d", body.Status, rec.Code)
			}
			if tc.last != nil && (body.LastPass == nil || body.LastPass.Outcome != tc.last.Outcome || !body.LastPass.Finished.Equal(tc.last.Finished)) {
				t.Errorf("last pass %+v, want %+v", body.LastPass, tc.last)
			}
			if running := tc.started && !tc.closing; running != (body.NextRun != nil) || running != body.Scheduler {
				t.Errorf("scheduler_running %v, next_run %v", body.Scheduler, body.NextRun)
			}
		})
	}
}

// TestMetricsScrape scrapes /metrics after a pass and parses it as
// Prometheus would.
func TestMetricsScrape(t *testing.T) {
	rep := &Report{Decisions: []Decision{
		{Server: "a", Action: ActionBump, PR: &PRResult{Number: 1, Outcome: "opened"}},
		{Server: "b", Action: ActionBump, PR: &PRResult{Number: 2, Outcome: "updated"}},
		{Server: "c", Action: ActionBump, PR: &PRResult{Number: 3, Outcome: "unchanged"}},
		{Server: "d", Action: ActionUpToDate, PR: &PRResult{Number: 4, Outcome: "closed"}},
		{Server: "e", Action: ActionError, Detail: "upstream unreachable"},
		{Server: "f", Action: ActionSkipped},
	}}
	d, _ := testDaemon(t, "@every 1h", func(context.Context) (*Report, error) { return rep, ErrServersFailed })
	d.scheduler.Start()
	defer d.scheduler.Stop()
	d.started = true
	d.tick()
	d.tick()

	srv := httptest.NewServer(d.handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		f := families[name]
		if f == nil {
			t.Fatalf("no metric %s", name)
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
		t.Fatalf("no %s%v", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"updater_passes_total", []string{"outcome", "failed"}, 2},
		{"updater_passes_total", []string{"outcome", "ok"}, 0},
		{"updater_servers", []string{"decision", "bump"}, 3},
		{"updater_servers", []string{"decision", "up-to-date"}, 1},
		{"updater_servers", []string{"decision", "error"}, 1},
		{"updater_servers", []string{"decision", "held"}, 0},
		{"updater_pull_requests_total", []string{"action", "opened"}, 2},
		{"updater_pull_requests_total", []string{"action", "updated"}, 2},
		{"updater_pull_requests_total", []string{"action", "closed"}, 2},
		{"updater_server_errors_total", nil, 2},
		{"updater_pass_duration_seconds", nil, 2},
		{"updater_skipped_ticks_total", nil, 0},
		{"updater_pass_running", nil, 0},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	now := float64(time.Now().Unix())
	if next := value("updater_next_run_timestamp_seconds"); next < now || next > now+3601 {
		t.Errorf("next run %v, want within the hour after %v", next, now)
	}
	if last := value("updater_last_completed_pass_timestamp_seconds"); last < now-60 || last > now+1 {
		t.Errorf("last completed pass %v, want about %v", last, now)
	}
	if _, ok := families["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
}

// matches reports whether m carries every name/value pair of labels.
func matches(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func TestNewDaemonRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts DaemonOptions
		want string // "" = accepted
	}{
		{"default schedule", DaemonOptions{}, ""},
		{"descriptor", DaemonOptions{Schedule: "@daily"}, ""},
		{"every", DaemonOptions{Schedule: "@every 6h"}, ""},
		{"five fields in a zone", DaemonOptions{Schedule: "0 4 * * 1-5", TZ: "Europe/Paris"}, ""},
		{"six fields", DaemonOptions{Schedule: "0 17 3 * * *"}, "--schedule"},
		{"nonsense", DaemonOptions{Schedule: "nightly"}, "--schedule"},
		{"unknown zone", DaemonOptions{TZ: "Mars/Olympus_Mons"}, "--tz"},
		{"pass options are checked", DaemonOptions{Pass: Options{Review: "vibes"}}, "--review"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Pass.DryRun = true
			_, err := newDaemon(tc.opts)
			var ue *UsageError
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want a usage error about %s", err, tc.want)
			}
		})
	}
}
