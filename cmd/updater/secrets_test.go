package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// The secrets the leak test plants. Neither is shaped like a GitHub token,
// so nothing but the bot's own handling of its secrets (registering the
// token, dropping URL credentials) can keep them out of what it prints,
// logs and publishes; a pattern that recognises ghp_ tokens cannot help.
const (
	leakToken  = "sentinel-TOKEN-0f3b9c27e4d8a1"
	leakURLPwd = "urlpass-SECRET-5d2e8a"
)

// TestTokenNeverLeaks runs full passes with a recognisable token (dry and
// real, text and JSON logs at debug level, failures included, an agent
// reviewer that dumps its environment and pries at the bot's) and looks
// for it in everything the bot printed, logged, wrote to disk and
// published, and in everything the agent could see.
func TestTokenNeverLeaks(t *testing.T) {
	// The bot's own environment holds the token, as under Actions: the
	// agent must not inherit it.
	t.Setenv("GITHUB_TOKEN", leakToken)
	gh := githubtest.New(t, githubtest.Options{Token: leakToken})
	git := gittest.NewServer(t)
	good := newUpstream(t, git, "good", "main", 2)
	flaky := newUpstream(t, git, "flaky", "main", 2)
	pushy := newUpstream(t, git, "pushy", "main", 2)
	withCreds := strings.Replace(good.url, "http://", "http://x-access-token:"+leakToken+"@", 1)
	withURLPwd := strings.Replace(good.url, "http://", "http://bot:"+leakURLPwd+"@", 1)
	files := map[string]string{
		registry.ServerPath("good"):        serverYAML("good", good.url, "", good.commits[0], "src"),
		registry.ServerPath("flaky"):       serverYAML("flaky", flaky.url, "", flaky.commits[0], "src"),
		registry.ServerPath("pushy"):       serverYAML("pushy", pushy.url, "", pushy.commits[0], "src"),
		registry.ServerPath("unreachable"): serverYAML("unreachable", gittest.ClosedURL(t, "http", "gone"), "", good.commits[0], ""),
		registry.ServerPath("creds"):       serverYAML("creds", withCreds, "", good.commits[0], ""),
		registry.ServerPath("urlpwd"):      serverYAML("urlpwd", withURLPwd, "", good.commits[0], ""),
	}
	gh.Seed(files)

	work := t.TempDir()
	tokenFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte(leakToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The agent may run as nobody: its dump directory must be writable by
	// anyone, and reachable.
	dumps, err := os.MkdirTemp("", "updater-agent-dump-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dumps) })
	if err := os.Chmod(dumps, 0o777); err != nil {
		t.Fatal(err)
	}
	// Sandboxed (the default), the dump directory is out of reach: the
	// dumps then go into the report, which the test reads too.
	agent := fmt.Sprintf(`d=%s; [ -d "$d" ] || d=$(mktemp -d); env > "$d/env.$$"; cat "/proc/$PPID/environ" > "$d/parent-environ.$$" 2>&1; `+
		`cat /proc/[0-9]*/environ > "$d/all-environ.$$" 2>/dev/null; ps -eo args > "$d/ps.$$" 2>&1; `+
		`{ echo "# Agent"; echo; echo "My environment:"; env; cat "$d"/*; } > "$REVIEW_OUTPUT_DIR/report.md"; `+
		`echo security-risk:low > "$REVIEW_OUTPUT_DIR/labels.txt"`, dumps)

	cache, reports, summary, stepSummary := filepath.Join(work, "cache"), filepath.Join(work, "reports"), filepath.Join(work, "summary.md"), filepath.Join(work, "step-summary.md")
	env := map[string]string{
		"GITHUB_REPOSITORY":   gh.Owner + "/" + gh.Repo,
		"GITHUB_API_URL":      gh.APIURL,
		"GITHUB_SERVER_URL":   gh.URL + "/git",
		"GITHUB_STEP_SUMMARY": stepSummary,
	}
	withToken := func(m map[string]string) map[string]string {
		out := map[string]string{"GITHUB_TOKEN": leakToken}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	checkout := func() string {
		out := map[string]string{}
		for p := range files {
			if content, ok := gh.File("main", p); ok {
				out[p] = content
			}
		}
		return registrytest.NewRegistry(t, out)
	}
	common := func(logFormat string) []string {
		return []string{"--registry", checkout(), "--cache-dir", cache, "--log-format", logFormat, "--log-level", "debug",
			"--write-pause", "0", "--timeout", "5s", "--summary", summary}
	}

	var printed []string // every stdout and stderr
	cliRun := func(wantCode int, env map[string]string, args ...string) string {
		t.Helper()
		code, stdout, stderr := cli(context.Background(), env, args...)
		printed = append(printed, stdout, stderr)
		if code != wantCode {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, wantCode, tail(stderr, 20))
		}
		return stdout + stderr
	}

	// A GitHub that echoes credentials back in an error body, as some
	// proxies do, and refuses one push.
	gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/pulls") && strings.Contains(requestedHead(r), "flaky"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			json.NewEncoder(w).Encode(map[string]string{"message": "upstream rejected request with " + r.Header.Get("Authorization")})
			return true
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") && pushCarries(r, "updater/pin-pushy"):
			_, pwd, _ := r.BasicAuth()
			http.Error(w, "push refused for password "+pwd, http.StatusInternalServerError)
			return true
		}
		return false
	})

	// 1. A dry run with a token: reads GitHub, writes nothing.
	cliRun(exitFailed, withToken(env), append([]string{"run", "--dry-run", "--json"}, common("json")...)...)
	// 2. The real pass, token from the environment, JSON logs, the agent
	//    reviewer, reports on disk; flaky and pushy fail.
	cliRun(exitFailed, withToken(env), append([]string{"run", "--json", "--review", "command", "--reviewer-cmd", agent,
		"--review-timeout", "1m", "--report-dir", reports}, common("json")...)...)
	// 3. Again with the token from a file and text logs: the failures
	//    repeat, the PR is updated in place.
	good.repo.Commit("main", "more", gittest.Files(map[string]string{"src/main.go": "package main // more\n"}))
	//    This pass runs the agent unsandboxed, as --agent-sandbox none does.
	cliRun(exitFailed, env, append([]string{"run", "--token-file", tokenFile, "--agent-sandbox", "none", "--review", "command", "--reviewer-cmd", agent,
		"--review-timeout", "1m", "--report-dir", reports}, common("text")...)...)
	gh.SetFault(nil)
	// 4. validate --online, which reads the registry and the upstreams.
	cliRun(exitFailed, withToken(env), "validate", "--online", "--registry", checkout(), "--log-format", "text", "--log-level", "debug")
	// 5. A GitHub that refuses the token: a configuration error.
	other := githubtest.New(t, githubtest.Options{})
	otherEnv := map[string]string{"GITHUB_REPOSITORY": other.Owner + "/" + other.Repo, "GITHUB_API_URL": other.APIURL,
		"GITHUB_SERVER_URL": other.URL + "/git", "GITHUB_TOKEN": leakToken}
	cliRun(exitUsage, otherEnv, append([]string{"run"}, common("text")...)...)
	// 6. The token as a flag is refused without being repeated.
	for _, flagName := range []string{"--token", "--github-token"} {
		cliRun(exitUsage, env, "run", "--registry", checkout(), flagName, leakToken)
	}
	if out := cliRun(exitUsage, env, "run", "--token-file", filepath.Join(work, "missing"), "--registry", checkout()); !strings.Contains(out, "--token-file") {
		t.Errorf("a missing token file is not reported as such:\n%s", out)
	}

	// The passes did what the test needs them to have done.
	pr, ok := openPR(gh, "good")
	if !ok {
		t.Fatal("no PR for good: the real passes did not run")
	}
	all := strings.Join(printed, "\n")
	if !strings.Contains(all, "rejected request with Bearer ***") {
		t.Error("GitHub's echo of the Authorization header was not reported (redacted): the test did not exercise it")
	}
	if !strings.Contains(all, "pushing branch updater/pin-pushy") {
		t.Error("the refused push was not reported")
	}
	envDumps, _ := filepath.Glob(filepath.Join(dumps, "env.*"))
	if len(envDumps) == 0 {
		t.Fatalf("the agent reviewer never ran; comments: %+v", gh.Comments(pr.Number))
	}

	// Look everywhere.
	sources := map[string]string{}
	for i, s := range printed {
		sources[fmt.Sprintf("output #%d", i)] = s
	}
	for _, root := range []string{dumps, reports, cache, summary, stepSummary} {
		for path, content := range readTree(t, root) {
			sources[path] = content
		}
	}
	for _, p := range gh.Pulls() {
		sources[fmt.Sprintf("PR #%d title", p.Number)] = p.Title
		sources[fmt.Sprintf("PR #%d body", p.Number)] = p.Body
		sources[fmt.Sprintf("PR #%d labels", p.Number)] = strings.Join(p.Labels, "\n")
		for _, c := range gh.Comments(p.Number) {
			sources[fmt.Sprintf("PR #%d comment %d", p.Number, c.ID)] = c.Body
		}
	}
	for _, c := range gh.CheckRuns("") {
		sources["check run "+c.Name] += c.Title + c.Summary + c.Text
	}
	for _, s := range gh.Statuses("") {
		sources["status "+s.Context] += s.Description
	}
	if !strings.Contains(sources[fmt.Sprintf("PR #%d comment %d", pr.Number, gh.Comments(pr.Number)[0].ID)], "REVIEW_HEAD") {
		t.Error("the agent's report (its environment) did not reach the PR: the test would not see a leak there")
	}
	var names []string
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	sightings := 0
	for _, name := range names {
		for _, secret := range []string{leakToken, leakURLPwd} {
			if n := strings.Count(sources[name], secret); n > 0 {
				sightings += n
				t.Errorf("%s holds a secret %d times:\n%s", name, n, excerpt(sources[name], secret))
			}
		}
	}
	t.Logf("token sightings: %d in %d outputs, files, PR texts and agent dumps", sightings, len(sources))
}

