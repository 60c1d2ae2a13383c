package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
)

func mergeCommand() command {
	return command{
		name:    "merge",
		summary: "merge the bot's PRs that .github/updater.yaml's automerge policy allows",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			build := passFlags(fs, e)
			var pr int
			fs.IntVar(&pr, "pr", 0, "look only at this pull request (0: every open bot PR)")
			return func(ctx context.Context) error {
				opts, err := build()
				if err != nil {
					return err
				}
				opts.Progress = nil
				return updater.Merge(ctx, updater.MergeOptions{Pass: opts, PR: pr})
			}
		},
	}
}
