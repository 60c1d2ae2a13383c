package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// previewDoc is the part of `run --dry-run --json` a preview adds.
type previewDoc struct {
	Decisions []struct {
		Server  string `json:"server"`
		Commits int    `json:"commits"`
		PR      *struct {
			Outcome string `json:"outcome"`
			Number  int    `json:"number"`
		} `json:"pr"`
		Review *struct {
			Risk string `json:"risk"`
		} `json:"review"`
		Preview *struct {
			Title  string   `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
			Check  *struct {
				Name       string `json:"name"`
				Conclusion string `json:"conclusion"`
				Title      string `json:"title"`
			} `json:"check"`
		} `json:"preview"`
	} `json:"decisions"`
}

func parsePreview(t *testing.T, stdout string) previewDoc {
	t.Helper()
	var doc previewDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("report: %v\n%s", err, stdout)
	}
	return doc
}

// TestPreviewWithoutGitHub: `run --dry-run --server X` with no GitHub
// settings at all reviews the local range and prints the PR the bot would
// open: title, labels, check and body, the text a writing pass sends.
func TestPreviewWithoutGitHub(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 3)
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/alpha/server.yaml": serverYAML("alpha", up.url, "", up.commits[0], "src"),
		"servers/bravo/server.yaml": serverYAML("bravo", up.url, "", up.commits[0], "src"),
	})
	cache := t.TempDir()
	code, stdout, stderr := cli(context.Background(), nil, "run", "--dry-run", "--server", "alpha", "--registry", reg, "--cache-dir", cache)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	text := stdout
	got := strings.ReplaceAll(text, s.URL, "http://GIT")
	golden(t, "preview-alpha.txt", got)

	// What the golden file must hold, said once more in code.
	old, target := up.commits[0][:7], up.commits[2][:7]
	for _, want := range []string{
		"=== alpha: would open ===",
		"Title:  Update alpha pin to " + target + "\n",
		"Labels: pin-update, security-risk:info\n",
		"Check:  security-review/alpha: success (Risk: info, 0 findings)\n",
		"Body:\n**Security review:** risk **info**, not blocked · check `security-review/alpha`: success · report in the review comment\n",
		"| Range | `" + old + "..." + target + "` · 2 commits |",
		"default branch main; would open PR; review info\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the preview lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "bravo: would open") {
		t.Error("a server outside the selection was previewed")
	}

	// --json carries the same fields.
	code, stdout, stderr = cli(context.Background(), nil, "run", "--preview", "--json", "--server", "alpha", "--registry", reg, "--cache-dir", cache)
	if code != exitOK {
		t.Fatalf("--preview --json: exit %d; stderr:\n%s", code, stderr)
	}
	doc := parsePreview(t, stdout)
	if len(doc.Decisions) != 1 || doc.Decisions[0].Preview == nil {
		t.Fatalf("--json: no preview:\n%s", stdout)
	}
	d := doc.Decisions[0]
	pv := d.Preview
	if pv.Title != "Update alpha pin to "+target || strings.Join(pv.Labels, ",") != "pin-update,security-risk:info" ||
		pv.Check == nil || pv.Check.Name != "security-review/alpha" || pv.Check.Conclusion != "success" || d.Commits != 2 {
		t.Errorf("--json preview %+v (check %+v, %d commits)", pv, pv.Check, d.Commits)
	}
	if !strings.Contains(text, "Body:\n"+strings.TrimSuffix(pv.Body, "\n")+"\n=== end of alpha ===") {
		t.Errorf("the JSON body is not the text preview's:\n%s", pv.Body)
	}
}

// TestPreviewWithGitHubWritesNothing: with credentials a preview reads the
// bot's PRs (an open one would be updated, and says since when) and still
// writes nothing; the PR it previews is the PR the writing pass then
// sends, but for the link to the review comment that does not exist yet.
func TestPreviewWithGitHubWritesNothing(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0}, 2)
	f.pass(exitOK, "--server", "alpha")
	pr, _ := f.botPR("alpha")
	moved := f.ups["alpha"].repo.Commit("main", "alpha moves on", gittest.Files(map[string]string{"src/main.go": "package main // moved\n"}))

	f.gh.ResetLog()
	code, stdout, stderr := cli(context.Background(), f.env, "run", "--registry", f.checkout(), "--dry-run", "--server", "alpha",
		"--json", "--cache-dir", f.cache)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if w := f.gh.Writes(); len(w) != 0 {
		t.Fatalf("the preview wrote to GitHub: %+v", w)
	}
	doc := parsePreview(t, stdout)
	d := doc.Decisions[0]
	if d.PR == nil || d.PR.Outcome != "would-update" || d.PR.Number != pr.Number || d.Preview == nil {
		t.Fatalf("decision %+v, want a previewed update of #%d", d, pr.Number)
	}
	if !strings.Contains(d.Preview.Body, "### Since the last push") || !strings.Contains(d.Preview.Body, "`alpha moves on`") {
		t.Errorf("the previewed update does not say what moved since the last push:\n%s", d.Preview.Body)
	}

	f.pass(exitOK, "--server", "alpha")
	updated := f.gh.PR(pr.Number)
	link := commentLink(t, f, pr.Number)
	if want := strings.Replace(d.Preview.Body, "report in the review comment", "[report]("+link+")", 1); updated.Body != want {
		t.Errorf("the PR written differs from the preview:\n%s\nwant:\n%s", updated.Body, want)
	}
	if updated.Title != d.Preview.Title || !strings.Contains(updated.Title, moved[:7]) {
		t.Errorf("title %q, preview %q", updated.Title, d.Preview.Title)
	}
}

// commentLink is the web address of the bot's review comment on a PR.
func commentLink(t *testing.T, f *registryFixture, number int) string {
	t.Helper()
	for _, c := range f.gh.Comments(number) {
		if strings.Contains(c.Body, "<!-- updater:review -->") {
			return f.gh.URL + "/" + f.gh.Owner + "/" + f.gh.Repo + fmt.Sprintf("/pull/%d#issuecomment-%d", number, c.ID)
		}
	}
	t.Fatalf("no review comment on #%d", number)
	return ""
}
