package github_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

var botAuthor = github.CommitAuthor{Name: "updater[bot]", Email: "updater@bot.test"}

func remoteConfig(gh *githubtest.Server, cacheDir string) github.RemoteConfig {
	return github.RemoteConfig{
		URL: gh.CloneURL, Token: gh.Token, CacheDir: cacheDir,
		BaseBranch: "main", BranchPrefix: "updater/pin-", Author: botAuthor,
	}
}

func openRemote(t *testing.T, gh *githubtest.Server, cacheDir string) *github.RegistryRemote {
	t.Helper()
	r, err := github.OpenRegistryRemote(context.Background(), remoteConfig(gh, cacheDir))
	if err != nil {
		t.Fatalf("OpenRegistryRemote: %v", err)
	}
	return r
}

func receivePacks(gh *githubtest.Server) int {
	n := 0
	for _, r := range gh.Writes() {
		if strings.HasSuffix(r.Path, "/git-receive-pack") {
			n++
		}
	}
	return n
}

func TestWriteBranchPushesOneCommitVisibleOnGitHub(t *testing.T) {
	ctx := context.Background()
	for _, cache := range []string{"", "disk"} {
		t.Run("cache="+cache, func(t *testing.T) {
			gh, g := newGitHub(t, githubtest.Options{})
			gh.PushFile("unrelated/human", "README.md", "not the bot's\n", "human branch")
			dir := ""
			if cache != "" {
				dir = t.TempDir()
			}
			r := openRemote(t, gh, dir)
			base := r.BaseTip()
			if base != gh.Branch("main") {
				t.Fatalf("BaseTip = %s, want %s", base, gh.Branch("main"))
			}
			old, ok, err := r.ReadFile(base, serverYAML)
			if err != nil || !ok || !strings.Contains(string(old), "aaaa") {
				t.Fatalf("ReadFile = %q, %v, %v", old, ok, err)
			}
			if _, ok, err := r.ReadFile(base, "servers/none/server.yaml"); ok || err != nil {
				t.Fatalf("absent file: ok=%v err=%v", ok, err)
			}
			if _, ok := r.Branch("unrelated/human"); ok {
				t.Fatal("fetched a branch outside the prefix")
			}

			content := []byte("name: stripe\nsource:\n  commit: " + strings.Repeat("b", 40) + "\n")
			w := github.BranchWrite{Branch: "updater/pin-stripe", Parent: base, Path: serverYAML, Content: content,
				Message: "servers/stripe: update pin to bbbbbbb (1 commits)", When: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}
			sha, err := r.WriteBranch(ctx, w)
			if err != nil {
				t.Fatalf("WriteBranch: %v", err)
			}
			if got := gh.Branch("updater/pin-stripe"); got != sha {
				t.Fatalf("remote branch at %s, pushed %s", got, sha)
			}
			if got, _ := gh.File(sha, serverYAML); got != string(content) {
				t.Fatalf("pushed content %q", got)
			}
			if got, _ := gh.File(sha, "README.md"); got != "registry\n" {
				t.Fatalf("other files changed: README = %q", got)
			}
			// The REST API sees the pushed branch, and a PR can be opened on it.
			pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Head: "updater/pin-stripe", Base: "main"})
			if err != nil || pr.HeadSHA != sha {
				t.Fatalf("CreatePull on the pushed branch = %+v, %v", pr, err)
			}
			if info, ok := r.Branch("updater/pin-stripe"); !ok || info.Tip != sha || info.Parent != base {
				t.Fatalf("Branch = %+v, %v", info, ok)
			}

			// The same write again pushes nothing.
			gh.ResetLog()
			again, err := r.WriteBranch(ctx, w)
			if err != nil || again != sha || receivePacks(gh) != 0 {
				t.Fatalf("rewrite = %s, %v with %d pushes; want %s and none", again, err, receivePacks(gh), sha)
			}

			// A fresh open (next pass) sees the branch; a new content
			// force-pushes with a lease on the old tip.
			r2 := openRemote(t, gh, dir)
			info, ok := r2.Branch("updater/pin-stripe")
			if !ok || info.Tip != sha || info.Parent != base {
				t.Fatalf("next pass Branch = %+v, %v", info, ok)
			}
			w2 := w
			w2.Content = []byte("name: stripe\nsource:\n  commit: " + strings.Repeat("c", 40) + "\n")
			w2.ForceFrom = sha
			sha2, err := r2.WriteBranch(ctx, w2)
			if err != nil {
				t.Fatalf("force WriteBranch: %v", err)
			}
			if gh.Branch("updater/pin-stripe") != sha2 || gh.PR(pr.Number).HeadSHA != sha2 {
				t.Fatalf("branch %s, PR head %s, want %s", gh.Branch("updater/pin-stripe"), gh.PR(pr.Number).HeadSHA, sha2)
			}

			// A stale lease (r still believes the first tip) is refused.
			w3 := w
			w3.Content = []byte("stale\n")
			w3.ForceFrom = sha
			if _, err := r.WriteBranch(ctx, w3); err == nil {
				t.Fatal("a push with a stale lease succeeded")
			}
			if gh.Branch("updater/pin-stripe") != sha2 {
				t.Fatal("the stale push moved the branch")
			}
			// Creating a branch that exists is refused too.
			w4 := w
			w4.Content = []byte("other\n")
			if _, err := r2.WriteBranch(ctx, w4); err == nil {
				t.Fatal("creating over an existing branch succeeded")
			}

			// A deleted branch disappears on the next fetch.
			if err := g.DeleteBranch(ctx, "updater/pin-stripe"); err != nil {
				t.Fatal(err)
			}
			if _, ok := openRemote(t, gh, dir).Branch("updater/pin-stripe"); ok {
				t.Fatal("a deleted branch is still listed")
			}
		})
	}
}

