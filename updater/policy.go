package updater

import (
	"fmt"
	"sort"

	"github.com/mcp-registry/updater/gitops/github"
)

// prAction is what the write side does about one server's pull request.
type prAction string

const (
	prNone   prAction = ""       // nothing to do
	prOpen   prAction = "open"   // push the branch and open a PR
	prUpdate prAction = "update" // the open PR proposes something else: push, edit in place
	prKeep   prAction = "keep"   // the open PR already proposes this target; only repair what is missing
	prClose  prAction = "close"  // the PR has no reason to exist any more
	prHold   prAction = "hold"   // a maintainer closed a PR for this very target
)

// prStep is the policy's answer for one server.
type prStep struct {
	action prAction
	pr     *github.PullRequest // the PR acted on (nil for open and none)
	reason string              // for close comments and hold details
	// extra are further open bot PRs for the same server (a duplicate
	// left by an interrupted run or a human): closed as duplicates.
	extra []github.PullRequest
	// deleteBranch: the bot branch exists with no open PR to carry it.
	deleteBranch bool
}

// serverPRs are the bot's pull requests for one server, newest first.
type serverPRs []github.PullRequest

// decidePR is the write policy, pure: given a server's decision, its bot
// PRs, whether its bot branch exists, and which closed PRs the bot closed
// itself, what to do. Human decisions stand: a commit a maintainer
// rejected (closed a PR proposing it without merging) is never proposed
// again by any path, opening or updating; a newer target proposes again.
// A close by the bot itself (a removed server, a hand pin) is no
// maintainer's decision.
func decidePR(d *Decision, prs serverPRs, branchExists bool, botClosed map[int]bool) prStep {
	var open []github.PullRequest
	for _, pr := range prs {
		if pr.State == "open" {
			open = append(open, pr)
		}
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Number > open[j].Number })
	var step prStep
	var cur *github.PullRequest
	if len(open) > 0 {
		cur = &open[0]
		step.extra = open[1:]
	}

	switch d.Action {
	case ActionBump:
		if rejected := rejection(prs, d.Target, botClosed); rejected != nil {
			// An open PR proposing something else is left as it is: the
			// maintainer's "not this commit" also means "not this update".
			return prStep{action: prHold, pr: rejected, reason: fmt.Sprintf("closed by a maintainer (#%d)", rejected.Number)}
		}
		if cur != nil {
			m, ok := parseMarker(cur.Body)
			if ok && m.To == d.Target && m.From == d.Current {
				return prStep{action: prKeep, pr: cur, extra: step.extra}
			}
			return prStep{action: prUpdate, pr: cur, extra: step.extra}
		}
		return prStep{action: prOpen}

	case ActionUpToDate:
		return closeStep(cur, step.extra, branchExists,
			fmt.Sprintf("The pin of this server is already `%s` on the base branch; this PR is no longer needed.", short(d.Current)))

	case ActionSkipped:
		return closeStep(cur, step.extra, branchExists,
			"This server no longer has a pin for the bot to move ("+d.Detail+"); closing.")

	default:
		// Errors, frozen refs and holds are no reason to touch a PR: they
		// may be transient, and the open PR may still be what people want.
		// Duplicates wait too: closing them needs a PR they duplicate.
		return prStep{action: prNone}
	}
}

// rejection returns the newest closed, unmerged PR proposing target that
// the bot did not close itself: a maintainer's "not this commit". An open
// PR proposing target newer than it (an "unhold" from the dashboard)
// supersedes it: the newest word on a commit stands.
func rejection(prs serverPRs, target string, botClosed map[int]bool) *github.PullRequest {
	for i := range prs {
		pr := &prs[i]
		if m, ok := parseMarker(pr.Body); !ok || m.To != target {
			continue
		}
		if pr.State == "open" {
			return nil
		}
		if pr.Merged || botClosed[pr.Number] {
			continue
		}
		return pr
	}
	return nil
}

// closeStep closes the open PR (and duplicates) and deletes the branch.
func closeStep(cur *github.PullRequest, extra []github.PullRequest, branchExists bool, reason string) prStep {
	if cur == nil {
		return prStep{action: prNone, deleteBranch: branchExists}
	}
	return prStep{action: prClose, pr: cur, extra: extra, reason: reason, deleteBranch: branchExists}
}

// groupPRs files the bot's PRs under the server their head branch names.
func groupPRs(prs []github.PullRequest, prefix string) map[string]serverPRs {
	out := map[string]serverPRs{}
	for _, pr := range prs {
		if len(pr.Head) <= len(prefix) || pr.Head[:len(prefix)] != prefix {
			continue
		}
		name := pr.Head[len(prefix):]
		out[name] = append(out[name], pr)
	}
	for name := range out {
		list := out[name]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Number > list[j].Number })
	}
	return out
}
