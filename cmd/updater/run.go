package main

import (
	"context"
	"errors"
	"flag"
)

func runCommand() command {
	return command{
		name:    "run",
		summary: "run one pass: resolve upstreams, open or update pin PRs",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			return func(ctx context.Context) error { return errors.New("run: not yet built") }
		},
	}
}

func daemonCommand() command {
	return command{
		name:    "daemon",
		summary: "run passes on a cron schedule",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			return func(ctx context.Context) error { return errors.New("daemon: not yet built") }
		},
	}
}
