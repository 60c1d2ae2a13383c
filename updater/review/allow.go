package review

import (
	"slices"
	"strings"
)

// Allowance is a finding the registry's maintainers accepted for one
// server (.github/updater.yaml, allow:): a rule, optionally only at
// locations under Path, and why.
type Allowance struct {
	Rule   string
	Reason string
	Path   string // "" = anywhere; else a file or a directory prefix
}

// notAllowable are the rules no allow-list may silence: they are about the
// range or the pass, not about code a maintainer can look at once.
var notAllowable = []string{RuleHistoryRewritten, RuleBaseMissing, RuleSkippedContent, RuleTagMoved, RuleBuildBroken, RuleAgentReview, RuleReviewIncomplete}

// AllowableRule reports whether rule is a built-in rule an allow-list may
// name: the one check of allow-list entries' rules.
func AllowableRule(rule string) bool {
	if slices.Contains(notAllowable, rule) {
		return false
	}
	if rule == RuleProjectChanged {
		return true
	}
	for _, rl := range builtinRules {
		if rl.ID == rule {
			return true
		}
	}
	return false
}

// markAllowed sets Allowed on each finding an allowance matches: same
// rule, and with a Path, every location under it. An allowed finding
// still shows but raises neither the risk nor a block (newResult).
func markAllowed(findings []Finding, allowed []Allowance) {
	for i := range findings {
		f := &findings[i]
		if slices.Contains(notAllowable, f.Rule) {
			continue
		}
		for _, a := range allowed {
			if a.Rule == f.Rule && a.Reason != "" && allUnder(f.Evidence, a.Path) {
				f.Allowed = a.Reason
				break
			}
		}
	}
}

// allUnder reports whether every location lies under dir ("" = anywhere).
// A finding without a file location matches only an allowance without Path.
func allUnder(evidence []string, dir string) bool {
	if dir == "" {
		return true
	}
	if len(evidence) == 0 {
		return false
	}
	dir = strings.TrimSuffix(dir, "/")
	for _, loc := range evidence {
		p := loc
		if path, _, ok := splitLocation(loc); ok {
			p = path
		}
		if p != dir && !strings.HasPrefix(p, dir+"/") {
			return false
		}
	}
	return true
}