func TestWriteBranchRefusesBadWrites(t *testing.T) {
	gh, _ := newGitHub(t, githubtest.Options{})
	r := openRemote(t, gh, "")
	base := r.BaseTip()
	good := github.BranchWrite{Branch: "updater/pin-x", Parent: base, Path: serverYAML, Content: []byte("x\n"), Message: "m"}
	for _, tc := range []struct {
		name string
		edit func(*github.BranchWrite)
		want string
	}{
		{"outside the prefix", func(w *github.BranchWrite) { w.Branch = "main" }, "prefix"},
		{"path traversal", func(w *github.BranchWrite) { w.Path = "servers/../../etc/passwd" }, "invalid component"},
		{"git dir", func(w *github.BranchWrite) { w.Path = ".git/config" }, "invalid component"},
		{"absolute path", func(w *github.BranchWrite) { w.Path = "/etc/passwd" }, "invalid component"},
		{"short parent", func(w *github.BranchWrite) { w.Parent = "abc" }, "full commit SHA"},
		{"unknown parent", func(w *github.BranchWrite) { w.Parent = strings.Repeat("d", 40) }, "parent"},
		{"empty message", func(w *github.BranchWrite) { w.Message = " " }, "message"},
		{"no change", func(w *github.BranchWrite) {
			w.Content = []byte("name: stripe\nsource:\n  commit: " + strings.Repeat("a", 40) + "\n")
		}, "nothing to propose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := good
			tc.edit(&w)
			if _, err := r.WriteBranch(context.Background(), w); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if n := receivePacks(gh); n != 0 {
		t.Fatalf("%d pushes for refused writes", n)
	}
}

func TestOpenRegistryRemoteRefusals(t *testing.T) {
	gh, _ := newGitHub(t, githubtest.Options{})
	for _, tc := range []struct {
		name string
		edit func(*github.RemoteConfig)
		want string
	}{
		{"credentials in URL", func(c *github.RemoteConfig) { c.URL = strings.Replace(c.URL, "http://", "http://x:y@", 1) }, "without credentials"},
		{"ssh URL", func(c *github.RemoteConfig) { c.URL = "ssh://git@host/r.git" }, "http(s)"},
		{"wildcard prefix", func(c *github.RemoteConfig) { c.BranchPrefix = "updater/*" }, "wildcards"},
		{"no author", func(c *github.RemoteConfig) { c.Author = github.CommitAuthor{} }, "author"},
		{"missing base", func(c *github.RemoteConfig) { c.BaseBranch = "nope" }, `base branch "nope" not found`},
		{"bad token", func(c *github.RemoteConfig) { c.Token = "ghp_badbadbadbadbadbad" }, "authentication"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := remoteConfig(gh, "")
			tc.edit(&cfg)
			_, err := github.OpenRegistryRemote(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "ghp_badbadbadbadbadbad") {
				t.Fatalf("error leaks the token: %v", err)
			}
		})
	}
}

func TestWriteBranchViaAPI(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	base := gh.Branch("main")
	w := github.BranchWrite{Branch: "updater/pin-stripe", Parent: base, Path: serverYAML,
		Content: []byte("name: stripe\nsource:\n  commit: " + strings.Repeat("b", 40) + "\n"), Message: "servers/stripe: update pin"}
	sha, err := g.WriteBranchViaAPI(ctx, w)
	if err != nil {
		t.Fatalf("WriteBranchViaAPI: %v", err)
	}
	if gh.Branch("updater/pin-stripe") != sha {
		t.Fatalf("branch at %s, want %s", gh.Branch("updater/pin-stripe"), sha)
	}
	if got, _ := gh.File(sha, serverYAML); got != string(w.Content) {
		t.Fatalf("content %q", got)
	}
	if got, _ := gh.File(sha, "README.md"); got != "registry\n" {
		t.Fatalf("README %q: the base tree was not kept", got)
	}
	c, _, err := g.Client().Git.GetCommit(ctx, "registry-owner", "registry", sha)
	if err != nil || len(c.Parents) != 1 || c.Parents[0].GetSHA() != base || c.GetMessage() != w.Message {
		t.Fatalf("commit = %+v, %v", c, err)
	}

	// Same content on the same parent: no write.
	gh.ResetLog()
	w.ForceFrom = sha
	again, err := g.WriteBranchViaAPI(ctx, w)
	if err != nil || again != sha {
		t.Fatalf("again = %s, %v", again, err)
	}
	for _, r := range gh.Writes() {
		if strings.Contains(r.Path, "/git/commits") || strings.Contains(r.Path, "/git/refs") {
			t.Fatalf("idempotent write made %s %s", r.Method, r.Path)
		}
	}

	// New content force-updates the ref; a stale lease is refused.
	w.Content = []byte("new\n")
	sha2, err := g.WriteBranchViaAPI(ctx, w)
	if err != nil || gh.Branch("updater/pin-stripe") != sha2 {
		t.Fatalf("update = %s, %v", sha2, err)
	}
	w.Content = []byte("newer\n")
	if _, err := g.WriteBranchViaAPI(ctx, w); err == nil || !strings.Contains(err.Error(), "lease") {
		t.Fatalf("stale lease: err = %v", err)
	}
	// Creating over an existing branch fails instead of overwriting.
	w.ForceFrom = ""
	if _, err := g.WriteBranchViaAPI(ctx, w); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("create over existing: err = %v", err)
	}
	w.Branch = "main"
	if _, err := g.WriteBranchViaAPI(ctx, w); err == nil || !strings.Contains(err.Error(), "default branch") {
		t.Fatalf("default branch: err = %v", err)
	}
}
