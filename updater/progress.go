package updater

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultProgressEvery is the least time between two progress records
// in the log (off a terminal): often enough to show a long pass or a long
// review is alive, rarely enough not to drown the log.
const DefaultProgressEvery = 10 * time.Second

// progressPhase is what the pass is doing for a server.
type progressPhase string

const (
	phaseResolving  progressPhase = "resolving"
	phaseInspecting progressPhase = "inspecting"
	phaseReviewing  progressPhase = "reviewing"
	phaseWriting    progressPhase = "writing"
)

// progress turns the pass's events (a server resolved; a phase begun for
// a server) into what a person watching sees: on a terminal one line
// rewritten in place and cleared at the end; elsewhere an info record
// "progress" at most every `every`, also while nothing happens (a long
// review). The pass only reports events; it never knows which.
type progress struct {
	term  io.Writer // the terminal, or nil: log records instead
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu       sync.Mutex
	started  time.Time
	logged   time.Time // the last record, or the start
	resolved int
	total    int
	phase    progressPhase
	server   string
	shown    bool // a line is on the terminal
	stop     chan struct{}
	stopped  sync.WaitGroup
}

// newProgress starts the progress of a pass over total servers.
func newProgress(opts *Options, total int) *progress {
	return startProgress(opts.Progress, opts.Logger, opts.ProgressEvery, opts.Now, total)
}

// startProgress starts progress shown on term (a terminal; nil: logged
// to log at most every `every`, 0 = DefaultProgressEvery) over total
// servers to resolve (0: nothing to resolve, as in a review by hand).
func startProgress(term io.Writer, log *slog.Logger, every time.Duration, now func() time.Time, total int) *progress {
	if every <= 0 {
		every = DefaultProgressEvery
	}
	p := &progress{term: term, log: log, every: every, now: now, total: total, phase: phaseResolving}
	p.started = p.now()
	p.logged = p.started
	if p.term == nil {
		// A long review sends no events: a ticker keeps the log alive.
		p.stop = make(chan struct{})
		p.stopped.Add(1)
		go p.tick(max(every, 100*time.Millisecond))
	}
	return p
}

func (p *progress) tick(period time.Duration) {
	defer p.stopped.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.report()
			p.mu.Unlock()
		}
	}
}

// resolvedOne counts one more server resolved.
func (p *progress) resolvedOne() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resolved++
	p.report()
}

// working says the pass began phase for server.
func (p *progress) working(phase progressPhase, server string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.server = phase, server
	p.report()
}

// end stops the ticker and clears the terminal line.
func (p *progress) end() {
	if p == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		p.stopped.Wait()
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.term, "\r\x1b[K")
		p.shown = false
	}
}

// report shows the state: always on a terminal, in the log when every
// has passed since the last record. Called with mu held.
func (p *progress) report() {
	if p.term != nil {
		line := fmt.Sprintf("resolved %d/%d", p.resolved, p.total)
		if p.phase != phaseResolving && p.server != "" {
			line = fmt.Sprintf("%s %s", p.phase, p.server) // names are validated on load
		}
		fmt.Fprint(p.term, "\r\x1b[K"+line)
		p.shown = true
		return
	}
	now := p.now()
	if now.Sub(p.logged) < p.every {
		return
	}
	p.logged = now
	attrs := []any{"phase", string(p.phase), "elapsed", now.Sub(p.started)}
	if p.total > 0 {
		attrs = append([]any{"resolved", p.resolved, "servers", p.total}, attrs...)
	}
	if p.phase != phaseResolving && p.server != "" {
		attrs = append(attrs, "server", p.server)
	}
	p.log.Info("progress", attrs...)
}
