package github_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

const serverYAML = "servers/stripe/server.yaml"

// fastConfig is a GitHubConfig for the emulator with test-sized waits.
func fastConfig(gh *githubtest.Server) github.GitHubConfig {
	return github.GitHubConfig{
		APIURL:     gh.APIURL,
		Repository: gh.Owner + "/" + gh.Repo,
		Token:      gh.Token,
		Timeout:    5 * time.Second,
		RetryBase:  time.Millisecond,
		MaxWait:    3 * time.Second,
		WritePause: -1,
	}
}

// newGitHub starts an emulator with a seeded registry and a client of it.
func newGitHub(t *testing.T, opts githubtest.Options, edit ...func(*github.GitHubConfig)) (*githubtest.Server, *github.GitHub) {
	t.Helper()
	gh := githubtest.New(t, opts)
	gh.Seed(map[string]string{serverYAML: "name: stripe\nsource:\n  commit: " + strings.Repeat("a", 40) + "\n", "README.md": "registry\n"})
	cfg := fastConfig(gh)
	for _, e := range edit {
		e(&cfg)
	}
	g, err := github.NewGitHub(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewGitHub: %v", err)
	}
	return gh, g
}

func TestNewGitHubValidatesConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  github.GitHubConfig
		want string
	}{
		{"no credentials", github.GitHubConfig{Repository: "o/r"}, "no token"},
		{"both credentials", github.GitHubConfig{Repository: "o/r", Token: "tok", AppID: 1, AppKeyPEM: []byte("k")}, "not both"},
		{"app without key", github.GitHubConfig{Repository: "o/r", AppID: 1}, "id and its private key"},
		{"bad repository", github.GitHubConfig{Repository: "o/r/x", Token: "tok"}, "owner/name"},
		{"traversal repository", github.GitHubConfig{Repository: "../r", Token: "tok"}, "owner/name"},
		{"api url with credentials", github.GitHubConfig{Repository: "o/r", Token: "tok", APIURL: "https://u:ghp_secretsecretsecret@h/api"}, "without credentials"},
		{"api url not http", github.GitHubConfig{Repository: "o/r", Token: "tok", APIURL: "file:///etc"}, "http(s)"},
		{"bad app key", github.GitHubConfig{Repository: "o/r", AppID: 1, AppKeyPEM: []byte("not a key")}, "not an RSA PEM key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := github.NewGitHub(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "ghp_secretsecretsecret") {
				t.Fatalf("error leaks the credential: %v", err)
			}
		})
	}
}

func TestDefaultBranchAskedOnce(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{DefaultBranch: "trunk"})
	for range 3 {
		b, err := g.DefaultBranch(context.Background())
		if err != nil || b != "trunk" {
			t.Fatalf("DefaultBranch = %q, %v", b, err)
		}
	}
	if n := gh.Count("GET", "/repos/registry-owner/registry"); n != 1 {
		t.Fatalf("GET repository %d times, want 1", n)
	}
}

func TestPullRequestLifecycle(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	tip := gh.PushFile("updater/pin-stripe", serverYAML, "new pin\n", "servers/stripe: update pin")
	gh.PushFile("feature/other", "README.md", "human change\n", "docs")

	pr, err := g.CreatePull(ctx, github.NewPull{Title: "Update stripe pin to abc", Body: "body 1",
		Head: "updater/pin-stripe", Base: "main", Labels: []string{"pin-update"}})
	if err != nil {
		t.Fatalf("CreatePull: %v", err)
	}
	if pr.Number != 1 || pr.State != "open" || pr.HeadSHA != tip || pr.User != "updater-bot" ||
		!slices.Equal(pr.Labels, []string{"pin-update"}) {
		t.Fatalf("created %+v", pr)
	}
	if got := gh.Labels(1); !slices.Equal(got, []string{"pin-update"}) {
		t.Fatalf("labels on GitHub = %v", got)
	}

	// A second create (a pass killed after the first) finds the same PR.
	again, err := g.CreatePull(ctx, github.NewPull{Title: "Update stripe pin to abc", Body: "body 1",
		Head: "updater/pin-stripe", Base: "main", Labels: []string{"pin-update"}})
	if err != nil || again.Number != 1 {
		t.Fatalf("CreatePull again = #%d, %v; want #1", again.Number, err)
	}
	if n := len(gh.Pulls()); n != 1 {
		t.Fatalf("%d pull requests, want 1", n)
	}

	if _, err := g.CreatePull(ctx, github.NewPull{Title: "docs", Head: "feature/other", Base: "main"}); err != nil {
		t.Fatalf("CreatePull other: %v", err)
	}
	list, err := g.ListPulls(ctx, "updater/pin-")
	if err != nil || len(list) != 1 || list[0].Number != 1 || list[0].Head != "updater/pin-stripe" {
		t.Fatalf("ListPulls = %+v, %v", list, err)
	}

	if err := g.EditPull(ctx, 1, "Update stripe pin to def", "body 2"); err != nil {
		t.Fatalf("EditPull: %v", err)
	}
	if p := gh.PR(1); p.Title != "Update stripe pin to def" || p.Body != "body 2" {
		t.Fatalf("after edit: %+v", p)
	}

	if err := g.ClosePull(ctx, 1, "Pinned by hand on main."); err != nil {
		t.Fatalf("ClosePull: %v", err)
	}
	if err := g.ClosePull(ctx, 1, "Pinned by hand on main."); err != nil {
		t.Fatalf("ClosePull again: %v", err)
	}
	if p := gh.PR(1); p.State != "closed" || p.Merged {
		t.Fatalf("after close: %+v", p)
	}
	if c := gh.Comments(1); len(c) != 1 || c[0].Body != "Pinned by hand on main." {
		t.Fatalf("comments = %+v, want exactly one", c)
	}

	for range 2 {
		if err := g.DeleteBranch(ctx, "updater/pin-stripe"); err != nil {
			t.Fatalf("DeleteBranch: %v", err)
		}
	}
	if gh.Branch("updater/pin-stripe") != "" {
		t.Fatal("branch still there")
	}
	list, err = g.ListPulls(ctx, "updater/pin-")
	if err != nil || len(list) != 1 || list[0].State != "closed" {
		t.Fatalf("ListPulls after close = %+v, %v", list, err)
	}
}

