package updater

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/updater/review"
)

// The one publisher of reviews on a pull request, used by the bot's pass
// (its own PRs), by `review --pr` (a contributor's PR) and by `review
// publish` (a fork's PR, from a validated artifact): a check per server
// on the head commit, one report comment per server updated in place, and
// exactly one risk label on the PR.

// reviewWriter is what publishing a review writes to.
type reviewWriter interface {
	PublishCheck(ctx context.Context, c github.Check) error
	AddLabels(ctx context.Context, number int, labels []string) error
	RemoveLabel(ctx context.Context, number int, label string) error
}

// reviewPublisher publishes reviews; comment upserts the comment carrying
// marker (the bot's own PRs: the PR author's comment; others': the
// token's login's) and returns its address when it knows it. beforeLabels,
// when set, runs once the checks and comments are in place and before the
// risk labels (the bot's PR body takes its verdict line there).
type reviewPublisher struct {
	w            reviewWriter
	comment      func(ctx context.Context, number int, marker, body string) (url string, err error)
	beforeLabels func(ctx context.Context, commentURLs []string) error
}

// publishedReview is one server's review as it is published.
type publishedReview struct {
	check   github.Check // HeadSHA is set by publish
	marker  string       // identifies the report comment
	comment string       // the comment's body, marker included
}

// publish writes the checks and comments first and the risk labels last:
// a PR with its risk label has its whole review (keepPR relies on it).
// No headSHA: no check (the bot's PR before its branch exists).
func (rp reviewPublisher) publish(ctx context.Context, number int, headSHA string, current []string, reviews []publishedReview, labels []string) error {
	var urls []string
	for _, r := range reviews {
		if headSHA != "" {
			c := r.check
			c.HeadSHA = headSHA
			if err := rp.w.PublishCheck(ctx, c); err != nil {
				return fmt.Errorf("publishing the review check %s: %w", c.Name, err)
			}
		}
		url, err := rp.comment(ctx, number, r.marker, r.comment)
		if err != nil {
			return fmt.Errorf("publishing the review comment: %w", err)
		}
		urls = append(urls, url)
	}
	if rp.beforeLabels != nil {
		if err := rp.beforeLabels(ctx, urls); err != nil {
			return err
		}
	}
	return rp.replaceRiskLabels(ctx, number, current, labels)
}

// replaceRiskLabels makes the review labels on a PR exactly want: the
// security-risk:*, security-blocked and security-review-pending labels
// belong to the review; every other label is left alone. The pending
// label, when present, goes last: the verdict is in place before it.
func (rp reviewPublisher) replaceRiskLabels(ctx context.Context, number int, current, want []string) error {
	remove := func(l string) error {
		if err := rp.w.RemoveLabel(ctx, number, l); err != nil {
			return fmt.Errorf("removing label %s: %w", l, err)
		}
		return nil
	}
	dropPending := false
	for _, l := range current {
		if !isReviewLabel(l) || slices.Contains(want, l) {
			continue
		}
		if l == review.LabelPending {
			dropPending = true // after the verdict is in place
			continue
		}
		if err := remove(l); err != nil {
			return err
		}
	}
	if add := missingFrom(current, want); len(add) > 0 {
		if err := rp.w.AddLabels(ctx, number, add); err != nil {
			return fmt.Errorf("adding labels %s: %w", strings.Join(add, ", "), err)
		}
	}
	if dropPending {
		return remove(review.LabelPending)
	}
	return nil
}

// combinedLabels are a PR's review labels when it changes several
// servers: exactly one risk label, the highest, and security-blocked when
// any review blocks.
func combinedLabels(perServer [][]string) []string {
	risk, blocked, any := review.Info, false, false
	for _, ls := range perServer {
		for _, l := range ls {
			if l == review.LabelBlocked {
				blocked = true
			}
			if s, ok := strings.CutPrefix(l, review.LabelRiskPrefix); ok {
				if sev, err := review.ParseSeverity(s); err == nil {
					risk, any = max(risk, sev), true
				}
			}
		}
	}
	if !any {
		return nil
	}
	out := []string{review.LabelRiskPrefix + risk.String()}
	if blocked {
		out = append(out, review.LabelBlocked)
	}
	return out
}
