package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// envName is the variable applyEnv reads for a flag.
func envName(flagName string) string {
	return "UPDATER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// commandFlags registers a command's flags on a fresh flag set, as run
// does (minus the common --log-* flags, tested end to end below).
func commandFlags(t *testing.T, c command) *flag.FlagSet {
	t.Helper()
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.setup(fs, &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }})
	return fs
}

// envSample is a valid value for a flag other than its default, and what
// the flag prints once set to it.
func envSample(t *testing.T, f *flag.Flag) (value, want string) {
	t.Helper()
	switch typ := fmt.Sprintf("%T", f.Value); typ {
	case "*flag.stringValue":
		return "from-env", "from-env"
	case "*flag.boolValue":
		if f.DefValue == "true" {
			return "false", "false"
		}
		return "true", "true"
	case "*flag.intValue", "*flag.int64Value":
		return "7", "7"
	case "*flag.durationValue":
		return "7m30s", "7m30s"
	case "main.checkedString": // a string checked as it is set
		samples := map[string]string{"shard": "2/3", "schedule": "@daily", "tz": "Europe/Paris", "log-format": "json", "log-level": "debug"}
		if v, ok := samples[f.Name]; ok {
			return v, v
		}
		t.Fatalf("--%s: no sample value; add one", f.Name)
		return "", ""
	case "*review.FailOn":
		return "critical", "critical"
	case "*agentbox.Mode":
		return "none", "none"
	case "*main.stringList":
		return "a, b,c", "a,b,c"
	default:
		t.Fatalf("--%s: no sample value for a flag of type %s; add one", f.Name, typ)
		return "", ""
	}
}

// TestEveryFlagReadsItsEnvVar sets each flag of each command through its
// UPDATER_* variable alone and checks that flag, and only it, changed.
func TestEveryFlagReadsItsEnvVar(t *testing.T) {
	for _, c := range commands() {
		var names []string
		commandFlags(t, c).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) == 0 {
			t.Errorf("%s: no flags?", c.name)
		}
		for _, name := range names {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				fs := commandFlags(t, c)
				value, want := envSample(t, fs.Lookup(name))
				variable := envName(name)
				if err := fs.Parse(nil); err != nil {
					t.Fatal(err)
				}
				err := applyEnv(fs, func(k string) string {
					if k == variable {
						return value
					}
					return ""
				})
				if err != nil {
					t.Fatalf("%s=%q: %v", variable, value, err)
				}
				fs.VisitAll(func(f *flag.Flag) {
					got := f.Value.String()
					switch {
					case f.Name == name && got != want:
						t.Errorf("%s=%q: --%s is %q, want %q", variable, value, name, got, want)
					case f.Name != name && got != f.DefValue:
						t.Errorf("%s changed --%s to %q", variable, f.Name, got)
					}
				})
			})
		}
	}
}

// TestCommandLineWinsOverEnv: a flag given on the command line keeps its
// value whatever the environment says; the others still come from it.
func TestCommandLineWinsOverEnv(t *testing.T) {
	fs := commandFlags(t, runCommand())
	if err := fs.Parse([]string{"--max-new-prs", "1", "--server", "cli"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"UPDATER_MAX_NEW_PRS": "5", "UPDATER_SERVER": "env", "UPDATER_CONCURRENCY": "3"}
	if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"max-new-prs": "1", "server": "cli", "concurrency": "3"} {
		if got := fs.Lookup(name).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", name, got, want)
		}
	}
}

// TestEnvConfiguresAPass runs a whole pass configured from the
// environment alone, as an unattended job would, then overrides one
// variable on the command line.
func TestEnvConfiguresAPass(t *testing.T) {
	s := gittest.NewServer(t)
	up := newUpstream(t, s, "upstream", "main", 2)
	reg := registrytest.NewRegistry(t, map[string]string{
		"servers/alpha/server.yaml": serverYAML("alpha", up.url, "", up.commits[0], ""),
		"servers/bravo/server.yaml": serverYAML("bravo", up.url, "", up.commits[1], ""),
	})
	env := map[string]string{
		"UPDATER_REGISTRY":   reg,
		"UPDATER_DRY_RUN":    "true",
		"UPDATER_JSON":       "1",
		"UPDATER_CACHE_DIR":  t.TempDir(),
		"UPDATER_SERVER":     "alpha",
		"UPDATER_LOG_FORMAT": "json",
		"UPDATER_LOG_LEVEL":  "debug",
	}
	servers := func(stdout string) []string {
		t.Helper()
		var rep passReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("not the JSON report (UPDATER_JSON ignored?): %v\n%s", err, stdout)
		}
		var out []string
		for _, d := range rep.Decisions {
			out = append(out, d.Server+":"+d.Decision)
		}
		sort.Strings(out)
		return out
	}

	code, stdout, stderr := cli(context.Background(), env, "run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := servers(stdout); strings.Join(got, " ") != "alpha:bump" {
		t.Errorf("decisions %v, want only alpha (UPDATER_SERVER)", got)
	}
	// UPDATER_LOG_FORMAT=json and UPDATER_LOG_LEVEL=debug: validate logs
	// its tally at debug level, as JSON.
	code, _, stderr = cli(context.Background(), env, "validate")
	if code != exitOK {
		t.Fatalf("validate: exit %d\n%s", code, stderr)
	}
	if line, ok := findLogLine(stderr, "validated registry"); !ok || line["level"] != "DEBUG" {
		t.Errorf("no JSON debug line (UPDATER_LOG_FORMAT or UPDATER_LOG_LEVEL ignored?):\n%s", stderr)
	}

	code, stdout, stderr = cli(context.Background(), env, "run", "--server", "bravo")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := servers(stdout); strings.Join(got, " ") != "bravo:up-to-date" {
		t.Errorf("decisions %v, want only bravo (--server wins over UPDATER_SERVER)", got)
	}
}

