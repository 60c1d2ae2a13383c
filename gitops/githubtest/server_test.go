package githubtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
)

const (
	owner = "registry-owner"
	repo  = "registry"
)

// newClient is a plain go-github client of the emulator (no retries), so
// these tests see the emulator's answers as they are.
func newClient(t *testing.T, gh *githubtest.Server, token string) *github.Client {
	t.Helper()
	c, err := github.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(gh.APIURL, gh.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seeded(t *testing.T, opts githubtest.Options) (*githubtest.Server, *github.Client) {
	t.Helper()
	gh := githubtest.New(t, opts)
	gh.Seed(map[string]string{"servers/a/server.yaml": "name: a\n", "README.md": "r\n"})
	return gh, newClient(t, gh, gh.Token)
}

// raw sends a request with the token and returns status, headers and body.
func raw(t *testing.T, gh *githubtest.Server, method, path, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, gh.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestAuthenticationAndErrorShapes(t *testing.T) {
	gh, _ := seeded(t, githubtest.Options{})
	for _, tc := range []struct {
		name, method, path, auth string
		wantStatus               int
		wantBody                 string
	}{
		{"no token", "GET", "/api/v3/repos/registry-owner/registry", "", 401,
			`{"documentation_url":"https://docs.github.com/rest","message":"Bad credentials"}`},
		{"wrong token", "GET", "/api/v3/repos/registry-owner/registry", "Bearer nope", 401,
			`{"documentation_url":"https://docs.github.com/rest","message":"Bad credentials"}`},
		{"token scheme", "GET", "/api/v3/repos/registry-owner/registry/pulls/9", "token " + gh.Token, 404,
			`{"documentation_url":"https://docs.github.com/rest","message":"Not Found"}`},
		{"other repository", "GET", "/api/v3/repos/someone/else", "Bearer " + gh.Token, 404,
			`{"documentation_url":"https://docs.github.com/rest","message":"Not Found"}`},
		{"unknown endpoint", "GET", "/api/v3/gists", "Bearer " + gh.Token, 404,
			`{"documentation_url":"https://docs.github.com/rest","message":"Not Found"}`},
		{"outside the API prefix", "GET", "/repos/registry-owner/registry", "Bearer " + gh.Token, 418, ""},
		{"missing ref", "DELETE", "/api/v3/repos/registry-owner/registry/git/refs/heads/nope", "Bearer " + gh.Token, 422,
			`{"documentation_url":"https://docs.github.com/rest","message":"Reference does not exist"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := raw(t, gh, tc.method, tc.path, tc.auth, "")
			if status != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", status, tc.wantStatus, body)
			}
			if tc.wantBody != "" && strings.TrimSpace(body) != tc.wantBody {
				t.Fatalf("body %s, want %s", body, tc.wantBody)
			}
		})
	}
}

func TestCreatePullSemantics(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	gh.PushFile("updater/pin-a", "servers/a/server.yaml", "name: a2\n", "bump")
	newPR := func(head string) *github.NewPullRequest {
		return &github.NewPullRequest{Title: github.String("t"), Head: github.String(head), Base: github.String("main")}
	}
	pr, _, err := c.PullRequests.Create(ctx, owner, repo, newPR(owner+":updater/pin-a"))
	if err != nil || pr.GetNumber() != 1 || pr.GetHead().GetSHA() != gh.Branch("updater/pin-a") ||
		pr.GetUser().GetLogin() != "updater-bot" || pr.GetHead().GetRepo().GetFullName() != owner+"/"+repo {
		t.Fatalf("create = %+v, %v", pr, err)
	}

	status, _, body := raw(t, gh, "POST", "/api/v3/repos/registry-owner/registry/pulls", "Bearer "+gh.Token,
		`{"title":"t","head":"updater/pin-a","base":"main"}`)
	want := `{"documentation_url":"https://docs.github.com/rest","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for registry-owner:updater/pin-a."}],"message":"Validation Failed"}`
	if status != 422 || strings.TrimSpace(body) != want {
		t.Fatalf("duplicate: %d %s", status, body)
	}

	for _, tc := range []struct{ name, head, field string }{
		{"missing head branch", "updater/pin-none", "head"},
		{"fork head", "someone:updater/pin-a", "head"},
	} {
		_, _, err := c.PullRequests.Create(ctx, owner, repo, newPR(tc.head))
		var er *github.ErrorResponse
		if !asErrorResponse(err, &er) || er.Response.StatusCode != 422 || len(er.Errors) != 1 || er.Errors[0].Field != tc.field {
			t.Fatalf("%s: err = %v", tc.name, err)
		}
	}
	gh.PushFile("updater/pin-same", "README.md", "r\n", "no-op") // same tree, but a new commit
	gh.GitRepo().SetBranch("updater/pin-same", gh.Branch("main"))
	if _, _, err := c.PullRequests.Create(ctx, owner, repo, newPR("updater/pin-same")); err == nil ||
		!strings.Contains(err.Error(), "No commits between main and updater/pin-same") {
		t.Fatalf("no commits: err = %v", err)
	}
}

func asErrorResponse(err error, target **github.ErrorResponse) bool {
	er, ok := err.(*github.ErrorResponse)
	*target = er
	return ok
}

func TestListPullsFilteringAndPagination(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	for _, b := range []string{"updater/pin-a", "updater/pin-b", "updater/pin-c"} {
		gh.PushFile(b, "servers/a/server.yaml", "name: "+b+"\n", "bump")
		if _, _, err := c.PullRequests.Create(ctx, owner, repo, &github.NewPullRequest{
			Title: github.String(b), Head: github.String(b), Base: github.String("main")}); err != nil {
			t.Fatal(err)
		}
	}
	gh.ClosePR(2)

	list := func(opts *github.PullRequestListOptions) ([]int, *github.Response) {
		t.Helper()
		prs, resp, err := c.PullRequests.List(ctx, owner, repo, opts)
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, p := range prs {
			nums = append(nums, p.GetNumber())
		}
		return nums, resp
	}
	for _, tc := range []struct {
		name string
		opts github.PullRequestListOptions
		want string
	}{
		{"default is open, newest first", github.PullRequestListOptions{}, "[3 1]"},
		{"all", github.PullRequestListOptions{State: "all"}, "[3 2 1]"},
		{"closed", github.PullRequestListOptions{State: "closed"}, "[2]"},
		{"head filter", github.PullRequestListOptions{State: "all", Head: owner + ":updater/pin-b"}, "[2]"},
		{"head of another owner", github.PullRequestListOptions{State: "all", Head: "other:updater/pin-b"}, "[]"},
		{"ascending", github.PullRequestListOptions{State: "all", Direction: "asc"}, "[1 2 3]"},
	} {
		nums, _ := list(&tc.opts)
		if got := jsonString(nums); got != tc.want && !(tc.want == "[]" && got == "null") {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	nums, resp := list(&github.PullRequestListOptions{State: "all", ListOptions: github.ListOptions{PerPage: 2}})
	if jsonString(nums) != "[3 2]" || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Fatalf("page 1: %v next=%d last=%d", nums, resp.NextPage, resp.LastPage)
	}
	if !strings.HasPrefix(resp.Header.Get("Link"), "<"+gh.URL+"/api/v3/repos/registry-owner/registry/pulls?") {
		t.Fatalf("Link = %s", resp.Header.Get("Link"))
	}
	nums, resp = list(&github.PullRequestListOptions{State: "all", ListOptions: github.ListOptions{PerPage: 2, Page: 2}})
	if jsonString(nums) != "[1]" || resp.NextPage != 0 || resp.PrevPage != 1 {
		t.Fatalf("page 2: %v next=%d prev=%d", nums, resp.NextPage, resp.PrevPage)
	}
	if q := gh.Requests()[len(gh.Requests())-1].Query; !strings.Contains(q, "page=2") {
		t.Fatalf("logged query %q", q)
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), ",", " ")
}

func TestPullsFollowTheirBranches(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	gh.PushFile("updater/pin-a", "servers/a/server.yaml", "name: a2\n", "bump")
	if _, _, err := c.PullRequests.Create(ctx, owner, repo, &github.NewPullRequest{
		Title: github.String("t"), Head: github.String("updater/pin-a"), Base: github.String("main")}); err != nil {
		t.Fatal(err)
	}
	moved := gh.PushFile("updater/pin-a", "servers/a/server.yaml", "name: a3\n", "bump again")
	if gh.PR(1).HeadSHA != moved {
		t.Fatal("PR head did not follow its branch")
	}
	if _, err := c.Git.DeleteRef(ctx, owner, repo, "heads/updater/pin-a"); err != nil {
		t.Fatal(err)
	}
	if p := gh.PR(1); p.State != "closed" || p.Merged {
		t.Fatalf("after branch deletion: %+v", p)
	}
	if n := len(gh.Writes()); n != 2 {
		t.Fatalf("writes = %+v, want the create and the delete", gh.Writes())
	}
}

func TestMergePR(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	create := func(branch string) int {
		pr, _, err := c.PullRequests.Create(ctx, owner, repo, &github.NewPullRequest{
			Title: github.String(branch), Head: github.String(branch), Base: github.String("main")})
		if err != nil {
			t.Fatal(err)
		}
		return pr.GetNumber()
	}
	gh.GitRepo().SetBranch("updater/pin-a", gh.Branch("main"))
	head := gh.PushFile("updater/pin-a", "servers/a/server.yaml", "name: a2\n", "bump a")
	gh.GitRepo().SetBranch("updater/pin-b", gh.Branch("main"))
	gh.PushFile("updater/pin-b", "servers/b/server.yaml", "name: b\n", "add b")
	a, b := create("updater/pin-a"), create("updater/pin-b")

	if tip := gh.MergePR(a); tip != head {
		t.Fatalf("fast-forward merge: main at %s, want %s", tip, head)
	}
	tip := gh.MergePR(b)
	if got, _ := gh.File(tip, "servers/b/server.yaml"); got != "name: b\n" {
		t.Fatalf("merged b: %q", got)
	}
	if got, _ := gh.File(tip, "servers/a/server.yaml"); got != "name: a2\n" {
		t.Fatalf("merging b lost a: %q", got)
	}
	if p := gh.PR(b); !p.Merged || p.State != "closed" {
		t.Fatalf("PR b: %+v", p)
	}
}

func TestGetCommitSHA1WithETag(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	want := gh.Branch("main")
	sha, _, err := c.Repositories.GetCommitSHA1(ctx, owner, repo, "main", "")
	if err != nil || sha != want {
		t.Fatalf("GetCommitSHA1 = %q, %v", sha, err)
	}
	_, resp, err := c.Repositories.GetCommitSHA1(ctx, owner, repo, "main", want)
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("with the current SHA as ETag: %v, want 304", err)
	}
	if _, _, err := c.Repositories.GetCommitSHA1(ctx, owner, repo, "nope", ""); err == nil {
		t.Fatal("unknown ref resolved")
	}
}

func TestGitDataAPI(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	base, _, err := c.Git.GetCommit(ctx, owner, repo, gh.Branch("main"))
	if err != nil {
		t.Fatal(err)
	}
	blob, _, err := c.Git.CreateBlob(ctx, owner, repo, &github.Blob{Content: github.String("bmFtZTogYgo="), Encoding: github.String("base64")})
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := c.Git.CreateTree(ctx, owner, repo, base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("servers/b/server.yaml"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("README.md"), Mode: github.String("100644"), Type: github.String("blob")}, // deletion
	})
	if err != nil {
		t.Fatal(err)
	}
	commit, _, err := c.Git.CreateCommit(ctx, owner, repo, &github.Commit{
		Message: github.String("add b"), Tree: tree, Parents: []*github.Commit{{SHA: base.SHA}}}, nil)
	if err != nil || !commit.GetVerification().GetVerified() {
		t.Fatalf("commit = %+v, %v", commit, err)
	}
	if _, _, err := c.Git.CreateRef(ctx, owner, repo, &github.Reference{Ref: github.String("refs/heads/feature"),
		Object: &github.GitObject{SHA: commit.SHA}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Git.CreateRef(ctx, owner, repo, &github.Reference{Ref: github.String("refs/heads/feature"),
		Object: &github.GitObject{SHA: commit.SHA}}); err == nil || !strings.Contains(err.Error(), "Reference already exists") {
		t.Fatalf("duplicate ref: %v", err)
	}
	if got, _ := gh.File("feature", "servers/b/server.yaml"); got != "name: b\n" {
		t.Fatalf("new file %q", got)
	}
	if _, ok := gh.File("feature", "README.md"); ok {
		t.Fatal("deleted file still there")
	}
	if got, _ := gh.File("feature", "servers/a/server.yaml"); got != "name: a\n" {
		t.Fatalf("base_tree file lost: %q", got)
	}
	// Moving a branch backwards needs force.
	ref := &github.Reference{Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: base.SHA}}
	if _, _, err := c.Git.UpdateRef(ctx, owner, repo, ref, false); err == nil || !strings.Contains(err.Error(), "not a fast forward") {
		t.Fatalf("non-ff update: %v", err)
	}
	if _, _, err := c.Git.UpdateRef(ctx, owner, repo, ref, true); err != nil || gh.Branch("feature") != base.GetSHA() {
		t.Fatalf("forced update: %v", err)
	}
	got, _, err := c.Git.GetRef(ctx, owner, repo, "heads/feature")
	if err != nil || got.GetObject().GetSHA() != base.GetSHA() {
		t.Fatalf("GetRef = %+v, %v", got, err)
	}
	file, _, _, err := c.Repositories.GetContents(ctx, owner, repo, "servers/a/server.yaml", nil)
	if content, _ := file.GetContent(); err != nil || content != "name: a\n" {
		t.Fatalf("contents = %q, %v", content, err)
	}
}

func TestGitPushNeedsTheToken(t *testing.T) {
	gh, _ := seeded(t, githubtest.Options{})
	path := "/git/registry-owner/registry.git/info/refs?service=git-receive-pack"
	if status, h, _ := raw(t, gh, "GET", path, "", ""); status != 401 || h.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous push discovery: %d", status)
	}
	req, _ := http.NewRequest("GET", gh.URL+path, nil)
	req.SetBasicAuth("x-access-token", gh.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("authenticated push discovery: %d", resp.StatusCode)
	}
	if status, _, _ := raw(t, gh, "GET", "/git/registry-owner/registry.git/info/refs?service=git-upload-pack", "", ""); status != 200 {
		t.Fatalf("anonymous fetch: %d", status)
	}
	// A real clone over the emulator's git endpoint.
	dir := t.TempDir()
	gittest.RunGit(t, dir, "clone", "-q", gh.CloneURL, "clone")
	if n := gh.Count("GET", "/git/"); n < 3 {
		t.Fatalf("git requests logged: %d", n)
	}
	if w := gh.Writes(); len(w) != 0 {
		t.Fatalf("fetches logged as writes: %+v", w)
	}
}

func TestChecksStatusesDispatches(t *testing.T) {
	ctx := context.Background()
	gh, c := seeded(t, githubtest.Options{})
	sha := gh.Branch("main")
	if _, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, github.CreateCheckRunOptions{Name: "n", HeadSHA: strings.Repeat("0", 40)}); err == nil {
		t.Fatal("check run on an unknown commit accepted")
	}
	if _, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, github.CreateCheckRunOptions{
		Name: "n", HeadSHA: sha, Conclusion: github.String("success")}); err != nil {
		t.Fatal(err)
	}
	if r := gh.CheckRuns(sha); len(r) != 1 || r[0].Status != "completed" {
		t.Fatalf("runs %+v", r)
	}
	if _, _, err := c.Repositories.CreateStatus(ctx, owner, repo, sha, &github.RepoStatus{State: github.String("bogus")}); err == nil {
		t.Fatal("bogus status state accepted")
	}
	forbidden, fc := seeded(t, githubtest.Options{CheckRunsForbidden: true})
	_, _, err := fc.Checks.CreateCheckRun(ctx, owner, repo, github.CreateCheckRunOptions{Name: "n", HeadSHA: forbidden.Branch("main")})
	if err == nil || !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Fatalf("forbidden check run: %v", err)
	}
	if _, _, err := c.Repositories.Dispatch(ctx, "else", "where", github.DispatchRequestOptions{}); err == nil {
		t.Fatal("dispatch without an event type accepted")
	}
}
