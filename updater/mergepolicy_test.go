package updater

import (
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

const headSHA = "cccccccccccccccccccccccccccccccccccccccc"

// greenFacts is a verified PR with a low-risk review and green CI, old
// enough and mergeable: every condition holds.
func greenFacts() mergeFacts {
	yes := true
	age := 100 * time.Hour
	policy := &config.AutoMerge{MinAge: 72 * time.Hour, Method: config.Squash, SkipLabel: "skip-auto-merge"}
	policy.Limits[config.Verified] = config.UpToLow
	policy.Limits[config.Known] = config.UpToInfo
	return mergeFacts{
		policy:    policy,
		publisher: config.Publisher{Owner: "stripe", Trust: config.Verified},
		server:    "stripe", ownBranch: true, ownMarker: true,
		pr: github.PullRequest{Number: 7, State: "open", HeadSHA: headSHA, Labels: []string{"pin-update"}, Mergeable: &yes},
		checks: []github.CheckState{
			{Kind: github.CheckRun, Name: "security-review/stripe", Completed: true, Conclusion: "success", Title: "Risk: low, 2 findings"},
			{Kind: github.CheckRun, Name: "ci/test", Completed: true, Conclusion: "success"},
			{Kind: github.CommitStatus, Name: "lint", Completed: true, Conclusion: "success"},
		},
		required: []string{"ci/test"},
		age:      &age,
	}
}

func TestDecideMerge(t *testing.T) {
	no := false
	cases := []struct {
		name   string
		change func(f *mergeFacts)
		want   string
	}{
		{"all green", func(f *mergeFacts) {}, "ready"},
		{"no policy", func(f *mergeFacts) { f.policy = nil }, "not allowed: auto-merge is off"},
		{"community", func(f *mergeFacts) { f.publisher.Trust = config.Community }, "not allowed: community"},
		{"known over its limit", func(f *mergeFacts) { f.publisher.Trust = config.Known }, "not allowed: risk low above the known limit info"},
		{"not the bot's branch", func(f *mergeFacts) { f.ownBranch = false }, "not allowed: not the bot's pull request"},
		{"no marker", func(f *mergeFacts) { f.ownMarker = false }, "not allowed: not the bot's pull request"},
		{"closed", func(f *mergeFacts) { f.pr.State = "closed" }, "not allowed: closed"},
		{"skip label", func(f *mergeFacts) { f.pr.Labels = append(f.pr.Labels, "skip-auto-merge") }, "not allowed: label skip-auto-merge"},
		{"draft", func(f *mergeFacts) { f.pr.Draft = true }, "waiting: draft"},
		{"touched this run", func(f *mergeFacts) { f.touched = true }, "waiting: changed in this run; its checks need time to report"},
		{"review of an older head only", func(f *mergeFacts) { f.checks = f.checks[1:] }, "waiting: no review of head ccccccc"},
		{"review blocked", func(f *mergeFacts) { f.checks[0].Title = "Risk: low, 1 finding, blocked" }, "not allowed: review blocked"},
		{"review failed", func(f *mergeFacts) { f.checks[0].Conclusion = "failure" }, "not allowed: review blocked"},
		{"review critical", func(f *mergeFacts) { f.checks[0].Title = "Risk: critical, 1 finding" }, "not allowed: risk critical above the verified limit low"},
		{"review as a neutral status", func(f *mergeFacts) {
			f.checks[0] = github.CheckState{Kind: github.CommitStatus, Name: "security-review/stripe", Completed: true, Conclusion: "success", Title: "neutral: Risk: medium, 3 findings"}
		}, "not allowed: risk medium above the verified limit low"},
		{"review title unreadable", func(f *mergeFacts) { f.checks[0].Title = "all good" }, "waiting: security-review/stripe does not say its risk"},
		{"pending check", func(f *mergeFacts) { f.checks[1].Completed, f.checks[1].Conclusion = false, "" }, "waiting: ci/test pending"},
		{"failed check", func(f *mergeFacts) { f.checks[1].Conclusion = "failure" }, "waiting: ci/test failed"},
		{"failed status", func(f *mergeFacts) { f.checks[2].Conclusion = "error" }, "waiting: lint failed"},
		{"required check missing", func(f *mergeFacts) { f.checks = f.checks[:1] }, "waiting: ci/test required, not reported"},
		{"only the review reported, nothing required", func(f *mergeFacts) { f.checks, f.required = f.checks[:1], nil }, "waiting: no check but the review reported on head ccccccc"},
		{"neutral and skipped checks pass", func(f *mergeFacts) { f.checks[1].Conclusion = "skipped" }, "ready"},
		{"too young", func(f *mergeFacts) { a := 10 * time.Hour; f.age = &a }, "waiting: proposed commit is 10h0m0s old, min_age 72h0m0s"},
		{"age not read yet", func(f *mergeFacts) { f.age = nil }, "waiting: " + ageUnknown},
		{"age unreadable", func(f *mergeFacts) { f.age, f.ageErr = nil, "upstream down" }, "waiting: the proposed commit's age: upstream down"},
		{"no min_age: age not needed", func(f *mergeFacts) { f.policy.MinAge, f.age = 0, nil }, "ready"},
		{"mergeability unknown", func(f *mergeFacts) { f.pr.Mergeable = nil }, "waiting: GitHub has not computed mergeability"},
		{"conflicts", func(f *mergeFacts) { f.pr.Mergeable = &no }, "waiting: not mergeable (conflicts)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := greenFacts()
			tc.change(&f)
			got, _ := decideMerge(f)
			if got.String() != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMergeCommentSaysWhy(t *testing.T) {
	v, why := decideMerge(greenFacts())
	if v.Outcome != mergeReady {
		t.Fatal(v)
	}
	c := mergeComment(why, headSHA)
	for _, want := range []string{mergeMarker, "stripe — verified (merged up to risk low)", "risk low on head `ccccccc`", "100h0m0s old (min_age 72h0m0s)", "2 other checks green: ci/test, lint"} {
		if !strings.Contains(c, want) {
			t.Errorf("comment lacks %q:\n%s", want, c)
		}
	}
}

func TestParseReviewTitleInvertsCheckOf(t *testing.T) {
	for _, tc := range []struct {
		title   string
		risk    string
		blocked bool
		ok      bool
	}{
		{"Risk: high, 3 findings", "high", false, true},
		{"Risk: critical, 1 finding, blocked", "critical", true, true},
		{"neutral: Risk: medium, 0 findings", "medium", false, true},
		{"Risk: soon", "", false, false},
		{"security-review/x", "", false, false},
	} {
		risk, blocked, ok := parseReviewTitle(tc.title)
		if risk != tc.risk || blocked != tc.blocked || ok != tc.ok {
			t.Errorf("%q = %q %v %v", tc.title, risk, blocked, ok)
		}
	}
}

// The merge step reads back the risk the review check's title carries.
func TestParseReviewTitleReadsCheckOf(t *testing.T) {
	res := review.Incomplete(review.RuleReviewIncomplete, "upstream gone")
	c := checkOf("stripe", headSHA, res, "", review.DefaultFailOn)
	risk, blocked, ok := parseReviewTitle(c.Title)
	if !ok || risk != res.Risk.String() || blocked != res.Blocked {
		t.Fatalf("%q read as %q %v %v", c.Title, risk, blocked, ok)
	}
}
