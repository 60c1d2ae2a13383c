package review

import (
	"regexp"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// processExec matches APIs that start a child process, across the
// languages MCP servers are written in.
var processExec = regexp.MustCompile(`\bchild_process\b|(?:^|[^\w:.])(exec|spawn)\s*\(|\b(execSync|execFile|execFileSync|spawnSync)\s*\(|` +
	`(?:^|[^\w:])(cp|childProcess|proc|pexpect)\.spawn\s*\(|\bexeca\b|\bshelljs\b|\bsubprocess\b|` +
	`\bos\.(system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawn)\s*\(|\bpty\.spawn\b|\basyncio\.create_subprocess_(exec|shell)\b|` +
	`"os/exec"|\bexec\.Command(Context)?\s*\(|\bsyscall\.(Exec|ForkExec)\b|Runtime\.getRuntime\(\)\s*\.\s*exec|` +
	`\bnew\s+ProcessBuilder\b|\bprocess::Command\b|\bCommand::new\s*\(|\b(shell_exec|proc_open|passthru|pcntl_exec)\s*\(|` +
	`\bProcess\.Start\s*\(|\bDeno\.(run|Command)\b|\bBun\.spawn|\bKernel\.(system|exec|spawn)\b|\bOpen3\.`)

// processExecHints gate the processExec regexp: a line without any of
// them cannot match it.
var processExecHints = newHints("child_process", "exec", "spawn", "subprocess", "system", "popen", "pty.",
	"command", "processbuilder", "passthru", "proc_open", "process.start", "deno.", "bun.", "kernel.", "open3", "shelljs")

// checkProcessExec reports new child-process execution in code files.
func checkProcessExec(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || !isCode(f.Path) {
			continue
		}
		fs := lineFindings(r, f, processExec, processExecHints, Finding{
			Severity:       Medium,
			Title:          "New process execution in " + f.Path,
			Detail:         "The server starts programs it did not start before.",
			Recommendation: "Check what is run, whether any part of the command comes from tool input, and whether a shell is involved.",
		})
		if isDocOrTest(f.Path) && readByBuild(r, f.Path) == "" {
			for j := range fs {
				fs[j].Severity = fs[j].Severity.lower(1)
			}
		}
		findings = append(findings, fs...)
	}
	return findings
}
