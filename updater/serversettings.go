package updater

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/dashboard"
)

// applySettings applies the per-server settings that decide whether a
// server is considered at all: an ignored server is held with its reason,
// one outside its schedule's window is deferred to a pass inside it.
// Neither is resolved upstream nor has its PR touched. Pure: no I/O.
func applySettings(cfg *config.Config, now time.Time, eligible []*registry.File, decided []Decision) ([]*registry.File, []Decision) {
	if cfg == nil || len(cfg.Servers) == 0 {
		return eligible, decided
	}
	var keep []*registry.File
	for _, f := range eligible {
		s := cfg.Of(f.Name)
		d := Decision{Server: f.Name, Path: f.Path, Current: f.Server.Source.Commit}
		switch {
		case s.Ignore != "":
			d.Action = ActionHeld
			d.Detail = fmt.Sprintf("ignored in %s: %s", config.Path, s.Ignore)
		case !s.Schedule.Allows(now):
			d.Action = ActionDeferred
			d.Detail = fmt.Sprintf("schedule %s: considered on %s", s.Schedule, s.Schedule.Window())
		default:
			keep = append(keep, f)
			continue
		}
		decided = append(decided, d)
	}
	return keep, decided
}

// minAge is the cooldown of one server: its own min_age, else --min-age.
func (p *pass) minAge(server string) time.Duration {
	if p.dashActed(server, dashboard.ProposeNow) {
		return 0
	}
	if m := p.cfg.Of(server).MinAge; m != nil {
		return *m
	}
	return p.opts.MinAge
}

// requestPeople asks the server's reviewers and assignees on the PR it
// just opened, after its review is published (people are notified and
// should find the verdict). A refusal (someone without access) is noted
// in the decision and logged; the PR and its review stand.
func (p *pass) requestPeople(ctx context.Context, d *Decision, number int) {
	s := p.cfg.Of(d.Server)
	if len(s.Reviewers) == 0 && len(s.Assignees) == 0 {
		return
	}
	if err := p.deps.forge.RequestPeople(ctx, number, s.Reviewers, s.Assignees); err != nil {
		p.log.Warn("cannot request reviewers or assignees", "server", d.Server, "pr", number, "err", err)
		d.Detail = strings.TrimPrefix(d.Detail+"; "+err.Error(), "; ")
	}
}
