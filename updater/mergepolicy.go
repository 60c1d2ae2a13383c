package updater

import (
	"fmt"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"slices"
	"strings"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/registry/config"
)

// MergeOutcome is what became of an open bot PR in the merge step.
type MergeOutcome string

const (
	MergeMerged     MergeOutcome = "merged"      // merged by the bot in this run
	MergeWould      MergeOutcome = "would merge" // dry run: every condition holds
	MergeWaiting    MergeOutcome = "waiting"     // may merge later without anyone acting (checks, age, mergeability)
	MergeNotAllowed MergeOutcome = "not allowed" // the policy keeps it for a human
	MergeFailed     MergeOutcome = "error"       // the merge or a read failed
	mergeReady      MergeOutcome = "ready"       // the policy's verdict before the merge call
)

// MergeVerdict is an outcome and why: "waiting: ci/test pending".
type MergeVerdict struct {
	Outcome MergeOutcome
	Reason  string
}

func (v MergeVerdict) String() string {
	if v.Reason == "" {
		return string(v.Outcome)
	}
	return string(v.Outcome) + ": " + v.Reason
}

// MarshalText is the verdict in run --json: one string.
func (v MergeVerdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

func waiting(format string, args ...any) MergeVerdict {
	return MergeVerdict{MergeWaiting, fmt.Sprintf(format, args...)}
}

func notAllowed(format string, args ...any) MergeVerdict {
	return MergeVerdict{MergeNotAllowed, fmt.Sprintf(format, args...)}
}

// mergeFacts is everything the merge policy looks at for one open PR.
type mergeFacts struct {
	policy    *config.AutoMerge // nil: no automerge section, never merge
	publisher config.Publisher
	server    string             // from the PR's marker
	serverOff bool               // servers.<name>.automerge: false
	ownBranch bool               // the head branch is <prefix><server> in the registry repository
	ownMarker bool               // the body holds the bot's marker
	pr        github.PullRequest // as GitHub answers it now (state, draft, head, labels, mergeability)
	touched   bool               // this run opened it, pushed to it or published its review
	checks    []github.CheckState
	required  []string       // check names branch protection requires
	age       *time.Duration // of the proposed upstream commit; nil = not known yet
	ageErr    string         // why the age is not known
}

// ageUnknown is the reason decideMerge gives when every condition before
// the age holds and the age was not given: the caller then reads it.
const ageUnknown = "the proposed commit's age is not known"

// mergeWhy is what the merge comment says allowed the merge.
type mergeWhy struct {
	publisher config.Publisher
	limit     config.RiskLimit
	risk      string
	age       time.Duration
	minAge    time.Duration
	checks    []string
}

// decideMerge is the merge policy: a PR merges only when every condition
// holds. The first that fails is the reason. Pure: no I/O.
func decideMerge(f mergeFacts) (MergeVerdict, mergeWhy) {
	why := mergeWhy{publisher: f.publisher}
	switch {
	case f.policy == nil:
		return notAllowed("auto-merge is off"), why
	case !f.ownMarker || !f.ownBranch:
		return notAllowed("not the bot's pull request"), why
	case f.pr.State != "open":
		return notAllowed("%s", f.pr.State), why
	case f.serverOff:
		return notAllowed("automerge: false for %s in %s", f.server, config.Path), why
	case slices.Contains(f.pr.Labels, f.policy.SkipLabel):
		return notAllowed("label %s", f.policy.SkipLabel), why
	}
	why.limit = f.policy.Limit(f.publisher.Trust)
	if why.limit == config.MergeNever {
		return notAllowed("%s", f.publisher.Trust), why
	}
	if f.pr.Draft {
		return waiting("draft"), why
	}
	if f.touched {
		return waiting("changed in this run; its checks need time to report"), why
	}

	reviewName := checkName(f.server)
	var review []github.CheckState
	var others []github.CheckState
	for _, c := range f.checks {
		if c.Name == reviewName {
			review = append(review, c)
		} else {
			others = append(others, c)
		}
	}
	if len(review) == 0 {
		return waiting("no review of head %s", short(f.pr.HeadSHA)), why
	}
	for _, r := range review {
		risk, blocked, ok := parseReviewTitle(r.Title)
		switch {
		case !r.Completed:
			return waiting("review of head %s not finished", short(f.pr.HeadSHA)), why
		case !ok:
			return waiting("%s does not say its risk", reviewName), why
		case blocked || r.Conclusion == "failure":
			return notAllowed("review blocked"), why
		case why.risk != "" && why.risk != risk:
			return notAllowed("review checks disagree (%s, %s)", why.risk, risk), why
		case !why.limit.Allows(risk):
			return notAllowed("risk %s above the %s limit %s", risk, f.publisher.Trust, why.limit), why
		}
		why.risk = risk
	}

	var failed, pending []string
	reported := map[string]bool{reviewName: true}
	for _, c := range others {
		reported[c.Name] = true
		switch {
		case !c.Completed:
			pending = append(pending, c.Name)
		case !passing(c):
			failed = append(failed, c.Name)
		default:
			why.checks = append(why.checks, c.Name)
		}
	}
	var missing []string
	for _, name := range f.required {
		if !reported[name] {
			missing = append(missing, name)
		}
	}
	switch {
	case len(failed) > 0:
		return waiting("%s failed", names(failed)), why
	case len(pending) > 0:
		return waiting("%s pending", names(pending)), why
	case len(missing) > 0:
		return waiting("%s required, not reported", names(missing)), why
	case len(why.checks) == 0:
		// Without branch protection nothing says which checks will come:
		// a head only the bot has reported on is not "all green" yet.
		return waiting("no check but the review reported on head %s", short(f.pr.HeadSHA)), why
	}

	why.minAge = f.policy.MinAge
	if f.policy.MinAge > 0 {
		switch {
		case f.ageErr != "":
			return waiting("the proposed commit's age: %s", f.ageErr), why
		case f.age == nil:
			return waiting(ageUnknown), why
		case *f.age < f.policy.MinAge:
			return waiting("proposed commit is %s old, min_age %s", roundAge(*f.age), f.policy.MinAge), why
		}
		why.age = *f.age
	}
	switch {
	case f.pr.Mergeable == nil:
		return waiting("GitHub has not computed mergeability"), why
	case !*f.pr.Mergeable:
		return waiting("not mergeable (conflicts)"), why
	}
	return MergeVerdict{Outcome: mergeReady}, why
}

// passing: a completed check that does not stand in the way, as branch
// protection counts them.
func passing(c github.CheckState) bool {
	if c.Kind == github.CommitStatus {
		return c.Conclusion == "success"
	}
	switch c.Conclusion {
	case "success", "neutral", "skipped":
		return true
	}
	return false
}

// names lists up to three check names, sorted, then how many more.
func names(list []string) string {
	list = slices.Clone(list)
	slices.Sort(list)
	if len(list) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(list[:3], ", "), len(list)-3)
	}
	return strings.Join(list, ", ")
}

func roundAge(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}

// mergeComment is the one comment left before merging: what allowed it.
func mergeComment(w mergeWhy, head string) string {
	var b strings.Builder
	b.WriteString(mergeMarker + "\n")
	fmt.Fprintf(&b, "Merging automatically under `.github/updater.yaml`:\n\n")
	fmt.Fprintf(&b, "- **Publisher**: %s (merged up to risk %s)\n", w.publisher, w.limit)
	fmt.Fprintf(&b, "- **Review**: risk %s on head `%s`\n", w.risk, short(head))
	if w.minAge > 0 {
		fmt.Fprintf(&b, "- **Age**: the proposed commit is %s old (min_age %s)\n", roundAge(w.age), w.minAge)
	}
	fmt.Fprintf(&b, "- **Checks**: %d other check%s green: %s\n", len(w.checks), plural(len(w.checks)), mdsafe.Prose(names(w.checks), maxProse))
	return b.String()
}

// mergeMarker identifies the bot's merge comment, kept to one per PR.
const mergeMarker = "<!-- updater:automerge -->"
