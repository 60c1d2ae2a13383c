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
	RuleReleaseOffLine   = "release-off-line"
	// RuleTagMoved and RuleBuildBroken are not range rules: the pass
	// knows these facts (Options) and the review reports them.
	RuleTagMoved        = "tag-moved"
	RuleBuildBroken     = "build-broken"
	RuleProjectChanged  = "project-changed" // a registry change (Options.ProjectChanged)
	RuleCIWorkflow      = "ci-workflow"
	RuleInstallHook     = "install-hook"
	RuleDependencies    = "dependencies"
	RuleDockerfile      = "dockerfile"
	RuleBinaryOrBlob    = "binary-or-blob"
	RuleProcessExec     = "process-exec"
	RuleNetworkEndpoint = "network-endpoint"
	RuleSecret          = "secret"
	RuleToolPoisoning   = "tool-poisoning"
	RuleLicenseChanged  = "license-changed"
	RuleFirstTimeAuthor = "first-time-author"
	RuleSigningStopped  = "signing-stopped"
	RuleSkippedContent  = "skipped-content"
	// RuleAgentReview is not built in: findings about the agent reviewer
	// itself (failed, malformed, its verdict) carry it.
	RuleAgentReview = "agent-review"
)

var builtinRules = []Rule{
	{RuleHistoryRewritten, "the old pin is not an ancestor of the new one (upstream history rewritten)", checkHistoryRewritten},
	{RuleBaseMissing, "the old pin no longer exists upstream", checkBaseMissing},
	{RuleReleaseOffLine, "a tag's release is off the old pin's line: compared through the merge base", checkReleaseOffLine},
	{RuleCIWorkflow, "GitHub Actions workflows changed: pull_request_target, write permissions, secrets", checkCIWorkflow},
	{RuleInstallHook, "install-time code execution: npm lifecycle scripts, setup.py commands, build backends, curl | sh", checkInstallHook},
	{RuleDependencies, "dependencies added or removed in manifests; lockfile churn", checkDependencies},
	{RuleDockerfile, "Dockerfile and compose changes: base images, ADD of URLs, privileged settings", checkDockerfile},
	{RuleBinaryOrBlob, "binary files, minified or encoded blobs, eval of decoded data", checkBinaryOrBlob},
	{RuleProcessExec, "new child process execution in code", checkProcessExec},
	{RuleNetworkEndpoint, "hosts not seen before in a file; email recipients added", checkNetworkEndpoint},
	{RuleSecret, "private keys, token formats and high-entropy credentials committed", checkSecret},
	{RuleToolPoisoning, "prompt-injection text: hidden instructions, invisible characters, sensitive file reads", checkToolPoisoning},
	{RuleExfiltration, "network requests carrying the environment or credential files (code, shell scripts, Dockerfile RUN)", withShell(checkExfiltration, checkShellExfiltration)},
	{RuleCredentialAccess, "code, shell scripts and Dockerfile RUN reading SSH keys, cloud and registry credentials, keychains, browser profiles", withShell(checkCredentialAccess, checkShellCredentialAccess)},
	{RuleDynamicExec, "eval/exec/Function and computed imports of decoded, downloaded or assembled code; shell eval, source <(curl), downloaded scripts run", withShell(checkDynamicExec, checkShellDynamicExec)},
	{RuleHiddenRecipient, "BCC/CC/forwarding addresses the code (or a shell mail command) supplies itself", withShell(checkHiddenRecipient, checkShellHiddenRecipient)},
	{RuleExposure, "wildcard CORS, all-interface listeners, authentication and TLS checks turned off", checkExposure},
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
	// TagMoved, when set, is the tag source.branch names having moved
	// upstream since it was pinned: critical, blocks.
	TagMoved *TagMove
	// BuildBroken, when not empty, says why the build inputs are missing
	// at the new pin: critical, blocks.
	BuildBroken string
	// ProjectChanged, when set, is a registry change moving the server to
	// another upstream repository: high.
	ProjectChanged *ProjectChange
	// Allowed are the server's accepted findings (.github/updater.yaml).
	Allowed []Allowance
}

// TagMove is a pinned tag found pointing at another commit.
type TagMove struct {
	Tag    string `json:"tag"`    // as source.branch names it
	Pinned string `json:"pinned"` // source.commit
	Now    string `json:"now"`    // what the tag points at now
}

// Review runs the built-in rules over r. A nil range is reviewed as one
// whose old pin could not be found: no input is never a pass.
func Review(r *ranges.Range, opts Options) *Result {
	if r == nil {
		r = &ranges.Range{}
	}
	var findings []Finding
	var tools []ToolChange
	withBuildScope(r, func() {
		withCodeCache(r, func() {
			for _, rl := range builtinRules {
				if !alwaysOn[rl.ID] && slices.Contains(opts.Disable, rl.ID) {
					continue
				}
				findings = append(findings, rl.run(r)...)
			}
		})
		tools = toolChanges(r)
	})
	if opts.TagMoved != nil {
		findings = append(findings, tagMovedFinding(*opts.TagMoved))
	}
	if opts.BuildBroken != "" {
		findings = append(findings, Finding{
			Rule: RuleBuildBroken, Severity: Critical, Blocks: true,
			Title:          "The build inputs are missing at the new pin",
			Detail:         opts.BuildBroken + ".",
			Recommendation: "Do not merge: the registry cannot build the server at this commit. Point source.directory and source.dockerfile at the new places by hand, or wait for a fixed release.",
		})
	}
	if opts.ProjectChanged != nil {
		findings = append(findings, projectChangedFinding(*opts.ProjectChanged))
	}
	markAllowed(findings, opts.Allowed)
	res := newResult(findings, ModeBuiltin)
	res.Tools = tools
	return res
}