func TestCreatePullRefusals(t *testing.T) {
	ctx := context.Background()
	_, g := newGitHub(t, githubtest.Options{})
	for _, tc := range []struct {
		name string
		p    github.NewPull
		want string
	}{
		{"missing branch", github.NewPull{Title: "t", Head: "updater/pin-none", Base: "main"}, "422"},
		{"invalid branch", github.NewPull{Title: "t", Head: "bad..name", Base: "main"}, "invalid branch name"},
		{"option-like branch", github.NewPull{Title: "t", Head: "-x", Base: "main"}, "invalid branch name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := g.CreatePull(ctx, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "registry-owner/registry") {
				t.Fatalf("err = %v, want %q and the repository named", err, tc.want)
			}
		})
	}
}

func TestListPullsPaginatesNewestFirst(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	const n = 101 // one more than a page
	for i := range n {
		branch := "updater/pin-s" + strconv.Itoa(i)
		gh.PushFile(branch, serverYAML, "pin "+strconv.Itoa(i)+"\n", "bump")
		pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Head: branch, Base: "main"})
		if err != nil {
			t.Fatalf("CreatePull %d: %v", i, err)
		}
		if i%2 == 0 {
			gh.ClosePR(pr.Number) // both states are listed
		}
	}
	gh.ResetLog()
	list, err := g.ListPulls(ctx, "updater/pin-")
	if err != nil {
		t.Fatalf("ListPulls: %v", err)
	}
	if len(list) != n || list[0].Number != n || list[n-1].Number != 1 {
		t.Fatalf("got %d PRs, first #%d", len(list), list[0].Number)
	}
	if got := gh.Count("GET", "/repos/registry-owner/registry/pulls"); got != 2 {
		t.Fatalf("%d list requests, want 2 pages of 100", got)
	}
}

func TestLabels(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	gh.PushFile("updater/pin-stripe", serverYAML, "x\n", "bump")
	pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Head: "updater/pin-stripe", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	gh.AddLabel(pr.Number, "needs-human")
	if err := g.AddLabels(ctx, pr.Number, []string{"security-risk:low", "pin-update"}); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveLabel(ctx, pr.Number, "security-risk:low"); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveLabel(ctx, pr.Number, "never-there"); err != nil {
		t.Fatalf("removing an absent label: %v", err)
	}
	if got := gh.Labels(pr.Number); !slices.Equal(got, []string{"needs-human", "pin-update"}) {
		t.Fatalf("labels = %v", got)
	}
	gh.ResetLog()
	if err := g.AddLabels(ctx, pr.Number, nil); err != nil || len(gh.Writes()) != 0 {
		t.Fatalf("AddLabels(nil) = %v with %d writes", err, len(gh.Writes()))
	}
}