// pushCarries reports whether a receive-pack request updates branch (the
// ref name is in the clear at the start of the request).
func pushCarries(r *http.Request, branch string) bool {
	body, err := readAllLimited(r, 1<<20)
	return err == nil && bytes.Contains(body, []byte("refs/heads/"+branch))
}

func readAllLimited(r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit))
	r.Body = readCloser{bytes.NewReader(buf.Bytes())}
	return buf.Bytes(), err
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func openPR(gh *githubtest.Server, server string) (githubtest.PullRequest, bool) {
	for _, pr := range gh.OpenPRs() {
		if pr.Head == "updater/pin-"+server {
			return pr, true
		}
	}
	return githubtest.PullRequest{}, false
}

// readTree returns every regular file under root (or root itself when it
// is a file); a missing root is empty.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) || os.IsPermission(err) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// excerpt shows where secret sits in s.
func excerpt(s, secret string) string {
	i := strings.Index(s, secret)
	from, to := max(i-200, 0), min(i+len(secret)+100, len(s))
	return s[from:to]
}

// TestNoFlagTakesAToken: flags show in ps and in shell history; the token
// comes from the environment or --token-file only.
func TestNoFlagTakesAToken(t *testing.T) {
	for _, cmd := range []string{"run", "daemon", "validate", "pin", "review"} {
		_, _, stderr := cli(context.Background(), nil, cmd, "-h")
		if (cmd == "run" || cmd == "daemon") && !strings.Contains(stderr, "-token-file") {
			t.Fatalf("updater %s -h lists no -token-file: the flag listing was not read\n%s", cmd, stderr)
		}
		for _, line := range strings.Split(stderr, "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 || !strings.HasPrefix(fields[0], "-") {
				continue
			}
			name := strings.TrimLeft(fields[0], "-")
			lower := strings.ToLower(name)
			if (strings.Contains(lower, "token") || strings.Contains(lower, "secret") || strings.Contains(lower, "password")) && name != "token-file" {
				t.Errorf("updater %s has a flag -%s: a secret must not be passed as a flag", cmd, name)
			}
		}
	}
}
