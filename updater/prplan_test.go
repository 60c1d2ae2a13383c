package updater

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/review"
)

func TestVerdictLine(t *testing.T) {
	d := bumpOf("")
	blocked := &review.Result{Risk: review.High, Blocked: true}
	for _, tc := range []struct {
		name string
		res  *review.Result
		url  string
		want string
	}{
		{"pending", nil, "", "**Security review:** pending for `3333333` · check `security-review/stripe` · this line shows the verdict once the review of this head is published"},
		{"linked", &review.Result{Risk: review.Medium}, "https://github.com/acme/registry/pull/7#issuecomment-9",
			"**Security review:** risk **medium**, not blocked · check `security-review/stripe`: neutral · [report](https://github.com/acme/registry/pull/7#issuecomment-9)"},
		{"blocked, no comment yet", blocked, "", "**Security review:** risk **" + blocked.Risk.String() + "**, **blocked** · check `security-review/stripe`: failure · report in the review comment"},
		// An address that could end the link or inject Markdown is dropped.
		{"hostile address", &review.Result{Risk: review.Low}, "https://x.test/a)[click](https://evil.test", "**Security review:** risk **low**, not blocked · check `security-review/stripe`: success · report in the review comment"},
		{"not a web address", &review.Result{Risk: review.Low}, "javascript:alert(1)", "**Security review:** risk **low**, not blocked · check `security-review/stripe`: success · report in the review comment"},
	} {
		if got := verdictLine(d, tc.res, review.DefaultFailOn, tc.url); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestWithVerdictReplacesTheFirstLineOnly(t *testing.T) {
	body := "Updates the pin.\n\n<!-- marker -->\n"
	once := withVerdict(body, verdictPrefix+"pending")
	if once != verdictPrefix+"pending\n\n"+body {
		t.Errorf("prepended: %q", once)
	}
	twice := withVerdict(once, verdictPrefix+"risk low")
	if twice != verdictPrefix+"risk low\n\n"+body {
		t.Errorf("replaced: %q", twice)
	}
	// A verdict-like line further down (upstream text) is not the bot's.
	quoted := "Intro\n" + verdictPrefix + "fake\n"
	if got := withVerdict(quoted, verdictPrefix+"real"); !strings.HasPrefix(got, verdictPrefix+"real\n\nIntro\n"+verdictPrefix+"fake") {
		t.Errorf("a later line was taken for the verdict: %q", got)
	}
}

func TestSinceLastPush(t *testing.T) {
	d := bumpOf("")
	if got := sinceLastPush(d, nil); got != "" {
		t.Errorf("no previous push: %q", got)
	}
	from := testSHA('2')
	got := sinceLastPush(d, &sincePush{from: from, to: d.Target, rng: rangeOf(25, 25)})
	for _, want := range []string{
		"### Since the last push\n\n",
		"[`2222222...3333333`](https://github.com/stripe/agent-toolkit/compare/" + from + "..." + d.Target + ") · 25 new commits.",
		"- … and 5 more\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("section lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n- `"); n != maxListedCommits {
		t.Errorf("%d commits listed, want the cap %d", n, maxListedCommits)
	}
	rewritten := sinceLastPush(d, &sincePush{from: from, to: d.Target, rng: &rangesRewritten})
	if !strings.Contains(rewritten, "does not descend from the previous one") || strings.Contains(rewritten, "\n- ") {
		t.Errorf("a rewritten history lists commits:\n%s", rewritten)
	}
	if unread := sinceLastPush(d, &sincePush{from: from, to: d.Target}); !strings.Contains(unread, "could not be listed") {
		t.Errorf("an unread range: %s", unread)
	}
}

// rangesRewritten is a range whose head does not descend from its base.
var rangesRewritten = ranges.Range{BaseFound: true}
