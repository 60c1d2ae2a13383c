package updater

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// labelDefs is every label the bot puts on a PR, with the colour and
// description it is created with when the repository lacks it: the risk
// labels on a red→green scale, the review's state, the publisher's trust.
// A label that exists is never recoloured or re-described. The --label
// labels (pin-update by default) take botLabelDef.
var labelDefs = []github.LabelDef{
	{Name: review.LabelRiskPrefix + review.Critical.String(), Color: "b60205", Description: "Security review: critical risk in the upstream change"},
	{Name: review.LabelRiskPrefix + review.High.String(), Color: "d93f0b", Description: "Security review: high risk in the upstream change"},
	{Name: review.LabelRiskPrefix + review.Medium.String(), Color: "fb8c00", Description: "Security review: medium risk in the upstream change"},
	{Name: review.LabelRiskPrefix + review.Low.String(), Color: "c5e063", Description: "Security review: low risk in the upstream change"},
	{Name: review.LabelRiskPrefix + review.Info.String(), Color: "0e8a16", Description: "Security review: nothing of concern in the upstream change"},
	{Name: review.LabelBlocked, Color: "b60205", Description: "Security review: do not merge before a maintainer reviews the change"},
	{Name: review.LabelPending, Color: "c5c9cf", Description: "Security review of the PR's current head not yet published"},
	{Name: config.Publisher{Trust: config.Verified}.Label(), Color: "1d76db", Description: "Publisher: the vendor's own organisation (.github/updater.yaml)"},
	{Name: config.Publisher{Trust: config.Known}.Label(), Color: "5319e7", Description: "Publisher: known to the registry (.github/updater.yaml)"},
	{Name: config.Publisher{Trust: config.Community}.Label(), Color: "d4c5f9", Description: "Publisher: not listed in .github/updater.yaml"},
}

// botLabelDef describes the --label labels of every bot PR.
func botLabelDef(name string) github.LabelDef {
	return github.LabelDef{Name: name, Color: "0366d6", Description: "Pin update proposed by mcp-registry-updater"}
}

// labelDefOf is the definition of a label the bot adds; ok is false for
// labels it has none for (a server's own labels from .github/updater.yaml:
// GitHub creates those as it does any other).
func (p *pass) labelDefOf(name string) (github.LabelDef, bool) {
	if d, ok := reviewLabelDef(name); ok {
		return d, true
	}
	if slices.Contains(p.opts.Labels, name) {
		return botLabelDef(name), true
	}
	return github.LabelDef{}, false
}

// reviewLabelDef is the definition of a label from labelDefs.
func reviewLabelDef(name string) (github.LabelDef, bool) {
	for _, d := range labelDefs {
		if d.Name == name {
			return d, true
		}
	}
	return github.LabelDef{}, false
}

// labelMaker creates a repository label when it is missing.
type labelMaker interface {
	EnsureLabel(ctx context.Context, def github.LabelDef) (bool, error)
}

// definingForge is the forge that creates each label the bot adds, with
// its definition, before adding it, once per pass: otherwise GitHub would
// create it grey and undescribed. A definition GitHub refuses (a token
// without the right to create labels, a GitHub-like server without the
// labels API) is a warning: the label is still added, as GitHub then
// creates it, and the PR's review is never lost for a colour.
type definingForge struct {
	forge
	maker labelMaker
	defOf func(name string) (github.LabelDef, bool)
	log   *slog.Logger

	mu    sync.Mutex
	ready map[string]bool
}

// withLabelDefs wraps f when it can create labels.
func (p *pass) withLabelDefs(f forge) forge {
	m, ok := f.(labelMaker)
	if !ok {
		return f
	}
	return &definingForge{forge: f, maker: m, defOf: p.labelDefOf, log: p.log, ready: map[string]bool{}}
}

// define creates the labels the repository lacks, each tried once per
// pass whatever the outcome.
func (f *definingForge) define(ctx context.Context, labels []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range labels {
		def, ok := f.defOf(name)
		if !ok || f.ready[name] {
			continue
		}
		f.ready[name] = true
		if _, err := f.maker.EnsureLabel(ctx, def); err != nil {
			f.log.Warn("cannot create the label with its colour and description; GitHub creates it plain", "label", name, "err", err)
		}
	}
}

func (f *definingForge) AddLabels(ctx context.Context, number int, labels []string) error {
	f.define(ctx, labels)
	return f.forge.AddLabels(ctx, number, labels)
}

func (f *definingForge) CreatePull(ctx context.Context, np github.NewPull) (github.PullRequest, error) {
	f.define(ctx, np.Labels)
	return f.forge.CreatePull(ctx, np)
}

// defineLabels makes a writing pass create the labels it adds with their
// definitions (a copy of the deps: the daemon's outlive the pass).
func (p *pass) defineLabels() {
	if p.deps.forge == nil || p.opts.DryRun {
		return
	}
	d := *p.deps
	d.forge = p.withLabelDefs(d.forge)
	p.deps = &d
}
