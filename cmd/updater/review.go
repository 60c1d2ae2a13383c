package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/review"
)

func reviewCommand() command {
	return command{
		name:    "review",
		summary: "security review: an upstream range, a full review, a registry change or a pull request (--pr)",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			var o updater.ReviewOptions
			d := updater.DefaultOptions()
			fs.StringVar(&o.Registry, "registry", d.Registry, "registry root holding servers/<name>/server.yaml")
			fs.StringVar(&o.Server, "server", "", "the server whose upstream is reviewed")
			fs.StringVar(&o.Base, "base", "", "old pin (40-hex SHA)")
			fs.StringVar(&o.Head, "head", "", "new pin (40-hex SHA); with --full, the commit to review (default: the pin)")
			fs.StringVar(&o.BaseRegistry, "base-registry", "", "registry before a change (a PR's base): review every server --registry adds or changes")
			fs.IntVar(&o.PR, "pr", 0, "review pull request N of the registry ($GITHUB_REPOSITORY), read from GitHub, and publish like the bot")
			fs.StringVar(&o.Artifact, "artifact", "", "with --pr: write the results artifact into this directory and publish nothing (for review publish)")
			fs.BoolVar(&o.DryRun, "dry-run", false, "with --pr: print the reports, publish nothing")
			fs.StringVar(&o.CommentAuthor, "comment-author", updater.DefaultCommentAuthor, "login the write token comments as, to update its earlier report comments")
			readGitHub := githubFlags(fs, e)
			fs.BoolVar(&o.Full, "full", false, "full review of all the code at --head or the pin, as for a new server (no --base)")
			o.FailOn = review.DefaultFailOn
			fs.Var(&o.FailOn, "fail-on", "lowest risk that fails the review (exit 1): critical, high or medium")
			fs.StringVar(&o.Output, "output", "", "write report.md and labels.txt into this directory")
			fs.StringVar((*string)(&o.Review), "review", string(d.Review), "builtin, or command to add the agent reviewer")
			fs.StringVar(&o.ReviewerCmd, "reviewer-cmd", "", "agent reviewer command for --review command")
			fs.DurationVar(&o.ReviewTimeout, "review-timeout", d.ReviewTimeout, "time allowed for the agent reviewer")
			agent := agentFlags(fs, e)
			fs.StringVar(&o.CacheDir, "cache-dir", "", "cache of upstream clones (default: the user cache dir)")
			fs.DurationVar(&o.Timeout, "timeout", d.Timeout, "time allowed to resolve the upstream")
			fs.DurationVar(&o.ProgressEvery, "progress-every", d.ProgressEvery, "off a terminal, log a progress record at most this often during a review")
			return func(ctx context.Context) error {
				var err error
				if o.Agent, err = agent(); err != nil {
					return err
				}
				if o.GitHub, err = readGitHub(); err != nil {
					return err
				}
				o.Stdout = e.stdout
				o.Logger = e.logger
				if e.terminal {
					o.Progress = e.stderr
				}
				return updater.ReviewRange(ctx, o)
			}
		},
	}
}
