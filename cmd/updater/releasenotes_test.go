package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// TestTagBumpCarriesReleaseNotes: a server following release tags on a
// host that is not GitHub moves v1.0.0 → v1.2.0; the PR carries the
// annotated messages of v1.2.0 and v1.1.0, fenced (hostile Markdown
// inert), and none of the releases outside the range.
func TestTagBumpCarriesReleaseNotes(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "tagged", "main", 4)
	up.repo.AnnotatedTag("v1.0.0", up.commits[0], "first release\n")
	up.repo.AnnotatedTag("v1.1.0", up.commits[1], "Fixes [a bug](https://evil.test) for @everyone\n<img src=x onerror=alert(1)>\n")
	up.repo.AnnotatedTag("v1.2.0-rc1", up.commits[2], "a prerelease\n")
	up.repo.AnnotatedTag("v1.2.0", up.commits[3], "Second release\n\n```\nfenced inside\n```\n")
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/tagged/server.yaml": serverYAML("tagged", up.url, "v1.0.0", up.commits[0], ""),
	})
	code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--server", "tagged", "--registry", reg, "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	i := strings.Index(stdout, "### Release notes (2 releases)\n\n")
	if i < 0 {
		t.Fatalf("no release notes in the preview:\n%s", stdout)
	}
	notes := stdout[i:strings.Index(stdout, "<!-- updater:server=")]
	want := "### Release notes (2 releases)\n\n" +
		"**`v1.2.0`** (tag message):\n\n````text\nSecond release\n\n```\nfenced inside\n```\n````\n\n" +
		"**`v1.1.0`** (tag message):\n\n```text\nFixes [a bug](https://evil.test) for @everyone\n<img src=x onerror=alert(1)>\n```\n\n"
	if notes != want {
		t.Errorf("release notes:\n%s\nwant:\n%s", notes, want)
	}
}
