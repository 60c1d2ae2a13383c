package updater

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mcp-registry/updater/updater/internal/mdsafe"
)

// A preview (`run --dry-run` with --server, or --preview) inspects and
// reviews each bump as a writing pass would and shows the pull request it
// would send (Decision.Preview), writing nothing. It needs no GitHub
// credentials: without them every bump is a PR to open, and the commit
// count and the risk come from the local range.

// inspects reports whether the pass inspects a work's range: a writing
// pass when it will write what the range shows, a preview for the PRs it
// would open or update.
func (p *pass) inspects(w *work) bool {
	if p.opts.DryRun {
		return p.opts.Preview && (w.step.action == prOpen || w.step.action == prUpdate)
	}
	return p.needsRange(w)
}

// setPreview records the PR a dry run would send for an inspected work.
func (p *pass) setPreview(w *work) {
	if !p.opts.Preview || w.inspected == nil {
		return
	}
	w.d.Preview = p.previewOf(w)
	if w.review != nil {
		w.d.Review = reviewResultOf(w.review, p.opts.FailOn)
	}
}

// previewOffline previews every bump of a pass without GitHub: each would
// open a PR.
func (p *pass) previewOffline(ctx context.Context, planned []Decision) {
	if !p.opts.Preview {
		return
	}
	var works []*work
	for i := range planned {
		if planned[i].Action == ActionBump {
			works = append(works, &work{d: &planned[i], step: prStep{action: prOpen}, inspected: make(chan struct{})})
		}
	}
	p.parallel(ctx, len(works), func(ctx context.Context, i int) {
		defer close(works[i].inspected)
		p.inspect(ctx, works[i])
	})
	for _, w := range works {
		p.setPreview(w)
	}
}

// WritePreviews prints each previewed PR for people, after the table:
// title, labels, check and the body exactly as the bot would send it.
func (r *Report) WritePreviews(w io.Writer) error {
	var b strings.Builder
	for _, d := range r.Decisions {
		pl := d.Preview
		if pl == nil {
			continue
		}
		what := "would open"
		if d.PR != nil && d.PR.Outcome == PRWouldUpdate {
			what = fmt.Sprintf("would update #%d", d.PR.Number)
		}
		fmt.Fprintf(&b, "\n=== %s: %s ===\n", mdsafe.Line(d.Server), what)
		fmt.Fprintf(&b, "Title:  %s\n", mdsafe.Line(pl.Title))
		fmt.Fprintf(&b, "Labels: %s\n", mdsafe.Line(strings.Join(pl.Labels, ", ")))
		if c := pl.Check; c != nil {
			fmt.Fprintf(&b, "Check:  %s: %s (%s)\n", mdsafe.Line(c.Name), c.Conclusion, mdsafe.Line(c.Title))
		}
		fmt.Fprintf(&b, "Body:\n%s", strings.TrimSuffix(mdsafe.Text(pl.Body, true), "\n"))
		b.WriteString("\n=== end of " + mdsafe.Line(d.Server) + " ===\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
