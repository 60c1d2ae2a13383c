package updater

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"github.com/mcp-registry/updater/updater/review"
)

// PRPlan is the pull request the bot opens (or updates to) for a bump, as
// the writer sends it once the review is published: the preview prints it
// (`run --dry-run --server X`, `--preview`) and the writer writes it,
// both from prPlanOf and verdictLine, so the two cannot drift apart.
type PRPlan struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// Labels: the ones the PR is opened with, then the review's.
	Labels []string   `json:"labels"`
	Check  *CheckPlan `json:"check,omitempty"` // absent with --review off
}

// CheckPlan is the security-review check a review publishes on the head.
type CheckPlan struct {
	Name       string `json:"name"`
	Conclusion string `json:"conclusion"`
	Title      string `json:"title"`
}

// prPlan is what the writer sends first: the title, the body with the
// verdict line pending (the review is published after the PR exists and
// the head is pushed), and the labels the PR is opened with.
type prPlan struct {
	title, body string
	labels      []string
}

// prPlanOf renders a work's pull request. With a review the body opens
// with the pending verdict line, which publishReview replaces by the
// verdict once the check and the comment are in place.
func (p *pass) prPlanOf(w *work) prPlan {
	d := w.d
	body := prBodyWith(d, w.rng, sinceLastPush(d, w.since), releaseNotesSection(w.notes))
	if p.opts.Review != ReviewOff {
		body = withVerdict(body, verdictLine(d, nil, p.opts.FailOn, ""))
	}
	return prPlan{title: prTitle(d), body: body, labels: p.prLabels(d)}
}

// previewOf is the PR a dry run would open: the writer's plan with the
// review's verdict in place (no comment to link to yet), its labels and
// its check.
func (p *pass) previewOf(w *work) *PRPlan {
	pl := p.prPlanOf(w)
	out := &PRPlan{Title: pl.title, Body: pl.body, Labels: pl.labels}
	if w.review != nil {
		res := w.review.result
		out.Body = withVerdict(pl.body, verdictLine(w.d, res, p.opts.FailOn, ""))
		out.Labels = append(slices.Clone(pl.labels), res.Labels()...)
		c := checkOf(w.d.Server, "", res, res.Markdown(w.review.meta), p.opts.FailOn)
		out.Check = &CheckPlan{Name: c.Name, Conclusion: c.Conclusion, Title: c.Title}
	}
	return out
}

// verdictPrefix opens the verdict line, the first line of a reviewed PR's
// body; withVerdict finds it there.
const verdictPrefix = "**Security review:** "

// verdictLine is the body's first line: the review's risk, whether it
// blocks, the check, and a link to the report comment (commentURL; ""
// before it exists). A nil result is the pending line, which a new head
// carries until its own review is published: never the old verdict.
func verdictLine(d *Decision, res *review.Result, failOn review.FailOn, commentURL string) string {
	check := mdsafe.Code(checkName(d.Server), maxCode)
	if res == nil {
		return fmt.Sprintf("%spending for `%s` · check %s · this line shows the verdict once the review of this head is published",
			verdictPrefix, short(d.Target), check)
	}
	blocked := "not blocked"
	if res.Blocked {
		blocked = "**blocked**"
	}
	line := fmt.Sprintf("%srisk **%s**, %s · check %s: %s", verdictPrefix, res.Risk, blocked, check, res.CheckConclusion(failOn))
	if link := safeLink(commentURL); link != "" {
		return line + fmt.Sprintf(" · [report](%s)", link)
	}
	return line + " · report in the review comment"
}

// withVerdict puts line first in body, replacing the verdict line the
// body opens with, if any.
func withVerdict(body, line string) string {
	if rest, ok := strings.CutPrefix(body, verdictPrefix); ok {
		_, after, found := strings.Cut(rest, "\n")
		if !found {
			return line + "\n"
		}
		return line + "\n" + after
	}
	return line + "\n\n" + body
}

// safeLink is an https (or, for the emulator, http) URL GitHub gave,
// re-encoded so nothing in it can end the Markdown link; "" otherwise.
func safeLink(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	if strings.ContainsAny(s, "()<>[] \t\r\n\"'`") {
		return ""
	}
	return s
}

// writeVerdict puts the published review's verdict line, linking to its
// comment, first in the PR's body (next's title and body instead of the
// PR's when given), in one edit and only when that changes anything.
func (p *pass) writeVerdict(ctx context.Context, w *work, pr *github.PullRequest, next *prPlan, commentURL string) error {
	title, body := pr.Title, pr.Body
	if next != nil {
		title, body = next.title, next.body
	}
	body = withVerdict(body, verdictLine(w.d, w.review.result, p.opts.FailOn, commentURL))
	if title == pr.Title && body == pr.Body {
		return nil
	}
	if err := p.deps.forge.EditPull(ctx, pr.Number, title, body); err != nil {
		return fmt.Errorf("updating pull request #%d: %w", pr.Number, err)
	}
	pr.Title, pr.Body = title, body
	return nil
}

// pendVerdict takes the verdict line off a PR whose head is about to move
// to another range, with its labels (markPending) and before the push:
// the new head must never show the old range's verdict, whatever write
// fails after it. With a review coming the line says pending; with
// --review off it goes.
func (p *pass) pendVerdict(ctx context.Context, d *Decision, pr *github.PullRequest) error {
	if !strings.HasPrefix(pr.Body, verdictPrefix) {
		return nil
	}
	var body string
	if p.opts.Review == ReviewOff {
		_, rest, _ := strings.Cut(pr.Body, "\n")
		body = strings.TrimPrefix(rest, "\n")
	} else {
		body = withVerdict(pr.Body, verdictLine(d, nil, p.opts.FailOn, ""))
	}
	if body == pr.Body {
		return nil
	}
	if err := p.deps.forge.EditPull(ctx, pr.Number, pr.Title, body); err != nil {
		return fmt.Errorf("marking the review pending in #%d: %w", pr.Number, err)
	}
	pr.Body = body
	return nil
}
