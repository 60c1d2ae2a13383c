package updater

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/review"
)

// AuditOptions configure `updater audit`: the scheduled full review of
// every locally built server at its current pin.
type AuditOptions struct {
	Registry string
	Servers  []string // only these; none = all
	Jobs     int      // servers reviewed at once
	FailOn   review.FailOn
	JSON     bool   // print the report as JSON instead of Markdown
	Output   string // also write audit.md and audit.json here (the artifact)
	// WriteBaseline accepts every new finding into BaselinePath with
	// Reason, instead of failing on them.
	WriteBaseline bool
	Reason        string
	StepSummary   string // $GITHUB_STEP_SUMMARY: the Markdown goes there when set
	// GitHub, when it has credentials, is where the audit puts its section
	// of the dashboard issue (unless NoDashboard).
	GitHub      GitHubOptions
	NoDashboard bool
	CacheDir    string
	Timeout     time.Duration
	Stdout      io.Writer
	Logger      *slog.Logger
}

// DefaultAuditJobs is how many servers an audit reviews at once.
const DefaultAuditJobs = 4

// ErrAuditFindings is an audit with new findings at or above --fail-on.
var ErrAuditFindings = errors.New("the audit found new findings")

// Audit reviews every locally built, pinned server in full at its pin
// (bounded parallel, the upstream cache shared), and reports the findings
// neither the allow-list nor the baseline accepts: Markdown to the job
// summary (or stdout), JSON with opts.JSON, both under Output. With
// WriteBaseline the new findings are accepted instead.
func Audit(ctx context.Context, opts AuditOptions) error {
	commandDefaults(&opts.Registry, &opts.Stdout, &opts.Logger)
	if opts.Jobs <= 0 {
		opts.Jobs = DefaultAuditJobs
	}
	if opts.WriteBaseline && strings.TrimSpace(opts.Reason) == "" {
		return Usagef("--write-baseline needs --reason: why the current findings are accepted")
	}
	base, err := loadBaseline(opts.Registry)
	if err != nil {
		return err
	}
	allow, err := loadAllowList(opts.Registry)
	if err != nil {
		return err
	}
	files, loadErrs := registry.Load(opts.Registry)
	var targets, local []*registry.File
	for _, f := range files {
		if !f.LocallyBuilt() || (len(opts.Servers) > 0 && !slices.Contains(opts.Servers, f.Name)) {
			continue
		}
		local = append(local, f)
		// A local server whose file is invalid (no pin, a misspelt key)
		// cannot be audited: it is reported, never skipped unseen.
		if problems := fileProblems(f); problems != "" {
			loadErrs = append(loadErrs, fmt.Errorf("%s: %s", f.Name, problems))
			continue
		}
		targets = append(targets, f)
	}
	for _, name := range opts.Servers {
		if !hasServer(local, name) {
			return Usagef("unknown server %q (or not built from source)", name)
		}
	}
	board, err := auditDashboard(ctx, opts)
	if err != nil {
		return err
	}
	cache, err := openUpstreamCache(opts.CacheDir, opts.Logger)
	if err != nil {
		return err
	}
	ropts := ReviewOptions{Review: ReviewBuiltin, Timeout: opts.Timeout, FailOn: opts.FailOn, Logger: opts.Logger}
	audited := make([]serverAudit, len(targets))
	errs := make([]error, len(targets))
	sem := make(chan struct{}, opts.Jobs)
	var wg sync.WaitGroup
	for i, f := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			q := reviewRequest{server: f.Name, src: *f.Server.Source, head: f.Server.Source.Commit, full: true, allowed: allowancesFor(allow, f.Name)}
			rev, err := reviewServer(ctx, ropts, cache, q)
			if err != nil {
				errs[i] = err
				return
			}
			audited[i] = serverAudit{server: f.Name, findings: rev.result.Findings}
		}()
	}
	wg.Wait()
	var ok []serverAudit
	for i := range targets {
		if errs[i] == nil {
			ok = append(ok, audited[i])
		}
	}
	rep := auditFindings(ok, base)
	rep.Servers = len(targets)
	for _, err := range append(errs, loadErrs...) {
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
		}
	}
	opts.Logger.Info("audited", "servers", len(targets), "new", len(rep.New), "baselined", rep.Baselined, "allowed", rep.Allowed, "errors", len(rep.Errors))
	if opts.WriteBaseline {
		nb := withBaseline(base, ok, rep, strings.TrimSpace(opts.Reason))
		if err := writeBaseline(opts.Registry, nb); err != nil {
			return err
		}
		_, err := fmt.Fprintf(opts.Stdout, "accepted %d finding%s into %s\n", len(rep.New), plural(len(rep.New)), BaselinePath)
		return errors.Join(err, errors.Join(errs...), errors.Join(loadErrs...))
	}
	if err := writeAuditReport(opts, &rep); err != nil {
		return err
	}
	if board != nil {
		// A dashboard that cannot be written is a warning, as in the
		// pass: the report above is the audit's result.
		if err := publishAuditSection(ctx, board, opts.Logger, &rep, time.Now()); err != nil {
			opts.Logger.Warn("cannot update the dashboard's audit section", "err", err)
		}
	}
	var fail []error
	for _, err := range append(errs, loadErrs...) {
		if err != nil {
			fail = append(fail, err)
		}
	}
	if rep.Failing(opts.FailOn) {
		fail = append(fail, fmt.Errorf("%w: %d new (--fail-on %s)", ErrAuditFindings, len(rep.New), failOnName(opts.FailOn)))
	}
	return errors.Join(fail...)
}

// writeAuditReport puts the report where it is read: Markdown to the job
// summary (or stdout), or JSON to stdout; both files under Output.
func writeAuditReport(opts AuditOptions, rep *AuditReport) error {
	md := AuditSection(rep)
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if opts.Output != "" {
		if err := os.MkdirAll(opts.Output, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(opts.Output, "audit.md"), []byte(md), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(opts.Output, "audit.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
	}
	if opts.JSON {
		_, err = fmt.Fprintf(opts.Stdout, "%s\n", js)
	} else if opts.StepSummary == "" {
		_, err = io.WriteString(opts.Stdout, md)
	}
	if err == nil && opts.StepSummary != "" {
		err = appendFile(opts.StepSummary, md)
	}
	return err
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	return errors.Join(err, f.Close())
}

// loadBaseline reads BaselinePath under the registry; none is empty.
func loadBaseline(root string) (Baseline, error) {
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(BaselinePath)))
	if errors.Is(err, fs.ErrNotExist) {
		return Baseline{Version: baselineVersion}, nil
	}
	if err != nil {
		return Baseline{}, &registry.FileError{Path: BaselinePath, Err: err}
	}
	b, err := ParseBaseline(raw)
	if err != nil {
		return Baseline{}, Usagef("%v", err)
	}
	return b, nil
}

func writeBaseline(root string, b Baseline) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(root, filepath.FromSlash(BaselinePath))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return registry.WriteFileAtomic(path, append(data, '\n'))
}

func hasServer(files []*registry.File, name string) bool {
	for _, f := range files {
		if f.Name == name {
			return true
		}
	}
	return false
}
