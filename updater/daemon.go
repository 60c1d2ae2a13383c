package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// DaemonOptions configure `updater daemon`: the same pass as `run`, on a
// cron schedule, with health and metrics endpoints.
type DaemonOptions struct {
	Pass            Options
	Schedule        string        // 5-field cron spec or descriptor (@daily, @every 6h); default nightly
	TZ              string        // time zone of the schedule; default UTC
	RunOnStart      bool          // run a pass right away, then on schedule
	Listen          string        // address for /healthz and /metrics; "" = none
	ShutdownTimeout time.Duration // how long a pass in flight may take to finish its write after a signal

	// passFn replaces the real pass in tests.
	passFn func(ctx context.Context) (*Report, error)
}

// DefaultSchedule runs the pass at 03:17 every night: off the hour, when
// GitHub's scheduled-job load peaks.
const DefaultSchedule = "17 3 * * *"

// defaultShutdownTimeout matches writeTimeout: the longest one server's
// write may take once started.
const defaultShutdownTimeout = writeTimeout

// Pass outcomes, as /healthz and updater_passes_total tell them.
const (
	outcomeOK          = "ok"          // every server handled
	outcomeFailed      = "failed"      // the pass finished; some servers failed
	outcomeError       = "error"       // the pass could not run (GitHub, registry, configuration)
	outcomePanic       = "panic"       // the pass panicked; recovered
	outcomeInterrupted = "interrupted" // a shutdown stopped the pass early
)

// Daemon runs passes on schedule until ctx is cancelled. A tick that
// comes while a pass still runs is skipped, never overlapped; a panicking
// pass is recovered, logged and counted, and the daemon lives on. On
// cancellation it stops starting servers, lets the write in flight finish
// (a pushed branch gets its PR) and returns within ShutdownTimeout.
func Daemon(ctx context.Context, opts DaemonOptions) error {
	d, err := newDaemon(opts)
	if err != nil {
		return err
	}
	if err := checkAgentSandbox(ctx, d.opts.Pass.Review, d.opts.Pass.Agent); err != nil {
		return err
	}
	return d.run(ctx)
}

// daemon is the scheduler's state, shared with the HTTP endpoints.
type daemon struct {
	opts      DaemonOptions
	log       *slog.Logger
	pass      func(ctx context.Context) (*Report, error)
	scheduler *cron.Cron
	metrics   *metrics

	// passCtx is what passes run under. Shutdown cancels it: the pass
	// stops starting servers, and the write in flight, which runs on a
	// context of its own, finishes.
	passCtx    context.Context
	stopPasses context.CancelFunc

	mu       sync.Mutex
	started  bool          // the scheduler runs
	closing  bool          // shutdown began: no pass may start
	inflight chan struct{} // closed when the running pass returns; nil when idle
	last     *passRecord
}

