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
