package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// stutter returns the first "X: X: " (or "updater pin: pin: ") in text: an
// error wrapped twice with the same context. "" when there is none.
func stutter(text string) string {
	for _, line := range strings.Split(text, "\n") {
		parts := strings.Split(line, ": ")
		for i := 0; i+1 < len(parts); i++ {
			a, b := strings.TrimSpace(parts[i]), strings.TrimSpace(parts[i+1])
			if b != "" && (a == b || strings.HasSuffix(a, " "+b)) {
				return line
			}
			// "updater review: review needs --server": the command
			// said again as the message's first word.
			if sp := strings.LastIndexByte(a, ' '); i == 0 && sp >= 0 && strings.HasPrefix(b, a[sp+1:]+" ") {
				return line
			}
		}
	}
	return ""
}

func TestStutterDetector(t *testing.T) {
	for _, bad := range []string{
		"updater run: registry .: registry .: open .: no such file",
		"updater pin: pin: alpha: bad",
		"list refs http://x/a: list refs http://x/a: dial tcp",
		"updater review: review needs --server",
		"updater review publish: publish needs --artifact DIR",
	} {
		if stutter(bad) == "" {
			t.Errorf("stutter missed %q", bad)
		}
	}
	for _, good := range []string{
		"updater run: registry .: no servers directory",
		"servers/a/server.yaml:3: source.comit is not a source key: did you mean commit?",
		"updater validate: 2 of 2 files invalid: some servers failed",
	} {
		if got := stutter(good); got != "" {
			t.Errorf("stutter flagged %q", got)
		}
	}
}

// TestEachErrorSaidOnce runs the command line through failures a
// maintainer meets (a broken file, an unreachable upstream, a missing
// registry, a rejected token, a pin or review that cannot reach the
// upstream) and reads everything it prints: no error stutters, and each
// failing server's error is printed once, in the table; with JSON logs it
// is also one structured record naming the server.
func TestEachErrorSaidOnce(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "alpha", "main", 1)
	dead := "http://127.0.0.1:1/gone"
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/alpha/server.yaml": serverYAML("alpha", up.url, "", up.commits[0], ""),
		"servers/beta/server.yaml":  serverYAML("beta", dead, "", up.commits[0], ""),
		"servers/gamma/server.yaml": "name: gamma\ntype: server\nsource: [not, a, mapping\n",
	})
	cache := t.TempDir()
	gh := newEmptyFixture(t)
	gh.seed(map[string]string{"README.md": "# registry\n"})
	badToken := map[string]string{}
	for k, v := range gh.env {
		badToken[k] = v
	}
	badToken["GITHUB_TOKEN"] = "ghp_wrongwrongwrong"
	const sha = "0123456789abcdef0123456789abcdef01234567"

	var all strings.Builder
	say := func(args []string, env map[string]string) (string, string) {
		t.Helper()
		_, stdout, stderr := cli(context.Background(), env, args...)
		all.WriteString(stdout + stderr)
		return stdout, stderr
	}

	// Text: the table says each server's error; no log line repeats it.
	stdout, stderr := say([]string{"run", "--dry-run", "--registry", reg, "--cache-dir", cache, "--log-format", "text"}, nil)
	for _, server := range []string{"beta", "gamma"} {
		if n := countLinesWith(stdout+stderr, server); n != 1 {
			t.Errorf("text: %s named on %d lines, want 1 (the table)\nstdout:\n%s\nstderr:\n%s", server, n, stdout, stderr)
		}
	}
	// JSON logs: the table once, and one record per failing server.
	stdout, stderr = say([]string{"run", "--dry-run", "--registry", reg, "--cache-dir", cache, "--log-format", "json"}, nil)
	records := map[string]int{}
	for _, rec := range logRecords(stderr) {
		if rec.Server != "" && rec.Msg != "progress" {
			records[rec.Server]++
			if rec.Err == "" {
				t.Errorf("json: a record for %s without its error: %+v", rec.Server, rec)
			}
		}
	}
	for _, server := range []string{"beta", "gamma"} {
		if records[server] != 1 || countLinesWith(stdout, server) != 1 {
			t.Errorf("json: %s has %d records and %d table lines, want 1 and 1\nstdout:\n%s\nstderr:\n%s",
				server, records[server], countLinesWith(stdout, server), stdout, stderr)
		}
	}
	if records["alpha"] != 0 {
		t.Errorf("json: the healthy server alpha has an error record:\n%s", stderr)
	}

	say([]string{"run", "--dry-run", "--registry", t.TempDir(), "--cache-dir", cache}, nil)
	say([]string{"run", "--dry-run", "--registry", "./no-such-registry", "--cache-dir", cache}, nil)
	say([]string{"validate", "--registry", reg}, nil)
	say([]string{"pin", "--registry", reg, "--server", "beta", "--commit", sha, "--cache-dir", cache}, nil)
	say([]string{"pin", "--registry", reg, "--server", "gamma", "--commit", sha, "--cache-dir", cache}, nil)
	say([]string{"review", "--registry", reg, "--server", "beta", "--base", sha, "--head", up.commits[0], "--cache-dir", cache}, nil)
	// Usage errors of every command that talks to GitHub or checks its
	// arguments itself.
	say([]string{"review", "--registry", reg}, nil)
	say([]string{"review", "--registry", reg, "--server", "alpha"}, nil)
	say([]string{"review", "--registry", reg, "--pr", "3"}, nil)
	say([]string{"review", "publish", "--pr", "3"}, nil)
	say([]string{"review", "publish", "--pr", "3", "--head", sha, "--artifact", t.TempDir()}, nil)
	say([]string{"audit", "--registry", reg, "--write-baseline"}, nil)
	say([]string{"merge", "--registry", reg}, nil)
	say([]string{"run", "--dry-run", "--shard", "0/3"}, nil)
	_, stderr = say([]string{"run", "--registry", reg, "--cache-dir", cache}, badToken)
	if !strings.Contains(stderr, "GitHub said 401 Bad credentials") || strings.Contains(stderr, "[]") {
		t.Errorf("a rejected token is not said plainly:\n%s", stderr)
	}

	if line := stutter(all.String()); line != "" {
		t.Errorf("an error stutters: %s\nall output:\n%s", line, all.String())
	}
}

// logRecord is what the tests read of a JSON log record.
type logRecord struct {
	Msg, Server, Err, Phase string
	Resolved, Servers       int
	Elapsed                 *float64
}

// logRecords parses the JSON log records in stderr, skipping other lines.
func logRecords(stderr string) []logRecord {
	var out []logRecord
	for _, line := range strings.Split(stderr, "\n") {
		var r logRecord
		if json.Unmarshal([]byte(line), &r) == nil && r.Msg != "" {
			out = append(out, r)
		}
	}
	return out
}

// countLinesWith counts the lines of text that contain word.
func countLinesWith(text, word string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, word) {
			n++
		}
	}
	return n
}
