package review

import (
	"slices"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Rule is one built-in check: a pure function of the range.
type Rule struct {
	ID          string
	Description string
	Check       func(r *ranges.Range) []Finding
}

// run calls the check and stamps the rule id on its findings, so the table
// is the one place that names them.
func (rl Rule) run(r *ranges.Range) []Finding {
	fs := rl.Check(r)
	for i := range fs {
		fs[i].Rule = rl.ID
	}
	return fs
}

// Rule ids. The ids are part of the output (reports, JSON), so they stay stable.
const (
	RuleHistoryRewritten = "history-rewritten"
	RuleBaseMissing      = "base-missing"
	RuleCIWorkflow       = "ci-workflow"
	RuleInstallHook      = "install-hook"
	RuleDependencies     = "dependencies"
	RuleDockerfile       = "dockerfile"
	RuleBinaryOrBlob     = "binary-or-blob"
	RuleProcessExec      = "process-exec"
	RuleNetworkEndpoint  = "network-endpoint"
	RuleSecret           = "secret"
	RuleToolPoisoning    = "tool-poisoning"
	RuleLicenseChanged   = "license-changed"
	RuleFirstTimeAuthor  = "first-time-author"
	RuleSigningStopped   = "signing-stopped"
	RuleSkippedContent   = "skipped-content"
	// RuleAgentReview is not built in: findings about the agent reviewer
	// itself (failed, malformed, its verdict) carry it.
	RuleAgentReview = "agent-review"
)

var builtinRules = []Rule{
	{RuleHistoryRewritten, "the old pin is not an ancestor of the new one (upstream history rewritten)", checkHistoryRewritten},
	{RuleBaseMissing, "the old pin no longer exists upstream", checkBaseMissing},
	{RuleCIWorkflow, "GitHub Actions workflows changed: pull_request_target, write permissions, secrets", checkCIWorkflow},
	{RuleInstallHook, "install-time code execution: npm lifecycle scripts, setup.py commands, build backends, curl | sh", checkInstallHook},
	{RuleDependencies, "dependencies added or removed in manifests; lockfile churn", checkDependencies},
	{RuleDockerfile, "Dockerfile and compose changes: base images, ADD of URLs, privileged settings", checkDockerfile},
	{RuleBinaryOrBlob, "binary files, minified or encoded blobs, eval of decoded data", checkBinaryOrBlob},
	{RuleProcessExec, "new child process execution in code", checkProcessExec},
	{RuleNetworkEndpoint, "hosts not seen before in a file; email recipients added", checkNetworkEndpoint},
	{RuleSecret, "private keys, token formats and high-entropy credentials committed", checkSecret},
	{RuleToolPoisoning, "prompt-injection text: hidden instructions, invisible characters, sensitive file reads", checkToolPoisoning},
	{RuleLicenseChanged, "license files modified or removed", checkLicenseChanged},
	{RuleFirstTimeAuthor, "commits by authors never seen before the old pin", checkFirstTimeAuthor},
	{RuleSigningStopped, "unsigned commits after a signed old pin", checkSigningStopped},
	{RuleSkippedContent, "parts of the range the size and count caps left unreviewed", checkSkippedContent},
}

// Rules returns the built-in rules in the order Review runs them.
func Rules() []Rule { return slices.Clone(builtinRules) }

// alwaysOn rules cannot be disabled: they are what makes a bump unmergeable.
var alwaysOn = map[string]bool{RuleHistoryRewritten: true, RuleBaseMissing: true, RuleSkippedContent: true}

// Options tune a review.
type Options struct {
	// Disable lists rule ids not to run (noisy ones for a given registry).
	// history-rewritten, base-missing and skipped-content always run;
	// unknown ids are ignored.
	Disable []string
}

// Review runs the built-in rules over r. A nil range is reviewed as one
// whose old pin could not be found: no input is never a pass.
func Review(r *ranges.Range, opts Options) *Result {
	if r == nil {
		r = &ranges.Range{}
	}
	var findings []Finding
	for _, rl := range builtinRules {
		if !alwaysOn[rl.ID] && slices.Contains(opts.Disable, rl.ID) {
			continue
		}
		findings = append(findings, rl.run(r)...)
	}
	return newResult(findings, ModeBuiltin)
}