// TestEnvBadValueNamesTheVariable: a value that cannot be used is a usage
// error (exit 2) that names the variable, so the operator knows where to
// look: the flag is nowhere on the command line.
func TestEnvBadValueNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		cmd, variable, value string
	}{
		{"run", "UPDATER_MAX_NEW_PRS", "lots"},
		{"run", "UPDATER_DRY_RUN", "maybe"},
		{"run", "UPDATER_TIMEOUT", "60"},
		{"run", "UPDATER_CONCURRENCY", "1e3"},
		{"run", "UPDATER_APP_ID", "my-app"},
		{"validate", "UPDATER_ONLINE", "yes please"},
		{"daemon", "UPDATER_SHUTDOWN_TIMEOUT", "2 minutes"},
		{"daemon", "UPDATER_RUN_ON_START", "sure"},
		// Values whose type parses but whose meaning is checked later.
		{"run", "UPDATER_SHARD", "4/3"},
		{"run", "UPDATER_LOG_FORMAT", "xml"},
		{"run", "UPDATER_LOG_LEVEL", "loud"},
		{"daemon", "UPDATER_SCHEDULE", "every night"},
		{"daemon", "UPDATER_TZ", "Mars/Olympus_Mons"},
	} {
		t.Run(tc.variable, func(t *testing.T) {
			// A dry run, so nothing else is missing; then the bad value.
			env := map[string]string{"UPDATER_DRY_RUN": "true", "UPDATER_REGISTRY": t.TempDir()}
			env[tc.variable] = tc.value
			code, _, stderr := cli(context.Background(), env, tc.cmd)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.variable) || !strings.Contains(stderr, tc.value) {
				t.Errorf("the error does not name %s and its value %q:\n%s", tc.variable, tc.value, stderr)
			}
		})
	}
}

// TestTokenSources: the token comes from $GITHUB_TOKEN or --token-file
// (also as UPDATER_TOKEN_FILE), never from a flag, and never shows in
// the output, not even at debug level or when GitHub rejects it.
func TestTokenSources(t *testing.T) {
	f := newRegistryFixture(t, map[string]int{"alpha": 0, "bravo": 0}, 2)
	withoutToken := map[string]string{}
	for k, v := range f.env {
		if k != "GITHUB_TOKEN" {
			withoutToken[k] = v
		}
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(f.gh.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"run", "--registry", f.checkout(), "--cache-dir", f.cache, "--write-pause", "0", "--log-format", "json", "--log-level", "debug"}
	noLeak := func(t *testing.T, secret, stdout, stderr string) {
		t.Helper()
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("the token appeared in the output:\n%s\n%s", stdout, stderr)
		}
	}

	t.Run("no token flag", func(t *testing.T) {
		code, stdout, stderr := cli(context.Background(), withoutToken, append(base, "--token", f.gh.Token)...)
		if code != exitUsage || !strings.Contains(stderr, "-token") {
			t.Errorf("--token: exit %d, want %d (no such flag)\n%s", code, exitUsage, stderr)
		}
		noLeak(t, f.gh.Token, stdout, stderr)
	})
	t.Run("UPDATER_TOKEN is not a token source", func(t *testing.T) {
		env := map[string]string{"UPDATER_TOKEN": f.gh.Token}
		for k, v := range withoutToken {
			env[k] = v
		}
		code, stdout, stderr := cli(context.Background(), env, base...)
		if code != exitUsage || !strings.Contains(stderr, "needs GITHUB_TOKEN") {
			t.Errorf("exit %d, want %d asking for GITHUB_TOKEN\n%s", code, exitUsage, stderr)
		}
		noLeak(t, f.gh.Token, stdout, stderr)
	})
	t.Run("rejected token", func(t *testing.T) {
		wrong := "ghp_wrongTOKEN0123456789abcdefghijklmn"
		env := map[string]string{"GITHUB_TOKEN": wrong}
		for k, v := range withoutToken {
			env[k] = v
		}
		code, stdout, stderr := cli(context.Background(), env, base...)
		if code == exitOK {
			t.Errorf("a rejected token passed\n%s", stderr)
		}
		noLeak(t, wrong, stdout, stderr)
	})
	t.Run("UPDATER_TOKEN_FILE", func(t *testing.T) {
		env := map[string]string{"UPDATER_TOKEN_FILE": tokenFile}
		for k, v := range withoutToken {
			env[k] = v
		}
		code, stdout, stderr := cli(context.Background(), env, append(base, "--server", "alpha")...)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if _, ok := f.openPRs()["alpha"]; !ok {
			t.Error("no PR opened with the token from the file")
		}
		noLeak(t, f.gh.Token, stdout, stderr)
	})
	t.Run("GITHUB_TOKEN", func(t *testing.T) {
		code, stdout, stderr := cli(context.Background(), f.env, append(base, "--server", "bravo")...)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if _, ok := f.openPRs()["bravo"]; !ok {
			t.Error("no PR opened with $GITHUB_TOKEN")
		}
		noLeak(t, f.gh.Token, stdout, stderr)
	})
	t.Run("token file with two lines", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(bad, []byte(f.gh.Token+"\nsecond-line-secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := cli(context.Background(), withoutToken, append(base, "--token-file", bad)...)
		if code != exitUsage {
			t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
		}
		noLeak(t, f.gh.Token, stdout, stderr)
		noLeak(t, "second-line-secret", stdout, stderr)
	})
}
