package review

import "testing"

func TestCheckConclusionByFailOn(t *testing.T) {
	type row struct {
		risk                   Severity
		blocked                bool
		medium, high, critical Conclusion
	}
	F, N, S := ConclusionFailure, ConclusionNeutral, ConclusionSuccess
	for _, tc := range []row{
		{Critical, false, F, F, F},
		{High, false, F, F, N},
		{Medium, false, F, N, N},
		{Low, false, S, S, S},
		{Info, false, S, S, S},
		{Low, true, F, F, F},
	} {
		r := newResult([]Finding{{Severity: tc.risk, Blocks: tc.blocked}}, ModeBuiltin)
		for f, want := range map[FailOn]Conclusion{FailOnMedium: tc.medium, FailOnHigh: tc.high, FailOnCritical: tc.critical} {
			if got := r.CheckConclusion(f); got != want {
				t.Errorf("%s blocked=%v --fail-on %s: %s, want %s", tc.risk, tc.blocked, f, got, want)
			}
		}
		if got := r.CheckConclusion(0); got != tc.high {
			t.Errorf("%s: zero FailOn gives %s, want the default's %s", tc.risk, got, tc.high)
		}
	}
	for _, bad := range []string{"low", "info", "", "severe"} {
		if _, err := ParseFailOn(bad); err == nil {
			t.Errorf("ParseFailOn(%q) accepted", bad)
		}
	}
	var f FailOn
	if err := f.Set("Critical"); err != nil || f != FailOnCritical || f.String() != "critical" {
		t.Errorf("Set(Critical) = %v, %v", f, err)
	}
}