// passRecord is what /healthz tells of the last pass.
type passRecord struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Outcome  string    `json:"outcome"`
	Summary  string    `json:"summary,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// completed says whether the pass ran to its end, whatever became of
// individual servers.
func (r *passRecord) completed() bool {
	return r.Outcome == outcomeOK || r.Outcome == outcomeFailed
}

// newDaemon checks the options and builds the scheduler, without starting
// anything.
func newDaemon(opts DaemonOptions) (*daemon, error) {
	opts.Pass.Defaults()
	if err := opts.Pass.Check(); err != nil {
		return nil, err
	}
	if opts.Schedule == "" {
		opts.Schedule = DefaultSchedule
	}
	if opts.TZ == "" {
		opts.TZ = "UTC"
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = defaultShutdownTimeout
	}
	loc, err := parseTZ(opts.TZ)
	if err != nil {
		return nil, err
	}
	sched, err := parseSchedule(opts.Schedule)
	if err != nil {
		return nil, err
	}

	d := &daemon{opts: opts, log: opts.Pass.Logger, pass: opts.passFn}
	if d.pass == nil {
		pass := opts.Pass
		// A daemon outlives any checkout: each pass that writes reads the
		// servers from the base branch it fetches, so servers added or
		// removed since the daemon started are seen.
		pass.RegistryFromBase = !pass.DryRun
		d.pass = func(ctx context.Context) (*Report, error) { return passOnce(ctx, pass) }
	}
	d.passCtx, d.stopPasses = context.WithCancel(context.Background())
	d.metrics = newMetrics(d.nextRun, d.passRunning)
	// The cron library's own logger writes to stdout, where the reports go.
	d.scheduler = cron.New(cron.WithLocation(loc), cron.WithLogger(cron.DiscardLogger))
	d.scheduler.Schedule(sched, cron.FuncJob(d.tick))
	return d, nil
}

// CheckSchedule reports whether the daemon accepts spec as --schedule, so
// the command line can reject a bad value as soon as it is set.
func CheckSchedule(spec string) error {
	_, err := parseSchedule(spec)
	return err
}

// CheckTZ reports whether the daemon accepts tz as --tz.
func CheckTZ(tz string) error {
	_, err := parseTZ(tz)
	return err
}

// parseSchedule reads standard 5-field specs and descriptors; "@every 1m"
// is a descriptor too, which is what tests (and impatient operators) use.
func parseSchedule(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, Usagef("--schedule %q: %v", spec, err)
	}
	return sched, nil
}

func parseTZ(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, Usagef("--tz %q: %v", tz, err)
	}
	return loc, nil
}

// passOnce is one pass of the daemon: it connects afresh each time (a new
// installation token, a new fetch) and reports like `run`.
func passOnce(ctx context.Context, opts Options) (*Report, error) {
	deps, err := connect(ctx, &opts)
	if err != nil {
		return nil, err
	}
	rep, err := runPass(ctx, &opts, deps)
	if err != nil {
		return nil, err
	}
	return rep, finish(&opts, rep)
}

// run serves the endpoints, starts the scheduler and blocks until ctx is
// cancelled, then shuts down.
func (d *daemon) run(ctx context.Context) error {
	if d.opts.Listen != "" {
		ln, err := net.Listen("tcp", d.opts.Listen)
		if err != nil {
			return Usagef("--listen %s: %v", d.opts.Listen, err)
		}
		srv := &http.Server{
			Handler:           d.handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       time.Minute,
		}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("health and metrics server stopped", "err", err)
			}
		}()
		// Closed last: during the drain /healthz answers 503 and says a
		// pass is still running.
		defer srv.Close()
		d.log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}

	d.scheduler.Start()
	d.mu.Lock()
	d.started = true
	d.mu.Unlock()
	d.log.Info("daemon started", "schedule", d.opts.Schedule, "tz", d.opts.TZ, "next", d.next())
	if d.opts.RunOnStart {
		go d.tick()
	}

	<-ctx.Done()
	return d.shutdown()
}

// shutdown stops the scheduler and waits, at most ShutdownTimeout, for
// the pass in flight to finish its write.
func (d *daemon) shutdown() error {
	d.mu.Lock()
	d.closing = true
	inflight := d.inflight
	d.mu.Unlock()
	d.stopPasses()
	d.scheduler.Stop() // our tick tracks the pass; no need to wait on cron's context
	if inflight == nil {
		d.log.Info("daemon stopped")
		return nil
	}
	d.log.Info("shutting down: no new servers will be started; waiting for the write in flight", "timeout", d.opts.ShutdownTimeout)
	timer := time.NewTimer(d.opts.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-inflight:
		d.log.Info("daemon stopped")
		return nil
	case <-timer.C:
		return fmt.Errorf("the pass in flight did not finish within --shutdown-timeout %s; exiting anyway", d.opts.ShutdownTimeout)
	}
}

// tick runs one pass unless one is still running or shutdown began.
func (d *daemon) tick() {
	done, ok := d.begin()
	if !ok {
		return
	}
	rec := &passRecord{Started: time.Now()}
	rep, err := d.callPass()
	rec.Finished = time.Now()
	rec.Outcome = outcomeOf(err, d.passCtx.Err() != nil)
	if rep != nil {
		rec.Summary = rep.Counts().SummaryLine()
	}
	var pp *passPanic
	switch {
	case errors.As(err, &pp):
		rec.Error = fmt.Sprint(pp.value)
		d.log.Error("pass panicked; the daemon lives on", "panic", rec.Error, "stack", string(pp.stack))
	case err != nil && !errors.Is(err, ErrServersFailed):
		rec.Error = err.Error()
		if rec.Outcome == outcomeError {
			d.log.Error("pass failed", "err", err)
		}
	}
	d.log.Info("pass finished", "outcome", rec.Outcome, "summary", rec.Summary, "duration", rec.Finished.Sub(rec.Started).Round(time.Millisecond))
	d.record(rec, rep)
	d.end(done)
}

// begin claims the single pass slot. A tick that finds it taken is
// skipped and counted, never queued: the next tick comes soon enough.
func (d *daemon) begin() (chan struct{}, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return nil, false
	}
	if d.inflight != nil {
		d.log.Warn("previous pass still running; skipping this tick")
		d.metrics.skipped.Inc()
		return nil, false
	}
	d.inflight = make(chan struct{})
	return d.inflight, true
}

func (d *daemon) end(done chan struct{}) {
	d.mu.Lock()
	d.inflight = nil
	d.mu.Unlock()
	close(done)
}

// passPanic is a recovered panic of a pass, with where it happened.
type passPanic struct {
	value any
	stack []byte
}

func (p *passPanic) Error() string { return fmt.Sprintf("pass panicked: %v", p.value) }

// callPass runs the pass, turning a panic into an error. Only panics on
// the calling goroutine can be caught here; the pass's worker goroutines
// must not panic.
func (d *daemon) callPass() (rep *Report, err error) {
	defer func() {
		if r := recover(); r != nil {
			rep, err = nil, &passPanic{value: r, stack: debug.Stack()}
		}
	}()
	return d.pass(d.passCtx)
}

// outcomeOf classifies how a pass ended. Pure.
func outcomeOf(err error, interrupted bool) string {
	var pp *passPanic
	switch {
	case errors.As(err, &pp):
		return outcomePanic
	case interrupted:
		return outcomeInterrupted
	case err == nil:
		return outcomeOK
	case errors.Is(err, ErrServersFailed):
		return outcomeFailed
	default:
		return outcomeError
	}
}

func (d *daemon) record(rec *passRecord, rep *Report) {
	d.mu.Lock()
	d.last = rec
	d.mu.Unlock()
	m := d.metrics
	m.passes.WithLabelValues(rec.Outcome).Inc()
	m.duration.Observe(rec.Finished.Sub(rec.Started).Seconds())
	m.lastPass.Set(float64(rec.Finished.Unix()))
	if rec.completed() {
		m.lastCompleted.Set(float64(rec.Finished.Unix()))
	}
	if rep != nil {
		m.observeReport(rep)
	}
}

// health is what /healthz answers: the scheduler's state and the last pass.
type health struct {
	Status    string      `json:"status"` // ok or unhealthy
	Scheduler bool        `json:"scheduler_running"`
	Running   bool        `json:"pass_running"`
	LastPass  *passRecord `json:"last_pass"`
	NextRun   *time.Time  `json:"next_run,omitempty"`
}

// health is healthy while the scheduler runs and the last pass, if any,
// ran to its end (some servers failing is the pass's business, not the
// daemon's). A pass that panicked or could not run makes it unhealthy
// until a later pass completes.
func (d *daemon) health() health {
	d.mu.Lock()
	h := health{Scheduler: d.started && !d.closing, Running: d.inflight != nil}
	if d.last != nil {
		last := *d.last
		h.LastPass = &last
	}
	d.mu.Unlock()
	if next := d.next(); !next.IsZero() {
		h.NextRun = &next
	}
	h.Status = "ok"
	if !h.Scheduler || (h.LastPass != nil && !h.LastPass.completed()) {
		h.Status = "unhealthy"
	}
	return h
}

// next is the scheduler's next run time; zero when it does not run.
func (d *daemon) next() time.Time {
	d.mu.Lock()
	running := d.started && !d.closing
	d.mu.Unlock()
	if !running {
		return time.Time{}
	}
	entries := d.scheduler.Entries()
	if len(entries) == 0 {
		return time.Time{}
	}
	return entries[0].Next
}

// nextRun and passRunning feed the gauges computed at scrape time.
func (d *daemon) nextRun() float64 {
	if next := d.next(); !next.IsZero() {
		return float64(next.Unix())
	}
	return 0
}

func (d *daemon) passRunning() float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inflight != nil {
		return 1
	}
	return 0
}
