//go:build unix

package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// The measured commands: `updater run` and the floor, each a child
// process so its CPU time and peak RSS are its own.

// passReport is the part of `updater run --json` the harness reads.
type passReport struct {
	Summary struct {
		Servers  int `json:"servers"`
		Bump     int `json:"bump"`
		UpToDate int `json:"up_to_date"`
		Errors   int `json:"errors"`
	} `json:"summary"`
	Decisions []struct {
		Server   string `json:"server"`
		Decision string `json:"decision"`
		Detail   string `json:"detail"`
		PR       *struct {
			Outcome string `json:"outcome"`
			Pushed  bool   `json:"pushed"`
		} `json:"pr"`
	} `json:"decisions"`
	GitHub *struct {
		Reads  int `json:"reads"`
		Writes int `json:"writes"`
	} `json:"github_requests"`
}

// firstError is the first failed decision, for a readable failure.
func (r passReport) firstError() string {
	for _, d := range r.Decisions {
		if d.Decision == "error" {
			return d.Server + ": " + d.Detail
		}
	}
	return ""
}

// passArgs are the arguments of a measured pass.
type passArgs struct {
	registry, cacheDir string
	concurrency        int
	dryRun             bool
	writePause         string // "" keeps the default
	extra              []string
}

// runPass runs `updater run --json` with env and checks it reported
// every server without error.
func runPass(tb testing.TB, a passArgs, env []string) (Usage, passReport) {
	tb.Helper()
	// No dashboard issue: the figures are the pins' (and comparable with
	// earlier runs); the dashboard costs one listing, plus one write when
	// it changed.
	args := []string{"run", "--registry", a.registry, "--cache-dir", a.cacheDir, "--json", "--log-format", "json",
		"--concurrency", strconv.Itoa(a.concurrency), "--no-dashboard"}
	if a.dryRun {
		args = append(args, "--dry-run")
	}
	if a.writePause != "" {
		args = append(args, "--write-pause", a.writePause)
	}
	args = append(args, a.extra...)
	cmd := exec.Command(updaterBinary(tb), args...)
	cmd.Env = env
	u, out, err := Run(usageHelper(tb), cmd)
	var rep passReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		tb.Fatalf("updater run: %v; report: %v\n%.2000s", err, jerr, out)
	}
	if err != nil || rep.Summary.Errors > 0 {
		tb.Fatalf("updater run: %v; %d errors, first: %s", err, rep.Summary.Errors, rep.firstError())
	}
	return u, rep
}

// runFloor runs `xargs -P c -n 2 git ls-remote` over input ("<url>
// <ref>" lines) and checks every upstream answered with at least one ref.
func runFloor(tb testing.TB, input string, c, want int, env []string) Usage {
	tb.Helper()
	in, err := os.Open(input)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command("xargs", "-P", strconv.Itoa(c), "-n", "2", "git", "ls-remote")
	cmd.Stdin = in
	cmd.Env = env
	u, out, err := Run(usageHelper(tb), cmd)
	if err != nil {
		tb.Fatalf("floor: %v", err)
	}
	if got := bytes.Count(out, []byte("\n")); got < want {
		tb.Fatalf("floor listed %d refs for %d upstreams", got, want)
	}
	return u
}

// runReview runs `updater review` and returns its usage and report.
func runReview(tb testing.TB, registry, cacheDir, server, base, head string, env []string) (Usage, string) {
	tb.Helper()
	cmd := exec.Command(updaterBinary(tb), "review", "--registry", registry, "--cache-dir", cacheDir,
		"--server", server, "--base", base, "--head", head, "--log-format", "json")
	cmd.Env = env
	u, out, err := Run(usageHelper(tb), cmd)
	if err != nil {
		tb.Fatalf("updater review: %v", err)
	}
	return u, string(out)
}
