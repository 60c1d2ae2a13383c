package review

import (
	"fmt"
	"strings"
)

// The verdict: how a review's risk maps onto the security-review check
// (and the exit code of `updater review`). One definition, here.
//
//	risk \ --fail-on     medium    high (default)   critical (the reference registry's mapping)
//	blocked              failure   failure          failure
//	critical             failure   failure          failure
//	high                 failure   failure          neutral
//	medium               failure   neutral          neutral
//	low, info            success   success          success
//
// Risk is the highest final severity among the findings: rules that
// weigh scope (outside the server's build inputs) lower a finding's
// severity before it counts here.

// Conclusion is a check run conclusion, as the GitHub API spells it.
type Conclusion string

const (
	ConclusionFailure Conclusion = "failure"
	ConclusionNeutral Conclusion = "neutral"
	ConclusionSuccess Conclusion = "success"
)

// FailOn is the lowest risk that fails the check: Medium, High or
// Critical. The zero value is not valid; DefaultFailOn is High.
type FailOn Severity

const (
	FailOnMedium   = FailOn(Medium)
	FailOnHigh     = FailOn(High)
	FailOnCritical = FailOn(Critical)
	DefaultFailOn  = FailOnHigh
)

// FailOnNames are the values --fail-on accepts.
const FailOnNames = "critical, high or medium"

// ParseFailOn reads a --fail-on value.
func ParseFailOn(name string) (FailOn, error) {
	s, err := ParseSeverity(name)
	if err != nil || s < Medium {
		return 0, fmt.Errorf("--fail-on %q: want %s", name, FailOnNames)
	}
	return FailOn(s), nil
}

// String is the name --fail-on takes.
func (f FailOn) String() string { return Severity(f).String() }

// Set and the String above make FailOn a flag.Value.
func (f *FailOn) Set(name string) error {
	v, err := ParseFailOn(strings.TrimSpace(name))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// orDefault is f, or DefaultFailOn for the zero value.
func (f FailOn) orDefault() FailOn {
	if f < FailOnMedium || f > FailOnCritical {
		return DefaultFailOn
	}
	return f
}

// CheckConclusion maps the result onto the security-review check: blocked
// or at least failOn fails it; otherwise medium or higher is neutral, and
// low or info succeeds. A zero failOn means DefaultFailOn.
func (r *Result) CheckConclusion(failOn FailOn) Conclusion {
	switch {
	case r.Blocked || r.Risk >= Severity(failOn.orDefault()):
		return ConclusionFailure
	case r.Risk >= Medium:
		return ConclusionNeutral
	default:
		return ConclusionSuccess
	}
}
