package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
)

func pinCommand() command {
	return command{
		name:    "pin",
		summary: "set one server's source.commit by hand",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			var opts updater.PinOptions
			fs.StringVar(&opts.Registry, "registry", ".", "registry root: the directory holding servers/")
			fs.StringVar(&opts.Server, "server", "", "the server to pin (its directory name)")
			fs.StringVar(&opts.Commit, "commit", "", "the new pin: a full 40-hex commit SHA")
			fs.BoolVar(&opts.NoVerify, "no-verify", false, "do not check that the commit exists upstream and the followed ref reaches it")
			fs.StringVar(&opts.CacheDir, "cache-dir", "", "cache of upstream clones (default: the user cache dir)")
			fs.DurationVar(&opts.Timeout, "timeout", updater.DefaultOptions().Timeout, "time allowed to resolve the upstream")
			return func(ctx context.Context) error {
				opts.Stdout = e.stdout
				opts.Logger = e.logger
				return updater.Pin(ctx, opts)
			}
		},
	}
}
