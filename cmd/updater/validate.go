package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
)

func validateCommand() command {
	return command{
		name:    "validate",
		summary: "check every servers/*/server.yaml: schema and pins",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			var opts updater.ValidateOptions
			fs.StringVar(&opts.Registry, "registry", ".", "registry root: the directory holding servers/")
			fs.BoolVar(&opts.Online, "online", false, "also prove each pin exists upstream and is on its branch")
			fs.StringVar(&opts.CacheDir, "cache-dir", "", "cache of upstream clones for --online (default: the user cache dir)")
			var servers stringList
			fs.Var(&servers, "server", "only this server (repeatable, or a comma list)")
			return func(ctx context.Context) error {
				opts.Servers = servers
				opts.Stdout = e.stdout
				opts.Logger = e.logger
				return updater.Validate(ctx, opts)
			}
		},
	}
}
