package updater

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// sincePush is what moved upstream between the target an open PR proposed
// (its body's marker) and the one the bot now moves it to: the reviewer
// of an updated PR reads these commits, not the whole range again.
type sincePush struct {
	from, to string
	rng      *ranges.Range // from..to; nil when it could not be read
}

// sinceOf reads the commits between the open PR's previous target and
// the new one. Only an update of the bot's own PR to another target has
// them; a failed read leaves the section without its list.
func (p *pass) sinceOf(ctx context.Context, w *work) *sincePush {
	d := w.d
	if w.step.action != prUpdate || w.step.pr == nil {
		return nil
	}
	m, ok := parseMarker(w.step.pr.Body)
	if !ok || m.Server != d.Server || m.To == d.Target || m.To == d.Current {
		return nil
	}
	fctx, cancel := context.WithCancel(ctx)
	if p.opts.Timeout > 0 {
		fctx, cancel = context.WithTimeout(ctx, p.opts.Timeout)
	}
	defer cancel()
	rng, err := p.deps.history.Range(fctx, upstream.RangeQuery{
		Project: d.project, Ref: d.Ref, Directory: d.reviewDirectory(), Base: m.To, Head: d.Target,
	})
	if err != nil {
		p.log.Warn("cannot list the commits since the PR's last push", "server", d.Server, "err", err)
		rng = nil
	}
	return &sincePush{from: m.To, to: d.Target, rng: rng}
}

// sinceLastPush renders the section an updated PR's body opens with
// (after the verdict line): previous target → new target, linked where
// the host has compare pages, and the commits between, capped.
func sinceLastPush(d *Decision, s *sincePush) string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Since the last push\n\n")
	span := fmt.Sprintf("`%s...%s`", short(s.from), short(s.to))
	if link := compareURL(d.project, s.from, s.to); link != "" {
		span = fmt.Sprintf("[%s](%s)", span, link)
	}
	fmt.Fprintf(&b, "This PR proposed `%s` before; it now proposes `%s`: %s", short(s.from), short(s.to), span)
	switch {
	case s.rng == nil:
		b.WriteString(" (the commits between could not be listed).\n\n")
		return b.String()
	case !s.rng.Comparable() || s.rng.OffLine():
		b.WriteString(". The new target does not descend from the previous one: review the whole range below.\n\n")
		return b.String()
	}
	fmt.Fprintf(&b, " · %d new commit%s.\n\n", s.rng.TotalCommits, plural(s.rng.TotalCommits))
	writeCommitList(&b, s.rng)
	return b.String()
}
