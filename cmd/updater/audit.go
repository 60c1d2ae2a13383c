package main

import (
	"context"
	"flag"

	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/review"
)

func auditCommand() command {
	return command{
		name:    "audit",
		summary: "full review of every locally built server at its pin; report findings not in the baseline",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			o := updater.AuditOptions{Jobs: updater.DefaultAuditJobs, FailOn: review.DefaultFailOn}
			d := updater.DefaultOptions()
			var servers stringList
			fs.StringVar(&o.Registry, "registry", d.Registry, "registry root holding servers/<name>/server.yaml")
			fs.Var(&servers, "server", "only this server (repeatable, or a comma list)")
			fs.IntVar(&o.Jobs, "jobs", o.Jobs, "servers reviewed at once")
			fs.Var(&o.FailOn, "fail-on", "lowest risk of a new finding that fails the audit (exit 1): critical, high or medium")
			fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
			fs.StringVar(&o.Output, "output", "", "also write audit.md and audit.json into this directory")
			fs.BoolVar(&o.WriteBaseline, "write-baseline", false, "accept the current new findings into "+updater.BaselinePath+" (needs --reason)")
			fs.StringVar(&o.Reason, "reason", "", "why the findings --write-baseline accepts are fine")
			fs.StringVar(&o.CacheDir, "cache-dir", "", "cache of upstream clones (default: the user cache dir)")
			fs.DurationVar(&o.Timeout, "timeout", d.Timeout, "time allowed per upstream")
			fs.BoolVar(&o.NoDashboard, "no-dashboard", false, "do not put the new findings on the dashboard issue (it is updated when GitHub credentials are present)")
			readGitHub := githubFlags(fs, e)
			return func(ctx context.Context) error {
				var err error
				if o.GitHub, err = readGitHub(); err != nil {
					return err
				}
				o.Servers = servers
				o.StepSummary = e.getenv("GITHUB_STEP_SUMMARY")
				o.Stdout = e.stdout
				o.Logger = e.logger
				return updater.Audit(ctx, o)
			}
		},
	}
}
