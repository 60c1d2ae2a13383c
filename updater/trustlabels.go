package updater

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry/config"
)

// The publisher:* labels belong to the bot, like the review's labels: the
// one the configuration gives now replaces any other, and every other label
// on the PR is left alone. Without .github/updater.yaml a PR has none.

// prLabels are the labels a new PR is opened with.
func (p *pass) prLabels(d *Decision) []string {
	labels := slices.Clone(p.opts.Labels)
	for _, l := range p.cfg.Of(d.Server).Labels {
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	if d.Publisher != nil {
		labels = append(labels, d.Publisher.Label())
	}
	return labels
}

// syncPublisherLabel makes the PR's publisher label the decision's.
func (p *pass) syncPublisherLabel(ctx context.Context, d *Decision, pr *github.PullRequest) error {
	want := ""
	if d.Publisher != nil {
		want = d.Publisher.Label()
	}
	has := false
	for _, l := range pr.Labels {
		switch {
		case l == want:
			has = true
		case strings.HasPrefix(l, config.LabelPrefix):
			if err := p.deps.forge.RemoveLabel(ctx, pr.Number, l); err != nil {
				return fmt.Errorf("removing label %s: %w", l, err)
			}
		}
	}
	if want != "" && !has {
		if err := p.deps.forge.AddLabels(ctx, pr.Number, []string{want}); err != nil {
			return fmt.Errorf("adding label %s: %w", want, err)
		}
	}
	return nil
}

// syncPublisherLine rewrites the body's publisher line of a PR the pass
// keeps (an updated PR gets a whole new body).
func (p *pass) syncPublisherLine(ctx context.Context, d *Decision, pr *github.PullRequest) error {
	if body, changed := withPublisherLine(pr.Body, d.Publisher); changed {
		if err := p.deps.forge.EditPull(ctx, pr.Number, pr.Title, body); err != nil {
			return fmt.Errorf("updating pull request #%d: %w", pr.Number, err)
		}
		pr.Body = body
	}
	return nil
}

const publisherLinePrefix = "Publisher: "

// publisherLine is the PR body's line: "Publisher: stripe — verified".
// Owners are checked names (letters, digits, . _ -): nothing to escape.
func publisherLine(pub *config.Publisher) string { return publisherLinePrefix + pub.String() }

// withPublisherLine rewrites the publisher line of a body the bot wrote,
// when the configuration changed what it says.
func withPublisherLine(body string, pub *config.Publisher) (string, bool) {
	if pub == nil {
		return body, false
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, publisherLinePrefix) {
			if l == publisherLine(pub) {
				return body, false
			}
			lines[i] = publisherLine(pub)
			return strings.Join(lines, "\n"), true
		}
	}
	return body, false
}
