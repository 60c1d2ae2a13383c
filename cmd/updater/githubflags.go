package main

import (
	"flag"
	"os"
	"strings"

	"github.com/mcp-registry/updater/updater"
)

// githubFlags registers the flags of every command that reads or writes
// the registry repository on GitHub (run, daemon, merge, review --pr,
// review publish) and returns what reads them, with the environment
// Actions sets, once parsed: one definition of how credentials arrive.
func githubFlags(fs *flag.FlagSet, e *env) func() (updater.GitHubOptions, error) {
	o := updater.DefaultOptions().GitHub
	var tokenFile, appKeyFile string
	var appID int64
	fs.StringVar(&tokenFile, "token-file", "", "read the GitHub token from this file (else $GITHUB_TOKEN); never pass a token as a flag")
	fs.Int64Var(&appID, "app-id", 0, "GitHub App ID, to authenticate as an App installation instead of a token")
	fs.StringVar(&appKeyFile, "app-key-file", "", "PEM private key of the GitHub App")
	fs.DurationVar(&o.MaxWait, "max-wait", o.MaxWait, "longest wait for a GitHub rate limit; past it the server is deferred")
	fs.DurationVar(&o.WritePause, "write-pause", o.WritePause, "pause between GitHub writes (secondary rate limits); 0 = none")
	return func() (updater.GitHubOptions, error) {
		o.Repository = e.getenv("GITHUB_REPOSITORY")
		o.APIURL = e.getenv("GITHUB_API_URL")
		o.ServerURL = e.getenv("GITHUB_SERVER_URL")
		o.StepSummary = e.getenv("GITHUB_STEP_SUMMARY")
		var err error
		if o.Token, err = readToken(tokenFile, e.getenv); err != nil {
			return o, err
		}
		if appID != 0 {
			if appKeyFile == "" {
				return o, updater.Usagef("--app-id needs --app-key-file")
			}
			o.AppID = appID
			if o.AppKey, err = os.ReadFile(appKeyFile); err != nil {
				return o, updater.Usagef("--app-key-file: %v", err)
			}
		}
		return o, nil
	}
}

// readToken takes the GitHub token from a file or $GITHUB_TOKEN: never
// from a flag, where it would show in ps.
func readToken(file string, getenv func(string) string) (string, error) {
	if file == "" {
		return strings.TrimSpace(getenv("GITHUB_TOKEN")), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", updater.Usagef("--token-file: %v", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, " \n\t") {
		return "", updater.Usagef("--token-file %s: want one token on one line", file)
	}
	return tok, nil
}
