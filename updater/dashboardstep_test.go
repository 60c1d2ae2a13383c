package updater

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/updater/dashboard"
)

// fakeIssues answers the dashboard's questions about who edited it.
type fakeIssues struct {
	edits   []github.BodyEdit
	editErr error
	perms   map[string]string
}

func (f *fakeIssues) ListIssues(context.Context, string) ([]github.Issue, error) { return nil, nil }
func (f *fakeIssues) CreateIssue(context.Context, string, string, []string) (github.Issue, error) {
	return github.Issue{}, nil
}
func (f *fakeIssues) EditIssueBody(context.Context, int, string) error { return nil }
func (f *fakeIssues) BodyEdits(context.Context, int) ([]github.BodyEdit, error) {
	return f.edits, f.editErr
}
func (f *fakeIssues) Permission(_ context.Context, login string) (string, error) {
	if p, ok := f.perms[login]; ok {
		return p, nil
	}
	return "none", nil
}

// edits lists editors newest first.
func edits(editors ...string) []github.BodyEdit {
	var out []github.BodyEdit
	t := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for i, e := range editors {
		out = append(out, github.BodyEdit{Editor: e, EditedAt: t.Add(-time.Duration(i) * time.Minute)})
	}
	return out
}

func TestTickRefusal(t *testing.T) {
	perms := map[string]string{"alice": "write", "root": "admin", "mia": "maintain", "bob": "read"}
	many := make([]string, 50)
	for i := range many {
		many[i] = "alice"
	}
	for _, tc := range []struct {
		name string
		fake fakeIssues
		want string
	}{
		{"writers since the bot", fakeIssues{edits: edits("alice", "root", "mia", "bot", "bob")}, ""},
		{"the bot's own last write", fakeIssues{edits: edits("bot", "bob")}, ""},
		{"a reader since the bot", fakeIssues{edits: edits("alice", "bob", "bot")}, "edited by bob (read) without write access"},
		{"a deleted account", fakeIssues{edits: edits("", "bot")}, "edited by a deleted account without write access"},
		{"the bot's write out of sight", fakeIssues{edits: edits(many...)}, "who ticked them could not be established"},
		{"no edits", fakeIssues{}, "who ticked them could not be established"},
		{"GraphQL fails", fakeIssues{editErr: errors.New("boom")}, "who ticked them could not be established"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fake.perms = perms
			p := &pass{opts: &Options{}, log: slog.New(slog.DiscardHandler), deps: &deps{issues: &tc.fake}}
			if got := p.tickRefusal(context.Background(), &github.Issue{Number: 1, Author: "bot"}); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// REST names an App or Actions token "bot[bot]", GraphQL's editor
	// "bot": the bot's own last write is still found.
	p := &pass{opts: &Options{}, log: slog.New(slog.DiscardHandler), deps: &deps{issues: &fakeIssues{perms: perms, edits: edits("alice", "bot", "bob")}}}
	if got := p.tickRefusal(context.Background(), &github.Issue{Number: 1, Author: "bot[bot]"}); got != "" {
		t.Errorf("an App's own write not recognised: %q", got)
	}
}

// A tick made while a pass ran is one the pass did not read: it must not
// write over it. Ticks it read, accepted or refused, are its own to handle.
func TestTickedSince(t *testing.T) {
	start := map[string][]dashboard.Act{"a": {dashboard.Retry}}
	for _, tc := range []struct {
		now  map[string][]dashboard.Act
		want bool
	}{
		{map[string][]dashboard.Act{"a": {dashboard.Retry}}, false},
		{map[string][]dashboard.Act{}, false},
		{map[string][]dashboard.Act{"a": {dashboard.Retry, dashboard.Unhold}}, true},
		{map[string][]dashboard.Act{"b": {dashboard.ProposeNow}}, true},
	} {
		if got := tickedSince(start, tc.now); got != tc.want {
			t.Errorf("tickedSince(%v, %v) = %v", start, tc.now, got)
		}
	}
}

// The policy's age wait, as the dashboard shows it: no age that grows.
func TestMergeWaitHasNoAge(t *testing.T) {
	for _, hours := range []time.Duration{10, 20} {
		f := greenFacts()
		age := hours * time.Hour
		f.age = &age
		v, _ := decideMerge(f)
		if got := mergeWait(v); got != "waiting: proposed commit younger than min_age 72h0m0s" {
			t.Errorf("%v old: %q (from %q)", age, got, v)
		}
	}
}
