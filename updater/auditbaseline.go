package updater

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
	"github.com/mcp-registry/updater/updater/review"
)

// BaselinePath is the audit's baseline of accepted findings, in the
// registry: maintainers own it, as they own the allow-list.
const BaselinePath = ".github/updater-baseline.json"

// baselineVersion is the baseline file's schema version.
const baselineVersion = 1

// Baseline is the audit's accepted findings: each one found again (same
// server and fingerprint) is not reported.
type Baseline struct {
	Version  int             `json:"version"`
	Accepted []BaselineEntry `json:"accepted"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Server      string `json:"server"`
	Rule        string `json:"rule"`
	Path        string `json:"path,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Reason      string `json:"reason"`
}

// ParseBaseline reads a baseline strictly: unknown fields, a missing
// reason, a bad server name or fingerprint are errors naming the file.
func ParseBaseline(data []byte) (Baseline, error) {
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	fail := func(format string, args ...any) (Baseline, error) {
		return Baseline{}, &registry.FileError{Path: BaselinePath, Err: fmt.Errorf(format, args...)}
	}
	if err := dec.Decode(&b); err != nil {
		return fail("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("data after the document")
	}
	if b.Version != baselineVersion {
		return fail("version %d, want %d", b.Version, baselineVersion)
	}
	for i, e := range b.Accepted {
		switch {
		case !registry.ValidName(e.Server):
			return fail("accepted[%d]: server %q is not a server name", i, e.Server)
		case e.Rule == "":
			return fail("accepted[%d]: no rule", i)
		case !fingerprintRE.MatchString(e.Fingerprint):
			return fail("accepted[%d]: fingerprint %q is not sha256:<64 hex>", i, e.Fingerprint)
		case strings.TrimSpace(e.Reason) == "":
			return fail("accepted[%d]: every accepted finding needs a reason", i)
		}
	}
	return b, nil
}

var fingerprintRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// locationLineRE is a location's line number ("src/a.ts:12"), and
// numberRE any number in a title: neither survives an edit above the
// finding.
var (
	locationLineRE = regexp.MustCompile(`:[0-9]+$`)
	numberRE       = regexp.MustCompile(`[0-9]+`)
)

// Fingerprint identifies a finding across audits while lines move: its
// rule, the paths of its locations (line numbers dropped), and its title
// normalised (case, white space and numbers folded). Editing the matched
// text, or moving it to another file, makes a new finding.
func Fingerprint(f review.Finding) string {
	var paths []string
	for _, loc := range f.Evidence {
		paths = append(paths, locationLineRE.ReplaceAllString(loc, ""))
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	title := strings.Join(strings.Fields(strings.ToLower(numberRE.ReplaceAllString(f.Title, "#"))), " ")
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + strings.Join(paths, "\x00") + "\x00" + title))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// findingPath is the first location's path, for people reading the
// baseline.
func findingPath(f review.Finding) string {
	if len(f.Evidence) == 0 {
		return ""
	}
	return locationLineRE.ReplaceAllString(f.Evidence[0], "")
}

// AuditFinding is a finding the audit reports: not allowed, not in the
// baseline.
type AuditFinding struct {
	Server      string   `json:"server"`
	Rule        string   `json:"rule"`
	Severity    string   `json:"severity"`
	Title       string   `json:"title"`
	Path        string   `json:"path,omitempty"`
	Evidence    []string `json:"evidence,omitempty"`
	Fingerprint string   `json:"fingerprint"`
	Blocks      bool     `json:"blocks,omitempty"`

	severity review.Severity
}

// AuditReport is what `updater audit` found.
type AuditReport struct {
	Servers   int            `json:"servers"`   // locally built servers audited
	New       []AuditFinding `json:"new"`       // findings to look at
	Baselined int            `json:"baselined"` // accepted in the baseline
	Allowed   int            `json:"allowed"`   // accepted by the allow-list
	Errors    []string       `json:"errors,omitempty"`
}

// serverAudit is one server's full review for the audit.
type serverAudit struct {
	server   string
	findings []review.Finding
}

// auditFindings sorts one run's findings into new, baselined and allowed
// (pure). Info findings are not reported: they carry no risk.
func auditFindings(servers []serverAudit, base Baseline) AuditReport {
	accepted := map[string]bool{}
	for _, e := range base.Accepted {
		accepted[e.Server+"\x00"+e.Fingerprint] = true
	}
	rep := AuditReport{Servers: len(servers), New: []AuditFinding{}}
	for _, s := range servers {
		for _, f := range s.findings {
			fp := Fingerprint(f)
			switch {
			case f.Allowed != "":
				rep.Allowed++
			case accepted[s.server+"\x00"+fp]:
				rep.Baselined++
			case f.Severity > review.Info:
				rep.New = append(rep.New, AuditFinding{
					Server: s.server, Rule: f.Rule, Severity: f.Severity.String(), Title: f.Title, Path: findingPath(f),
					Evidence: f.Evidence, Fingerprint: fp, Blocks: f.Blocks, severity: f.Severity,
				})
			}
		}
	}
	slices.SortStableFunc(rep.New, func(a, b AuditFinding) int {
		if a.severity != b.severity {
			return int(b.severity) - int(a.severity)
		}
		return strings.Compare(a.Server, b.Server)
	})
	return rep
}

// Failing reports whether the audit's new findings fail it under failOn:
// one blocks, or is at least failOn.
func (r *AuditReport) Failing(failOn review.FailOn) bool {
	if failOn == 0 {
		failOn = review.DefaultFailOn
	}
	for _, f := range r.New {
		if f.Blocks || f.severity >= review.Severity(failOn) {
			return true
		}
	}
	return false
}

// withBaseline is base with every new finding of rep accepted for reason;
// entries of the audited servers that no longer match are dropped (what
// was fixed need not stay accepted), other servers' are kept.
func withBaseline(base Baseline, audited []serverAudit, rep AuditReport, reason string) Baseline {
	current := map[string]bool{}
	auditedNames := map[string]bool{}
	for _, s := range audited {
		auditedNames[s.server] = true
		for _, f := range s.findings {
			current[s.server+"\x00"+Fingerprint(f)] = true
		}
	}
	out := Baseline{Version: baselineVersion, Accepted: []BaselineEntry{}}
	for _, e := range base.Accepted {
		if !auditedNames[e.Server] || current[e.Server+"\x00"+e.Fingerprint] {
			out.Accepted = append(out.Accepted, e)
		}
	}
	for _, f := range rep.New {
		out.Accepted = append(out.Accepted, BaselineEntry{Server: f.Server, Rule: f.Rule, Path: f.Path, Fingerprint: f.Fingerprint, Reason: reason})
	}
	slices.SortStableFunc(out.Accepted, func(a, b BaselineEntry) int {
		return strings.Compare(a.Server+"\x00"+a.Rule+"\x00"+a.Path, b.Server+"\x00"+b.Rule+"\x00"+b.Path)
	})
	return out
}

// maxAuditRows bounds the findings the Markdown section lists.
const maxAuditRows = 100

// AuditSection is the audit's new findings as Markdown: the job summary
// and the artifact's audit.md (the dashboard's section is
// auditDashboardLines). Upstream text goes through the one sanitizer.
func AuditSection(r *AuditReport) string {
	var b strings.Builder
	b.WriteString("## Security audit\n\n")
	fmt.Fprintf(&b, "Full review of every locally built server at its pin: %d server%s, **%d new finding%s** (%d accepted in `%s`, %d allowed).\n\n",
		r.Servers, plural(r.Servers), len(r.New), plural(len(r.New)), r.Baselined, BaselinePath, r.Allowed)
	for _, e := range r.Errors {
		b.WriteString("- **Not audited**: " + mdsafe.Prose(e, 400) + "\n")
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n")
	}
	if len(r.New) == 0 {
		b.WriteString("Nothing new.\n")
		return b.String()
	}
	b.WriteString("| Server | Severity | Rule | Finding | Where |\n|---|---|---|---|---|\n")
	for i, f := range r.New {
		if i == maxAuditRows {
			fmt.Fprintf(&b, "\n… and %d more (`--json` lists them all).\n", len(r.New)-i)
			break
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdsafe.CellCode(f.Server, 100), strings.ToUpper(f.Severity),
			mdsafe.CellCode(f.Rule, 60), mdsafe.Prose(f.Title, 300), mdsafe.CellCode(f.Path, 200))
	}
	b.WriteString("\nAccept what is fine with `updater audit --write-baseline --reason \"...\"`, or per rule in `.github/updater.yaml` (`allow:`).\n")
	return b.String()
}
