package updater

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the daemon's Prometheus series, on a registry of its own
// (not the global one), exposed at /metrics.
type metrics struct {
	reg      *prometheus.Registry
	passes   *prometheus.CounterVec
	servers  *prometheus.GaugeVec
	prs      *prometheus.CounterVec
	errors   prometheus.Counter
	duration prometheus.Histogram
	lastPass prometheus.Gauge
	nextRun  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "updater_passes_total", Help: "Passes by outcome: ok, failed (some servers), error, panic, skipped (previous still running).",
		}, []string{"outcome"}),
		servers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "updater_servers", Help: "Servers by decision in the last pass.",
		}, []string{"decision"}),
		prs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "updater_pull_requests_total", Help: "Pull requests acted on, by action: opened, updated, closed.",
		}, []string{"action"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "updater_server_errors_total", Help: "Servers that failed, summed over passes.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "updater_pass_duration_seconds", Help: "Wall time of a pass.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "updater_last_pass_timestamp_seconds", Help: "When the last pass finished (Unix time).",
		}),
		nextRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "updater_next_run_timestamp_seconds", Help: "When the next pass is scheduled (Unix time).",
		}),
	}
	m.reg.MustRegister(m.passes, m.servers, m.prs, m.errors, m.duration, m.lastPass, m.nextRun)
	return m
}

func (m *metrics) observeReport(rep *Report) {
	for _, a := range []Action{ActionBump, ActionUpToDate, ActionHeld, ActionDeferred, ActionFrozen, ActionSkipped, ActionError} {
		m.servers.WithLabelValues(string(a)).Set(0)
	}
	for _, d := range rep.Decisions {
		m.servers.WithLabelValues(string(d.Action)).Inc()
		if d.Action == ActionError {
			m.errors.Inc()
		}
		if d.PR != nil {
			switch d.PR.Outcome {
			case "opened", "updated", "closed":
				m.prs.WithLabelValues(d.PR.Outcome).Inc()
			}
		}
	}
}

// handler serves /healthz and /metrics.
func (d *daemon) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", d.serveHealth)
	return mux
}

// serveHealth answers 200 while the scheduler runs and the last pass (if
// any) finished, 503 otherwise; the body tells the last pass's time and
// outcome and the next run.
func (d *daemon) serveHealth(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	last := d.last
	d.mu.Unlock()
	body := struct {
		Status    string      `json:"status"`
		Scheduler bool        `json:"scheduler_running"`
		Running   bool        `json:"pass_running"`
		LastPass  *passRecord `json:"last_pass"`
		NextRun   *time.Time  `json:"next_run,omitempty"`
	}{Scheduler: d.running.Load(), Running: d.busy.Load(), LastPass: last}
	if next := d.next(); !next.IsZero() {
		body.NextRun = &next
	}
	code := http.StatusOK
	body.Status = "ok"
	if !body.Scheduler || (last != nil && last.Outcome == "panic") {
		code = http.StatusServiceUnavailable
		body.Status = "unhealthy"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