func TestUpsertComment(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	gh.PushFile("updater/pin-stripe", serverYAML, "x\n", "bump")
	pr, err := g.CreatePull(ctx, github.NewPull{Title: "t", Head: "updater/pin-stripe", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- updater:review -->"
	// A human quoting the marker must not have their comment taken over.
	gh.AddComment(pr.Number, githubtest.MaintainerLogin, "quoting "+marker)

	steps := []struct {
		body       string
		wantWrites int
	}{
		{marker + "\nreport v1", 1},
		{marker + "\nreport v1", 0},
		{marker + "\nreport v2", 1},
	}
	for i, st := range steps {
		gh.ResetLog()
		if err := g.UpsertComment(ctx, pr.Number, marker, st.body); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if w := gh.Writes(); len(w) != st.wantWrites {
			t.Fatalf("step %d: writes %+v, want %d", i, w, st.wantWrites)
		}
	}
	c := gh.Comments(pr.Number)
	if len(c) != 2 || c[0].Body != "quoting "+marker || c[1].Body != marker+"\nreport v2" || c[1].User != "updater-bot" {
		t.Fatalf("comments = %+v", c)
	}
	if err := g.UpsertComment(ctx, pr.Number, marker, "no marker"); err == nil {
		t.Fatal("a body without its marker was accepted")
	}
}

func TestPublishCheck(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		forbidden   bool
		conclusion  string
		wantState   string
		wantDescPfx string
	}{
		{"check run", false, "failure", "", ""},
		{"status fallback failure", true, "failure", "failure", "critical"},
		{"status fallback neutral", true, "neutral", "success", "neutral: critical"},
		{"status fallback success", true, "success", "success", "critical"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh, g := newGitHub(t, githubtest.Options{CheckRunsForbidden: tc.forbidden})
			sha := gh.Branch("main")
			err := g.PublishCheck(ctx, github.Check{Name: "security-review/stripe", HeadSHA: sha,
				Conclusion: tc.conclusion, Title: "critical: history rewritten", Summary: "summary", Text: strings.Repeat("x", 70000)})
			if err != nil {
				t.Fatalf("PublishCheck: %v", err)
			}
			runs, statuses := gh.CheckRuns(sha), gh.Statuses(sha)
			if !tc.forbidden {
				if len(runs) != 1 || runs[0].Conclusion != tc.conclusion || runs[0].Name != "security-review/stripe" ||
					runs[0].Status != "completed" || len(runs[0].Text) > 65535 {
					t.Fatalf("check runs = %+v", runs)
				}
				return
			}
			if len(runs) != 0 || len(statuses) != 1 || statuses[0].State != tc.wantState ||
				statuses[0].Context != "security-review/stripe" || !strings.HasPrefix(statuses[0].Description, tc.wantDescPfx) {
				t.Fatalf("runs %+v, statuses %+v", runs, statuses)
			}
		})
	}
	_, g := newGitHub(t, githubtest.Options{})
	if err := g.PublishCheck(ctx, github.Check{Name: "x", HeadSHA: "main", Conclusion: "success"}); err == nil {
		t.Fatal("a non-SHA head was accepted")
	}
	if err := g.PublishCheck(ctx, github.Check{Name: "x", HeadSHA: strings.Repeat("a", 40), Conclusion: "maybe"}); err == nil {
		t.Fatal("an unknown conclusion was accepted")
	}
}

func TestDispatch(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{})
	payload := map[string]any{"server": "stripe", "pull_request": 7, "base": "a", "head": "b"}
	if err := g.Dispatch(ctx, "reviewers/security", "security-review", payload); err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	d := gh.Dispatches()
	if len(d) != 1 || d[0].Repo != "reviewers/security" || d[0].EventType != "security-review" ||
		string(d[0].Payload) != `{"base":"a","head":"b","pull_request":7,"server":"stripe"}` {
		t.Fatalf("dispatches = %+v (payload %s)", d, d[0].Payload)
	}
	for _, bad := range []struct {
		repo    string
		payload any
	}{{"not-a-repo", payload}, {"o/r", []int{1}}} {
		if err := g.Dispatch(ctx, bad.repo, "security-review", bad.payload); err == nil {
			t.Fatalf("Dispatch(%q, %v) accepted", bad.repo, bad.payload)
		}
	}
}

func TestBadTokenIsAnErrorWithoutTheToken(t *testing.T) {
	const wrong = "ghp_WRONGwrongWRONGwrong0123456789abcdef"
	_, g := newGitHub(t, githubtest.Options{}, func(c *github.GitHubConfig) { c.Token = wrong })
	_, err := g.DefaultBranch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want a 401", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatalf("error leaks the token: %v", err)
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		t.Fatal("a 401 is not a rate limit")
	}
}

func TestAbsoluteURLOutsideTheBaseFailsLoudly(t *testing.T) {
	gh, g := newGitHub(t, githubtest.Options{})
	req, err := g.Client().NewRequest("GET", gh.URL+"/repos/registry-owner/registry", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Client().Do(context.Background(), req, nil)
	if err == nil || !strings.Contains(err.Error(), "418") {
		t.Fatalf("err = %v, want the emulator's 418 for a path outside /api/v3/", err)
	}
}
