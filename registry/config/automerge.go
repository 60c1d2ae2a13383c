package config

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RiskLimit is the highest review risk merged without a human for one
// trust level. Limits are ordered: MergeNever < UpToInfo < ... < UpToHigh.
// Critical is never a limit: a critical review always waits for a human.
type RiskLimit int

const (
	MergeNever RiskLimit = iota // "none"
	UpToInfo                    // "info"
	UpToLow                     // "low"
	UpToMedium                  // "medium"
	UpToHigh                    // "high"
)

var limitNames = [...]string{"none", "info", "low", "medium", "high"}

func (l RiskLimit) String() string {
	if l < MergeNever || l > UpToHigh {
		return fmt.Sprintf("limit(%d)", int(l))
	}
	return limitNames[l]
}

// Allows reports whether a review risk, by its name (info, low, medium,
// high, critical), is within the limit. An unknown name is not.
func (l RiskLimit) Allows(risk string) bool {
	for i, n := range limitNames[1:] {
		if n == risk {
			return RiskLimit(i+1) <= l
		}
	}
	return false
}

// MergeMethod is how GitHub merges a pull request.
type MergeMethod string

const (
	Squash MergeMethod = "squash"
	Merge  MergeMethod = "merge"
	Rebase MergeMethod = "rebase"
)

// AutoMerge is the policy for merging the bot's PRs without a human.
type AutoMerge struct {
	// Limits holds the highest risk merged per trust level; a level not
	// configured never merges.
	Limits    [Verified + 1]RiskLimit
	MinAge    time.Duration // the proposed commit is at least this old
	Method    MergeMethod   // default squash
	SkipLabel string        // default skip-auto-merge
}

// Defaults of the automerge section.
const (
	DefaultMethod    = Squash
	DefaultSkipLabel = "skip-auto-merge"
)

// Limit is the risk limit of a trust level.
func (a *AutoMerge) Limit(t Trust) RiskLimit {
	if a == nil || t < Community || t > Verified {
		return MergeNever
	}
	return a.Limits[t]
}

func parseAutoMerge(p *parser, n *yaml.Node, c *Config) {
	a := &AutoMerge{Method: DefaultMethod, SkipLabel: DefaultSkipLabel}
	keys := []string{"verified", "known", "community", "min_age", "method", "skip_label"}
	p.mapping(n, "automerge", keys, func(key string, v *yaml.Node) {
		s, ok := p.scalar(v, "automerge."+key)
		if !ok {
			return
		}
		switch key {
		case "verified", "known", "community":
			limit, found := lookup(limitNames[:], s)
			if !found {
				p.errorf(v, "automerge.%s: %q is not one of %s", key, s, strings.Join(limitNames[:], ", "))
				return
			}
			t, _ := lookup(trustNames[:], key)
			a.Limits[t] = RiskLimit(limit)
		case "min_age":
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				p.errorf(v, "automerge.min_age: %q is not a duration like 72h", s)
				return
			}
			a.MinAge = d
		case "method":
			switch m := MergeMethod(s); m {
			case Squash, Merge, Rebase:
				a.Method = m
			default:
				p.errorf(v, "automerge.method: %q is not squash, merge or rebase", s)
			}
		case "skip_label":
			if !validLabel(s) {
				p.errorf(v, "automerge.skip_label: %q is not a label name", s)
				return
			}
			a.SkipLabel = s
		}
	})
	c.AutoMerge = a
}

func lookup(names []string, s string) (int, bool) {
	for i, n := range names {
		if n == s {
			return i, true
		}
	}
	return 0, false
}
