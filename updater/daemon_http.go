package updater

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the daemon's Prometheus series, on a registry of its own
// (not the global one, which any imported package may write to), exposed
// at /metrics.
type metrics struct {
	reg           *prometheus.Registry
	passes        *prometheus.CounterVec
	skipped       prometheus.Counter
	servers       *prometheus.GaugeVec
	prs           *prometheus.CounterVec
	errors        prometheus.Counter
	duration      prometheus.Histogram
	lastPass      prometheus.Gauge
	lastCompleted prometheus.Gauge
}

// newMetrics registers the series; nextRun and passRunning are read at
// scrape time, so they are never stale.
func newMetrics(nextRun, passRunning func() float64) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "updater_passes_total",
			Help: "Passes by outcome: ok, failed (the pass finished, some servers failed), error (the pass could not run), panic, interrupted (shutdown).",
		}, []string{"outcome"}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "updater_skipped_ticks_total",
			Help: "Scheduled ticks skipped because the previous pass was still running.",
		}),
		servers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "updater_servers",
			Help: "Servers by decision in the last pass that produced a report.",
		}, []string{"decision"}),
		prs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "updater_pull_requests_total",
			Help: "Pull requests acted on, by action: opened, updated, closed.",
		}, []string{"action"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "updater_server_errors_total",
			Help: "Servers that failed, summed over passes.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "updater_pass_duration_seconds",
			Help:    "Wall time of a pass.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14), // 1s .. 2h16m
		}),
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "updater_last_pass_timestamp_seconds",
			Help: "When the last pass ended, whatever its outcome (Unix time).",
		}),
		lastCompleted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "updater_last_completed_pass_timestamp_seconds",
			Help: "When the last pass that ran to its end (ok or failed) ended (Unix time); alert when it grows old.",
		}),
	}
	nextRunGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "updater_next_run_timestamp_seconds",
		Help: "When the next pass is scheduled (Unix time); 0 when the scheduler is stopped.",
	}, nextRun)
	runningGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "updater_pass_running",
		Help: "1 while a pass runs.",
	}, passRunning)
	m.reg.MustRegister(m.passes, m.skipped, m.servers, m.prs, m.errors, m.duration, m.lastPass, m.lastCompleted,
		nextRunGauge, runningGauge,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every label value exists from the start: a series that appears only
	// after its first event breaks rate() and absent() alerts.
	for _, o := range []string{outcomeOK, outcomeFailed, outcomeError, outcomePanic, outcomeInterrupted} {
		m.passes.WithLabelValues(o)
	}
	for _, a := range []string{"opened", "updated", "closed"} {
		m.prs.WithLabelValues(a)
	}
	return m
}

// observeReport sets the per-decision gauges to the report's counts and
// adds its PR actions and server errors to the counters.
func (m *metrics) observeReport(rep *Report) {
	c := rep.Counts()
	for action, n := range map[Action]int{
		ActionBump: c.Bump, ActionUpToDate: c.UpToDate, ActionHeld: c.Held, ActionDeferred: c.Deferred,
		ActionFrozen: c.Frozen, ActionSkipped: c.Skipped, ActionError: c.Errors,
	} {
		m.servers.WithLabelValues(string(action)).Set(float64(n))
	}
	m.errors.Add(float64(c.Errors))
	for _, d := range rep.Decisions {
		if d.PR == nil {
			continue
		}
		switch d.PR.Outcome {
		case PROpened, PRUpdated, PRClosed:
			m.prs.WithLabelValues(string(d.PR.Outcome)).Inc()
		}
	}
}

// handler serves /healthz and /metrics.
func (d *daemon) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", d.serveHealth)
	return mux
}

// serveHealth answers 200 while the daemon is healthy (see health), 503
// otherwise; the body tells the last pass's time and outcome and the next
// run.
func (d *daemon) serveHealth(w http.ResponseWriter, _ *http.Request) {
	h := d.health()
	code := http.StatusOK
	if h.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(h)
}
