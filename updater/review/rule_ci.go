package review

import (
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

var (
	// privilegedTrigger runs a workflow with the base repository's secrets
	// and write token on behalf of outside code.
	privilegedTrigger = regexp.MustCompile(`\b(pull_request_target|workflow_run)\b`)
	writePermission   = regexp.MustCompile(`^\s*(-\s*)?(permissions\s*:\s*write-all|[\w-]+\s*:\s*write)\s*(#.*)?$`)
	secretUse         = regexp.MustCompile(`\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)|\bsecrets\s*:\s*inherit\b`)
)

// checkCIWorkflow reports changed GitHub Actions workflows: a separate
// finding for each risky construct they gain, or one low finding for an
// edit without any.
func checkCIWorkflow(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if !isWorkflow(f.Path) {
			continue
		}
		if f.Status == ranges.FileDeleted {
			findings = append(findings, Finding{
				Severity:       Low,
				Title:          "CI workflow removed",
				Evidence:       []string{f.Path},
				Recommendation: "Check that no security check (scanning, signing, provenance) was dropped.",
			})
			continue
		}
		findings = append(findings, workflowFindings(f)...)
	}
	return findings
}

func workflowFindings(f *ranges.FileChange) []Finding {
	moved := removedSet(f)
	var trigger, perms, secrets evidence
	var triggers, secretNames []string
	for _, l := range f.AddedLines {
		if !moved.novel(l.Text) {
			continue
		}
		if m := privilegedTrigger.FindString(l.Text); m != "" && !seenBefore(f, m) {
			trigger.addLine(f.Path, l.No)
			triggers = appendUnique(triggers, m)
		}
		if writePermission.MatchString(l.Text) {
			perms.addLine(f.Path, l.No)
		}
		for _, m := range secretUse.FindAllStringSubmatch(l.Text, -1) {
			name := m[1]
			if name == "" {
				name = "inherit"
			}
			if name == "GITHUB_TOKEN" || seenBefore(f, m[0]) {
				continue
			}
			secrets.addLine(f.Path, l.No)
			secretNames = appendUnique(secretNames, name)
		}
	}
	var findings []Finding
	if !trigger.empty() {
		findings = append(findings, Finding{
			Severity: High,
			Title:    "CI workflow gains a privileged trigger: " + strings.Join(triggers, ", "),
			Evidence: trigger.items,
			Detail: "pull_request_target and workflow_run run with the repository's secrets and a write token " +
				"while handling code from forks." + trigger.note(),
			Recommendation: "Make sure the workflow never checks out or runs the pull request's code with those privileges.",
		})
	}
	if !perms.empty() {
		findings = append(findings, Finding{
			Severity:       Medium,
			Title:          "CI workflow grants write permissions",
			Evidence:       perms.items,
			Detail:         "New write scopes for the workflow token." + perms.note(),
			Recommendation: "Check that each write scope is needed by the job that gets it.",
		})
	}
	if !secrets.empty() {
		findings = append(findings, Finding{
			Severity:       Medium,
			Title:          "CI workflow uses secrets it did not use before",
			Evidence:       secrets.items,
			Detail:         "Secrets: " + listed(secretNames, 10) + "." + secrets.note(),
			Recommendation: "Check where the secrets are sent and which steps can read them.",
		})
	}
	if len(findings) == 0 {
		title := "CI workflow changed"
		if f.Status == ranges.FileAdded {
			title = "CI workflow added"
		}
		findings = append(findings, Finding{
			Severity:       Low,
			Title:          title,
			Evidence:       []string{f.Path},
			Detail:         "No privileged trigger, write permission or new secret was added.",
			Recommendation: "Skim the workflow for new third-party actions and downloaded tools.",
		})
	}
	return findings
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
