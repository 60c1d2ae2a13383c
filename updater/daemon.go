package updater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// DaemonOptions configure `updater daemon`: the same pass as `run`, on a
// cron schedule, with health and metrics endpoints.
type DaemonOptions struct {
	Pass            Options
	Schedule        string        // 5-field cron spec or descriptor (@daily); default nightly
	TZ              string        // time zone of the schedule; default UTC
	RunOnStart      bool          // run a pass right away, then on schedule
	Listen          string        // address for /healthz and /metrics; "" = none
	ShutdownTimeout time.Duration // how long a pass in flight may take to finish its write after a signal

	// passFn replaces the real pass in tests.
	passFn func(ctx context.Context) (*Report, error)
	// listening is told the bound address (tests listen on :0).
	listening func(addr string)
}

// DefaultSchedule runs the pass at 03:17 every night: off the hour, when
// GitHub's scheduled-job load peaks.
const DefaultSchedule = "17 3 * * *"

// Daemon runs passes on schedule until ctx is cancelled. A tick that
// comes while a pass still runs is skipped, never overlapped; a panicking
// pass is recovered, logged and counted, and the daemon lives on. On
// cancellation it stops starting servers, lets the write in flight finish
// (a pushed branch gets its PR) and returns within ShutdownTimeout.
func Daemon(ctx context.Context, opts DaemonOptions) error {
	opts.Pass.Defaults()
	if err := opts.Pass.Check(); err != nil {
		return err
	}
	if opts.Schedule == "" {
		opts.Schedule = DefaultSchedule
	}
	if opts.TZ == "" {
		opts.TZ = "UTC"
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 2 * time.Minute
	}
	loc, err := time.LoadLocation(opts.TZ)
	if err != nil {
		return Usagef("--tz %q: %v", opts.TZ, err)
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	if opts.passFn != nil {
		// Tests may tick every second.
		parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	}
	sched, err := parser.Parse(opts.Schedule)
	if err != nil {
		return Usagef("--schedule %q: %v", opts.Schedule, err)
	}

	log := opts.Pass.Logger
	d := newDaemon(opts, log)
	if opts.passFn == nil {
		d.pass = func(ctx context.Context) (*Report, error) {
			o := opts.Pass // each pass connects afresh: new token, new fetch
			deps, err := connect(ctx, &o)
			if err != nil {
				return nil, err
			}
			rep, err := runPass(ctx, &o, deps)
			if err != nil {
				return nil, err
			}
			return rep, finish(&o, rep)
		}
	}

	if opts.Listen != "" {
		ln, err := net.Listen("tcp", opts.Listen)
		if err != nil {
			return Usagef("--listen %s: %v", opts.Listen, err)
		}
		if opts.listening != nil {
			opts.listening(ln.Addr().String())
		}
		srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("serving health and metrics", "addr", ln.Addr().String())
	}

	passCtx, stopPasses := context.WithCancel(context.Background())
	defer stopPasses()
	c := cron.New(cron.WithLocation(loc))
	d.scheduler = c
	c.Schedule(sched, cron.FuncJob(func() { d.tick(passCtx) }))
	c.Start()
	d.running.Store(true)
	log.Info("daemon started", "schedule", opts.Schedule, "tz", opts.TZ, "next", d.next())
	if opts.RunOnStart {
		go d.tick(passCtx)
	}

	<-ctx.Done()
	log.Info("shutting down: no new servers will be started")
	d.running.Store(false)
	stopPasses() // the pass stops starting servers; its write in flight runs on
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(opts.ShutdownTimeout):
		return fmt.Errorf("a pass was still running %s after the shutdown signal", opts.ShutdownTimeout)
	}
	// A tick started by RunOnStart is not tracked by the scheduler.
	deadline := time.After(opts.ShutdownTimeout)
	for d.busy.Load() {
		select {
		case <-deadline:
			return fmt.Errorf("a pass was still running %s after the shutdown signal", opts.ShutdownTimeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
	log.Info("daemon stopped")
	return nil
}

// daemon is the scheduler's state, shared with the HTTP endpoints.
type daemon struct {
	opts      DaemonOptions
	log       *slog.Logger
	pass      func(ctx context.Context) (*Report, error)
	metrics   *metrics
	scheduler *cron.Cron
	running   atomic.Bool
	busy      atomic.Bool

	mu   sync.Mutex
	last *passRecord
}

// passRecord is what /healthz tells of the last pass.
type passRecord struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Outcome  string    `json:"outcome"` // ok, failed (some servers), error, panic
	Summary  string    `json:"summary,omitempty"`
	Error    string    `json:"error,omitempty"`
}

func newDaemon(opts DaemonOptions, log *slog.Logger) *daemon {
	return &daemon{opts: opts, log: log, pass: opts.passFn, metrics: newMetrics()}
}

// tick runs one pass unless one is still running.
func (d *daemon) tick(ctx context.Context) {
	if !d.busy.CompareAndSwap(false, true) {
		d.log.Warn("previous pass still running; skipping this tick")
		d.metrics.passes.WithLabelValues("skipped").Inc()
		return
	}
	defer d.busy.Store(false)
	if ctx.Err() != nil {
		return
	}
	rec := &passRecord{Started: time.Now()}
	defer func() {
		if r := recover(); r != nil {
			rec.Outcome = "panic"
			rec.Error = fmt.Sprint(r)
			d.log.Error("pass panicked; the daemon lives on", "panic", r)
		}
		rec.Finished = time.Now()
		d.record(rec, nil)
	}()
	rep, err := d.pass(ctx)
	switch {
	case err == nil:
		rec.Outcome = "ok"
	case errors.Is(err, ErrServersFailed):
		rec.Outcome = "failed"
	default:
		rec.Outcome = "error"
		rec.Error = err.Error()
		d.log.Error("pass failed", "err", err)
	}
	if rep != nil {
		rec.Summary = rep.Counts().SummaryLine()
		d.metrics.observeReport(rep)
		d.log.Info("pass finished", "summary", rec.Summary, "duration", time.Since(rec.Started).Round(time.Millisecond))
	}
}

func (d *daemon) record(rec *passRecord, _ error) {
	d.mu.Lock()
	d.last = rec
	d.mu.Unlock()
	d.metrics.passes.WithLabelValues(rec.Outcome).Inc()
	d.metrics.lastPass.Set(float64(rec.Finished.Unix()))
	d.metrics.duration.Observe(rec.Finished.Sub(rec.Started).Seconds())
	if next := d.next(); !next.IsZero() {
		d.metrics.nextRun.Set(float64(next.Unix()))
	}
}

// next is the scheduler's next run time (zero before it starts).
func (d *daemon) next() time.Time {
	if d.scheduler == nil {
		return time.Time{}
	}
	entries := d.scheduler.Entries()
	if len(entries) == 0 {
		return time.Time{}
	}
	return entries[0].Next
}
