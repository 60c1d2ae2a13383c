package review

import "fmt"

// ProjectChange is a registry change pointing a server at another
// upstream repository (source.project or source.upstream).
type ProjectChange struct {
	From, To string
}

// projectChangedFinding reports the move: whoever controls the new
// repository now decides what the registry builds, whatever its code
// looks like today.
func projectChangedFinding(m ProjectChange) Finding {
	return Finding{
		Rule:     RuleProjectChanged,
		Severity: High,
		Title:    "The server now builds from another upstream repository",
		Evidence: []string{"source.project"},
		Detail: fmt.Sprintf("The registry change moves the server from %s to %s. The code at the new pin is reviewed in full below, "+
			"but the trust placed in the old repository's owners does not carry over.", m.From, m.To),
		Recommendation: "Confirm the new repository belongs to the server's maintainers (an announced move or fork), then review its code in full.",
	}
}
