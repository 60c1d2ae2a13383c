package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
)

// reviewPublishCommand is `updater review publish`: the write half of
// the fork-safe two-workflow pattern.
func reviewPublishCommand() command {
	return command{
		name:    "review publish",
		summary: "validate a review results artifact (from review --pr --artifact) and publish it on the PR",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			var o updater.PublishOptions
			fs.StringVar(&o.Artifact, "artifact", "", "the downloaded results artifact directory")
			fs.IntVar(&o.PR, "pr", 0, "pull request number, from the triggering workflow_run event (never from the artifact)")
			fs.StringVar(&o.HeadSHA, "head", "", "the PR's head SHA, from the triggering workflow_run event (never from the artifact)")
			fs.StringVar(&o.CommentAuthor, "comment-author", updater.DefaultCommentAuthor, "login the write token comments as, to update its earlier report comments")
			readGitHub := githubFlags(fs, e)
			return func(ctx context.Context) error {
				var err error
				if o.GitHub, err = readGitHub(); err != nil {
					return err
				}
				o.Logger = e.logger
				return updater.PublishReviewArtifact(ctx, o)
			}
		},
	}
}

// githubFlags registers the flags of a command that reads or writes the
// registry repository on GitHub outside a pass (review --pr, review
// publish, audit) and returns what reads them, with the environment
// Actions sets, once parsed.
func githubFlags(fs *flag.FlagSet, e *env) func() (updater.GitHubOptions, error) {
	var tokenFile string
	fs.StringVar(&tokenFile, "token-file", "", "read the GitHub token from this file (else $GITHUB_TOKEN); never pass a token as a flag")
	return func() (updater.GitHubOptions, error) {
		o := updater.GitHubOptions{
			Repository:  e.getenv("GITHUB_REPOSITORY"),
			APIURL:      e.getenv("GITHUB_API_URL"),
			ServerURL:   e.getenv("GITHUB_SERVER_URL"),
			StepSummary: e.getenv("GITHUB_STEP_SUMMARY"),
			MaxWait:     updater.DefaultOptions().GitHub.MaxWait,
		}
		var err error
		o.Token, err = readToken(tokenFile, e.getenv)
		return o, err
	}
}
