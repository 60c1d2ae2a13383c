package review

import (
	"path"
	"strings"
)

// Path classification. Upstream paths are slash-separated and relative to
// the repository root (as git reports them); nothing here touches a disk.

// lockfiles are generated from manifests; churn in them alone is routine.
var lockfiles = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true,
	"pnpm-lock.yaml": true, "bun.lock": true, "bun.lockb": true,
	"uv.lock": true, "poetry.lock": true, "pipfile.lock": true, "pdm.lock": true,
	"go.sum": true, "cargo.lock": true, "gemfile.lock": true, "composer.lock": true,
	"packages.lock.json": true, "gradle.lockfile": true, "deno.lock": true,
}

func isLockfile(p string) bool { return lockfiles[strings.ToLower(path.Base(p))] }

// isWorkflow reports GitHub Actions workflows and local actions: code that
// runs with the upstream's CI credentials.
func isWorkflow(p string) bool {
	if strings.HasPrefix(p, ".github/workflows/") {
		ext := path.Ext(p)
		return ext == ".yml" || ext == ".yaml"
	}
	if strings.HasPrefix(p, ".github/actions/") {
		b := path.Base(p)
		return b == "action.yml" || b == "action.yaml"
	}
	return false
}

// isDockerfile reports Dockerfile, Dockerfile.x, x.Dockerfile and Containerfile.
func isDockerfile(p string) bool {
	b := strings.ToLower(path.Base(p))
	return b == "dockerfile" || b == "containerfile" ||
		strings.HasPrefix(b, "dockerfile.") || strings.HasPrefix(b, "containerfile.") ||
		strings.HasSuffix(b, ".dockerfile") || strings.HasSuffix(b, ".containerfile")
}

// isCompose reports docker compose files.
func isCompose(p string) bool {
	b := strings.ToLower(path.Base(p))
	ext := path.Ext(b)
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	stem := strings.TrimSuffix(b, ext)
	return stem == "compose" || stem == "docker-compose" ||
		strings.HasPrefix(stem, "compose.") || strings.HasPrefix(stem, "docker-compose.")
}

// isBuildScript reports files whose commands run when the image is built
// or the package installed: Makefiles, shell scripts, task runners.
func isBuildScript(p string) bool {
	b := strings.ToLower(path.Base(p))
	switch b {
	case "makefile", "gnumakefile", "justfile", "taskfile.yml", "taskfile.yaml", "package.json", "build.sh", "install.sh":
		return true
	}
	switch path.Ext(b) {
	case ".mk", ".sh", ".bash", ".zsh", ".ps1":
		return true
	}
	return isDockerfile(p)
}

// isBuildFileName reports files that shape the build even when they sit
// outside source.directory, at the root or in a parent directory of it.
func isBuildFileName(p string) bool {
	return manifestKind(p) != "" || isLockfile(p) || isDockerfile(p) || isCompose(p) || isBuildScript(p)
}

// isBuildInput reports a file outside source.directory that still affects
// what gets built: CI anywhere, and build files in a directory that
// contains source.directory (root manifests, workspace lockfiles, a root
// Dockerfile).
func isBuildInput(dir, p string) bool {
	if isWorkflow(p) {
		return true
	}
	return isBuildFileName(p) && isAncestorDir(path.Dir(p), dir)
}

// isAncestorDir reports whether a (a directory, "." for the root) is dir
// or one of its parents.
func isAncestorDir(a, dir string) bool {
	if a == "." || a == "" {
		return true
	}
	dir = strings.Trim(dir, "/")
	return dir == a || strings.HasPrefix(dir, a+"/")
}

// inDirectory reports whether p lies under dir ("" is the whole repository).
func inDirectory(dir, p string) bool {
	dir = strings.Trim(dir, "/")
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// isDocOrTest reports documentation, examples and tests: text there is
// read by people or run only by the upstream's test suite, so it weighs
// less than code the server runs.
func isDocOrTest(p string) bool {
	lp := strings.ToLower(p)
	b := path.Base(lp)
	dirs := strings.Split(path.Dir(lp), "/")
	for _, seg := range dirs {
		if seg == "prompts" || seg == "prompt" {
			return false // text a server hands to the model is not documentation
		}
	}
	switch path.Ext(b) {
	case ".md", ".mdx", ".rst", ".adoc", ".html":
		return true
	}
	if strings.HasPrefix(b, "license") || strings.HasPrefix(b, "changelog") || strings.HasPrefix(b, "copying") {
		return true
	}
	if strings.Contains(b, "_test.") || strings.Contains(b, ".test.") || strings.Contains(b, ".spec.") ||
		strings.HasPrefix(b, "test_") || strings.HasSuffix(strings.TrimSuffix(b, path.Ext(b)), "_test") {
		return true
	}
	for _, seg := range dirs {
		switch seg {
		case "doc", "docs", "documentation", "example", "examples", "test", "tests", "testdata", "__tests__", "spec", "fixtures", "__mocks__":
			return true
		}
	}
	return false
}

// codeExtensions are source files a server runs; rules about what code
// does (process execution) look only at these.
var codeExtensions = map[string]bool{
	".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".mts": true, ".cts": true, ".tsx": true,
	".py": true, ".go": true, ".rb": true, ".php": true, ".java": true, ".kt": true, ".kts": true, ".scala": true,
	".rs": true, ".cs": true, ".swift": true, ".pl": true, ".lua": true, ".ex": true, ".exs": true, ".dart": true,
	".c": true, ".cc": true, ".cpp": true, ".h": true, ".hpp": true, ".groovy": true, ".clj": true,
}

func isCode(p string) bool { return codeExtensions[strings.ToLower(path.Ext(p))] }

// dataExtensions hold data rather than code: long lines and embedded
// base64 (images in SVG, source maps) are normal there.
var dataExtensions = map[string]bool{
	".json": true, ".svg": true, ".csv": true, ".tsv": true, ".map": true, ".snap": true, ".lock": true,
	".xml": true, ".txt": true, ".md": true, ".html": true, ".css": true, ".ipynb": true, ".geojson": true,
}

func isData(p string) bool { return dataExtensions[strings.ToLower(path.Ext(p))] }

// isLicense reports LICENSE*, LICENCE*, COPYING* and UNLICENSE files.
func isLicense(p string) bool {
	if isCode(p) {
		return false // license.go, license_check.py
	}
	b := strings.ToLower(path.Base(p))
	for _, prefix := range []string{"license", "licence", "copying", "unlicense"} {
		if b == prefix || strings.HasPrefix(b, prefix+".") || strings.HasPrefix(b, prefix+"-") || strings.HasPrefix(b, prefix+"_") {
			return true
		}
	}
	return false
}
