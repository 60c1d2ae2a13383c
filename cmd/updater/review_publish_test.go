package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/updater"
)

// artifactRun makes the results artifact of a contributor's PR as the
// pull_request workflow does: review --pr --artifact, no writes.
func artifactRun(t *testing.T, c *contributorPR) (dir string, doc map[string]any) {
	t.Helper()
	dir = t.TempDir()
	c.f.gh.ResetLog()
	c.review(exitOK, "--artifact", dir)
	if w := c.f.gh.Writes(); len(w) != 0 {
		t.Fatalf("review --artifact wrote to GitHub: %v", w)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != updater.ArtifactFile {
		t.Fatalf("artifact dir holds %v, want only %s", entries, updater.ArtifactFile)
	}
	raw, err := os.ReadFile(filepath.Join(dir, updater.ArtifactFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return dir, doc
}

// writeArtifact writes doc as a fresh artifact directory.
func writeArtifact(t *testing.T, doc map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, updater.ArtifactFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// publish runs `updater review publish` with the PR number and head as
// the workflow takes them from the triggering event.
func (c *contributorPR) publish(dir string, pr int, head string) (int, string) {
	code, _, stderr := cli(context.Background(), c.f.env, "review", "publish", "--artifact", dir,
		"--pr", strconv.Itoa(pr), "--head", head, "--comment-author", "updater-bot")
	return code, stderr
}

// clone deep-copies a JSON document.
func clone(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(doc)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// server is the artifact's entry for name.
func server(doc map[string]any, name string) map[string]any {
	for _, s := range doc["servers"].([]any) {
		if m := s.(map[string]any); m["server"] == name {
			return m
		}
	}
	return nil
}

// TestReviewPublishArtifact: the artifact of the read-only run publishes,
// through the bot's publisher, what review --pr publishes itself; a
// re-publish adds no comment; an extra file beside the artifact is
// ignored; injected mentions, links and HTML in a report are sanitized.
func TestReviewPublishArtifact(t *testing.T) {
	c := newContributorPR(t)
	gh := c.f.gh
	dir, doc := artifactRun(t, c)
	head := gh.PR(c.number).HeadSHA
	if doc["head_sha"] != head || doc["pr"] != float64(c.number) || doc["schema"] != float64(updater.ArtifactSchema) {
		t.Fatalf("artifact header: %v %v %v", doc["schema"], doc["pr"], doc["head_sha"])
	}
	evil := server(doc, "evil")
	evil["report"] = evil["report"].(string) + "\ncc @octocat <img src=x onerror=alert(1)> [win](https://evil.test/x)\n"
	forged := writeArtifact(t, doc)
	if err := os.WriteFile(filepath.Join(forged, "extra.sh"), []byte("rm -rf /\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stderr := c.publish(forged, c.number, head); code != exitOK {
		t.Fatalf("publish: exit %d\n%s", code, stderr)
	}
	runs := gh.CheckRuns(head)
	if len(runs) != 3 {
		t.Fatalf("%d checks, want 3", len(runs))
	}
	for _, r := range runs {
		if r.Name == "security-review/evil" && r.Conclusion != "failure" {
			t.Errorf("evil: %s, want failure", r.Conclusion)
		}
	}
	if risk := reviewLabels(gh.PR(c.number).Labels); len(risk) != 1 {
		t.Errorf("risk labels %v, want exactly one", risk)
	}
	comments := gh.Comments(c.number)
	if len(comments) != 3 {
		t.Fatalf("%d comments, want 3", len(comments))
	}
	for _, cm := range comments {
		for _, bad := range []string{"@octocat", "<img", "](https://evil", "https://evil.test"} {
			if strings.Contains(cm.Body, bad) {
				t.Errorf("%q reached the comment", bad)
			}
		}
	}
	if code, stderr := c.publish(dir, c.number, head); code != exitOK {
		t.Fatalf("re-publish: exit %d\n%s", code, stderr)
	}
	if n := len(gh.Comments(c.number)); n != 3 {
		t.Errorf("a re-publish left %d comments, want 3", n)
	}
}

// TestReviewPublishRefusesForgedArtifacts: every forged artifact is
// refused before any write: the emulator's log holds no write.
func TestReviewPublishRefusesForgedArtifacts(t *testing.T) {
	c := newContributorPR(t)
	gh := c.f.gh
	_, doc := artifactRun(t, c)
	head := gh.PR(c.number).HeadSHA
	other := strings.Repeat("b", 40)
	for _, tc := range []struct {
		name     string
		forge    func(doc map[string]any)
		pr       int
		head     string
		artifact func(t *testing.T, doc map[string]any) string
		want     string
	}{
		{name: "artifact for another head", forge: func(d map[string]any) { d["head_sha"] = other }, want: "head"},
		{name: "flags for another head", head: other, want: "moved on"},
		{name: "artifact for another PR", forge: func(d map[string]any) { d["pr"] = 99 }, want: "pull request #99"},
		{name: "unknown field", forge: func(d map[string]any) { d["publish_as"] = "admin" }, want: "unknown field"},
		{name: "unknown server field", forge: func(d map[string]any) { server(d, "tool")["merge"] = true }, want: "unknown field"},
		{name: "schema version", forge: func(d map[string]any) { d["schema"] = 2 }, want: "schema 2"},
		{name: "label outside the set", forge: func(d map[string]any) {
			server(d, "tool")["labels"] = []any{"security-risk:info", "approved"}
		}, want: "not one of the review's labels"},
		{name: "critical passed off as success", forge: func(d map[string]any) {
			e := server(d, "evil")
			e["conclusion"] = "success"
			e["blocked"], e["risk"], e["labels"] = false, "critical", []any{"security-risk:critical"}
		}, want: "conclusion success"},
		{name: "a title that says less than the risk", forge: func(d map[string]any) {
			server(d, "evil")["title"] = "Risk: info, 0 findings"
		}, want: "does not say risk"},
		{name: "server not in the PR", forge: func(d map[string]any) { server(d, "tool")["server"] = "other" }, want: "not a server this pull request"},
		{name: "a changed server left out", forge: func(d map[string]any) {
			var keep []any
			for _, s := range d["servers"].([]any) {
				if s.(map[string]any)["server"] != "evil" {
					keep = append(keep, s)
				}
			}
			d["servers"] = keep
		}, want: "no verdict for it"},
		{name: "bad server name", forge: func(d map[string]any) { server(d, "tool")["server"] = "../x" }, want: "not a server name"},
		{name: "oversize", forge: func(d map[string]any) {
			server(d, "tool")["report"] = strings.Repeat("x", 6<<20)
		}, want: "cap"},
		{name: "symlinked artifact file", artifact: func(t *testing.T, d map[string]any) string {
			real := writeArtifact(t, d)
			dir := t.TempDir()
			if err := os.Symlink(filepath.Join(real, updater.ArtifactFile), filepath.Join(dir, updater.ArtifactFile)); err != nil {
				t.Fatal(err)
			}
			return dir
		}, want: "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := clone(t, doc)
			if tc.forge != nil {
				tc.forge(d)
			}
			dir := ""
			if tc.artifact != nil {
				dir = tc.artifact(t, d)
			} else {
				dir = writeArtifact(t, d)
			}
			pr, h := c.number, head
			if tc.pr != 0 {
				pr = tc.pr
			}
			if tc.head != "" {
				h = tc.head
			}
			gh.ResetLog()
			code, stderr := c.publish(dir, pr, h)
			if tc.want == "moved on" {
				// Not an error: the newer run publishes; still no write.
				if code != exitOK {
					t.Errorf("exit %d\n%s", code, stderr)
				}
			} else if code != exitFailed || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d mentioning %q\n%s", code, exitFailed, tc.want, stderr)
			}
			if w := gh.Writes(); len(w) != 0 {
				t.Errorf("writes before validation: %v", w)
			}
		})
	}
}

// TestReviewPublishRefusesPRChangingGitHubDir: a PR that changes .github/
// may have run its own review workflow: its artifact is not published,
// and the verdict an earlier head earned no longer stands: the review
// labels become pending, nothing else is written.
func TestReviewPublishRefusesPRChangingGitHubDir(t *testing.T) {
	c := newContributorPR(t)
	gh := c.f.gh
	gh.AddLabel(c.number, "security-risk:info") // an earlier, clean head's verdict
	gh.PushFile("add-evil", ".github/workflows/review-pr.yml", "name: review-pr\n", "my own review")
	_, doc := artifactRun(t, c)
	gh.ResetLog()
	code, stderr := c.publish(writeArtifact(t, doc), c.number, gh.PR(c.number).HeadSHA)
	if code != exitFailed || !strings.Contains(stderr, "changes .github/") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	for _, w := range gh.Writes() {
		if !strings.Contains(w.Path, "/labels") {
			t.Errorf("a write other than the review labels: %v", w)
		}
	}
	labels := gh.Labels(c.number)
	if contains(labels, "security-risk:info") || !contains(labels, "security-review-pending") {
		t.Errorf("labels %v, want the earlier verdict replaced by security-review-pending", labels)
	}
}
