package main

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// TestUpdatedPRSaysWhatMovedSinceTheLastPush: when the upstream moves
// under an open PR, the updated body lists exactly the commits between the
// previous target and the new one.
func TestUpdatedPRSaysWhatMovedSinceTheLastPush(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0}, 3)
	f.pass(exitOK)
	pr, _ := f.openPRs()["alpha"]
	if strings.Contains(pr.Body, "Since the last push") {
		t.Errorf("a new PR has a since-the-last-push section:\n%s", pr.Body)
	}
	previous := f.ups["alpha"].commits[2]
	up := f.ups["alpha"].repo
	up.Commit("main", "first new <b>@someone</b>", gittest.Files(map[string]string{"src/main.go": "package main // 4\n"}))
	newest := up.Commit("main", "second new", gittest.Files(map[string]string{"src/main.go": "package main // 5\n"}))

	f.pass(exitOK)
	body := f.gh.PR(pr.Number).Body
	start := strings.Index(body, "### Since the last push\n\n")
	end := strings.Index(body, "Updates the pin of")
	if start < 0 || end < start {
		t.Fatalf("no since-the-last-push section before the body:\n%s", body)
	}
	section := body[start:end]
	want := "This PR proposed `" + previous[:7] + "` before; it now proposes `" + newest[:7] + "`: `" + previous[:7] + "..." + newest[:7] + "` · 2 new commits.\n"
	if !strings.Contains(section, want) {
		t.Errorf("section lacks %q:\n%s", want, section)
	}
	if n := strings.Count(section, "\n- `"); n != 2 || !strings.Contains(section, "`second new`") || !strings.Contains(section, "`first new <b>@someone</b>`") {
		t.Errorf("section lists %d commits, want exactly the 2 new ones (subjects in code spans):\n%s", n, section)
	}
	if strings.Contains(section, "alpha change") {
		t.Errorf("section lists commits from before the last push:\n%s", section)
	}
	if !strings.HasPrefix(body, "**Security review:**") {
		t.Errorf("the verdict line is not first:\n%s", body)
	}
}
