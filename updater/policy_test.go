package updater

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
)

// botPR is one of the bot's PRs for server "demo" whose body carries the
// marker from..to (no marker when from is "").
func botPR(number int, state string, merged bool, from, to string) github.PullRequest {
	body := "Updates the pin of demo, edited by a human."
	if from != "" {
		body = "Updates the pin.\n\n" + marker{"demo", from, to}.String() + "\n"
	}
	return github.PullRequest{Number: number, State: state, Merged: merged, Head: "updater/pin-demo", Body: body}
}

func TestDecidePR(t *testing.T) {
	cur, target, older, other := testSHA('1'), testSHA('3'), testSHA('2'), testSHA('9')
	decisions := map[Action]Decision{
		ActionBump:     {Server: "demo", Action: ActionBump, Current: cur, Latest: target, Target: target},
		ActionUpToDate: {Server: "demo", Action: ActionUpToDate, Current: cur, Latest: cur},
		ActionSkipped:  {Server: "demo", Action: ActionSkipped, Detail: "remote server: nothing is built from source"},
		ActionError:    {Server: "demo", Action: ActionError, Current: cur, Detail: "connection refused"},
		ActionFrozen:   {Server: "demo", Action: ActionFrozen, Current: cur, Detail: "ref feature no longer exists upstream"},
		ActionHeld:     {Server: "demo", Action: ActionHeld, Current: cur, Latest: target, Detail: "cooling down until ..."},
	}
	states := map[string]serverPRs{
		"none":                  nil,
		"open same marker":      {botPR(12, "open", false, cur, target)},
		"open other target":     {botPR(12, "open", false, cur, other)},
		"open other from":       {botPR(12, "open", false, other, target)},
		"open without marker":   {botPR(12, "open", false, "", "")},
		"closed same target":    {botPR(12, "closed", false, cur, target)},
		"closed older target":   {botPR(12, "closed", false, cur, older)},
		"merged same target":    {botPR(12, "closed", true, cur, target)},
		"two open":              {botPR(11, "open", false, cur, other), botPR(14, "open", false, cur, target)},
		"open and closed same":  {botPR(15, "open", false, cur, other), botPR(12, "closed", false, cur, target)},
		"closed same, from old": {botPR(12, "closed", false, older, target)},
	}
	// want is "action[#pr][ extra=#n...][ delete-branch]"; a missing entry
	// means prNone with nothing else.
	want := map[Action]map[string]string{
		ActionBump: {
			"none":                  "open",
			"open same marker":      "keep#12",
			"open other target":     "update#12",
			"open other from":       "update#12",
			"open without marker":   "update#12",
			"closed same target":    "hold#12",
			"closed older target":   "open",
			"merged same target":    "open",
			"two open":              "keep#14 extra=#11",
			"open and closed same":  "update#15",
			"closed same, from old": "hold#12",
		},
		ActionUpToDate: {
			"open same marker":     "close#12",
			"open other target":    "close#12",
			"open other from":      "close#12",
			"open without marker":  "close#12",
			"two open":             "close#14 extra=#11",
			"open and closed same": "close#15",
		},
		ActionSkipped: {
			"open same marker":     "close#12",
			"open other target":    "close#12",
			"open other from":      "close#12",
			"open without marker":  "close#12",
			"two open":             "close#14 extra=#11",
			"open and closed same": "close#15",
		},
		// Errors, frozen refs and holds never touch a PR: not even its
		// duplicates (the step would have no PR to call them duplicates of).
	}
	for action, d := range decisions {
		for state, prs := range states {
			for _, branchExists := range []bool{false, true} {
				d, prs := d, append(serverPRs(nil), prs...)
				step := decidePR(&d, prs, branchExists)
				exp := want[action][state]
				if exp == "" {
					exp = "none"
				}
				if action == ActionUpToDate || action == ActionSkipped {
					// Closing deletes the branch too; with no open PR a
					// leftover branch is deleted alone.
					if branchExists {
						exp += " delete-branch"
					}
				}
				if got := describeStep(step); got != exp {
					t.Errorf("%s / %s / branch exists %v: got %q, want %q", action, state, branchExists, got, exp)
				}
				if len(step.extra) > 0 && step.pr == nil {
					t.Errorf("%s / %s: duplicates to close with no PR they duplicate", action, state)
				}
			}
		}
	}
}

// describeStep renders a step as the compact string TestDecidePR expects.
func describeStep(s prStep) string {
	var b strings.Builder
	if s.action == prNone {
		b.WriteString("none")
	} else {
		b.WriteString(string(s.action))
	}
	if s.pr != nil {
		b.WriteString("#" + strconv.Itoa(s.pr.Number))
	}
	if len(s.extra) > 0 {
		b.WriteString(" extra=")
		for i, pr := range s.extra {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("#" + strconv.Itoa(pr.Number))
		}
	}
	if s.deleteBranch {
		b.WriteString(" delete-branch")
	}
	return b.String()
}

func TestDecidePRReasons(t *testing.T) {
	cur, target := testSHA('1'), testSHA('3')
	closed := serverPRs{botPR(12, "closed", false, cur, target)}
	held := decidePR(&Decision{Server: "demo", Action: ActionBump, Current: cur, Target: target}, closed, false)
	if held.reason != "closed by a maintainer (#12)" {
		t.Errorf("hold reason %q", held.reason)
	}
	open := serverPRs{botPR(12, "open", false, cur, target)}
	up := decidePR(&Decision{Server: "demo", Action: ActionUpToDate, Current: target}, open, false)
	if !strings.Contains(up.reason, "`"+short(target)+"`") || !strings.Contains(up.reason, "no longer needed") {
		t.Errorf("up-to-date close reason %q", up.reason)
	}
	skip := decidePR(&Decision{Server: "demo", Action: ActionSkipped, Detail: "remote server: nothing is built from source"}, open, false)
	if !strings.Contains(skip.reason, "remote server: nothing is built from source") {
		t.Errorf("skipped close reason %q", skip.reason)
	}
}

func TestGroupPRs(t *testing.T) {
	pr := func(n int, head string) github.PullRequest { return github.PullRequest{Number: n, Head: head} }
	got := groupPRs([]github.PullRequest{
		pr(3, "updater/pin-stripe"),
		pr(9, "updater/pin-stripe"),
		pr(5, "updater/pin-fetch"),
		pr(6, "updater/pin-"),            // the bare prefix names no server
		pr(7, "feature/updater/pin-x"),   // prefix not at the start
		pr(8, "updater/pinstripe"),       // a different prefix
		pr(10, "Updater/pin-stripe"),     // branch names are case-sensitive
		pr(1, "updater/pin-stripe-fork"), // a different server
	}, "updater/pin-")
	want := map[string][]int{"stripe": {9, 3}, "fetch": {5}, "stripe-fork": {1}}
	numbers := map[string][]int{}
	for name, prs := range got {
		for _, p := range prs {
			numbers[name] = append(numbers[name], p.Number)
		}
	}
	if !reflect.DeepEqual(numbers, want) {
		t.Errorf("groupPRs = %v, want %v (newest first)", numbers, want)
	}
	if len(groupPRs(nil, "updater/pin-")) != 0 {
		t.Error("groupPRs(nil) not empty")
	}
}
