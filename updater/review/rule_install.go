package review

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// npmInstallScripts run on `npm install` of the package or of a git
// dependency on it.
var npmInstallScripts = []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"}

var (
	npmScriptLine = regexp.MustCompile(`"(preinstall|install|postinstall|prepublish|preprepare|prepare|postprepare)"\s*:`)
	// setupHook is a setup.py that runs its own code during install/build.
	setupHook = regexp.MustCompile(`\bcmdclass\b|\b(setuptools|distutils)\.command\b|class\s+\w+\s*\(\s*(install|develop|build_py|build_ext|egg_info|sdist|bdist_wheel|build)\s*\)`)
	// pyprojectHook is a build-time hook or in-tree backend in pyproject.toml.
	pyprojectHook = regexp.MustCompile(`^\s*\[tool\.hatch\.(build\.)?(targets\.[\w.-]+\.)?hooks|^\s*backend-path\s*=|\bcmdclass\b|^\s*\[tool\.pdm\.build\]|^\s*\[tool\.setuptools\.cmdclass\]`)
	buildBackend  = regexp.MustCompile(`(?m)^\s*build-backend\s*=\s*["']([^"']+)["']`)
	// pipeToShell downloads and runs a script in one go.
	pipeToShell = regexp.MustCompile(`(?i)\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+)?(-\S+\s+)*(ba|z|da|k)?sh\b|\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+)?(python[0-9.]*|node|perl|ruby)\b|\b(ba|z)?sh\s+(-c\s+)?["']?\s*[<$]\(\s*(curl|wget)\b|\b(iwr|irm|invoke-webrequest|invoke-restmethod)\b[^|]*\|\s*(iex|invoke-expression)\b`)
)

// pipeToShellHints gate the pipeToShell regexp.
var pipeToShellHints = newHints("curl", "wget", "fetch", "iwr", "irm", "invoke-")

// checkInstallHook reports code that runs when the package is installed or
// the image built: npm lifecycle scripts, setup.py commands, Python build
// backends and hooks, and curl | sh in build scripts and Dockerfiles.
func checkInstallHook(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary {
			continue
		}
		switch strings.ToLower(path.Base(f.Path)) {
		case "package.json":
			findings = append(findings, npmScriptFindings(r, f)...)
		case "setup.py":
			findings = append(findings, lineFindings(r, f, setupHook, nil, Finding{
				Severity:       High,
				Title:          "setup.py gains custom install or build commands",
				Detail:         "cmdclass and command subclasses run arbitrary code when the package is built or installed.",
				Recommendation: "Read the custom command classes in full.",
			})...)
		case "pyproject.toml":
			findings = append(findings, pyprojectFindings(r, f)...)
		}
		if isBuildScript(f.Path) {
			findings = append(findings, lineFindings(r, f, pipeToShell, pipeToShellHints, Finding{
				Severity: High,
				Title:    "A downloaded script is piped into a shell",
				Detail: "curl | sh runs whatever the remote host serves at build or install time; " +
					"nothing pins or verifies it.",
				Recommendation: "Ask the upstream to download a pinned version and verify its checksum, or vendor it.",
			})...)
		}
	}
	return findings
}

func npmScriptFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	newM, err := parseNPM(f.New)
	if f.New == nil || err != nil {
		// Unparsable or over the cap: fall back to the added lines.
		return lineFindings(r, f, npmScriptLine, nil, Finding{
			Severity:       High,
			Title:          "npm install-time script added or changed",
			Detail:         "package.json could not be parsed; these added lines name install lifecycle scripts.",
			Recommendation: "Read the scripts: they run on every install of the package.",
		})
	}
	oldScripts := map[string]string{}
	if f.Old != nil {
		if oldM, err := parseNPM(f.Old); err == nil {
			oldScripts = oldM.scripts
		}
	}
	var changed []string
	var ev evidence
	for _, name := range npmInstallScripts {
		cmd, ok := newM.scripts[name]
		if !ok || oldScripts[name] == cmd {
			continue
		}
		verb := "added"
		if _, had := oldScripts[name]; had {
			verb = "changed"
		}
		changed = append(changed, fmt.Sprintf("%s (%s): %s", name, verb, truncate(cmd, 200)))
		needle := `"` + name + `"`
		if no := addedLineWith(f, needle); no > 0 {
			ev.addLine(f.Path, no)
		} else if no := lineOf(f.New, needle); no > 0 {
			ev.addLine(f.Path, no)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	sort.Strings(changed)
	if ev.empty() {
		ev.add(f.Path)
	}
	return []Finding{{
		Severity:       weigh(r, f, High),
		Title:          "npm install-time script added or changed",
		Evidence:       ev.items,
		Detail:         "Scripts that run on install: " + strings.Join(changed, "; ") + ".",
		Recommendation: "Read the scripts and what they download or execute; they run on every install of the package.",
	}}
}

func pyprojectFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	findings := lineFindings(r, f, pyprojectHook, nil, Finding{
		Severity:       High,
		Title:          "Python build hooks or an in-tree build backend added",
		Detail:         "Build hooks and backend-path run code from the repository when the package is built.",
		Recommendation: "Read the hook code in full.",
	})
	oldBackend, newBackend := backendOf(f.Old), backendOf(f.New)
	if f.New != nil && newBackend != oldBackend && (f.Old != nil || f.Status == ranges.FileAdded) && newBackend != "" {
		ev := []string{f.Path}
		if no := lineOf(f.New, "build-backend"); no > 0 {
			ev = []string{fmt.Sprintf("%s:%d", f.Path, no)}
		}
		from := oldBackend
		if from == "" {
			from = "none"
		}
		findings = append(findings, Finding{
			Severity:       weigh(r, f, High),
			Title:          "Python build backend changed",
			Evidence:       ev,
			Detail:         fmt.Sprintf("build-backend %s → %s. The backend is code that runs at build time.", from, newBackend),
			Recommendation: "Check that the new backend is a well-known package and pinned in build-system.requires.",
		})
	}
	return findings
}

func backendOf(content []byte) string {
	if content == nil {
		return ""
	}
	m := buildBackend.FindSubmatch(content)
	if m == nil {
		return ""
	}
	return string(m[1])
}
