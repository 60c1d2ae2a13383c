package main

import (
	"context"
	"flag"
	"strings"
	"time"

	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/dashboard"
	"github.com/mcp-registry/updater/updater/review"
)

func runCommand() command {
	return command{
		name:    "run",
		summary: "run one pass: resolve upstreams, open or update pin PRs",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			build := passFlags(fs, e)
			return func(ctx context.Context) error {
				opts, err := build()
				if err != nil {
					return err
				}
				opts.Now = passClock(ctx)
				return updater.Run(ctx, opts)
			}
		},
	}
}

// passFlags registers the flags shared by run and daemon and returns the
// function that turns them, once parsed, into updater.Options.
func passFlags(fs *flag.FlagSet, e *env) func() (updater.Options, error) {
	o := updater.DefaultOptions()
	var servers, labels stringList
	var shard string
	fs.StringVar(&o.Registry, "registry", o.Registry, "registry root holding servers/<name>/server.yaml")
	fs.Var(&servers, "server", "only this server (repeatable, or a comma list)")
	fs.Var(checkedString{&shard, func(v string) error { _, err := updater.ParseShard(v); return err }}, "shard", "handle only shard `I/N` of the servers (stable by name hash)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "resolve and plan; write nothing")
	fs.BoolVar(&o.Preview, "preview", false, "a dry run that also reviews each bump and prints the PR it would send (implied by --dry-run with --server)")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "upstreams resolved at once")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "time allowed per upstream, retries included")
	fs.StringVar((*string)(&o.Resolve), "resolve", string(o.Resolve), "how to resolve heads: git (ref listing), api (GitHub commits API), auto")
	fs.IntVar(&o.MaxNewPRs, "max-new-prs", 0, "PRs created per pass at most; 0 = no cap (updates don't count)")
	fs.DurationVar(&o.MinAge, "min-age", 0, "cooldown: propose only commits at least this old (e.g. 72h)")
	fs.StringVar(&o.BaseBranch, "base-branch", "", "registry branch the PRs target (default: the repository's default branch)")
	fs.StringVar(&o.BranchPrefix, "branch-prefix", o.BranchPrefix, "prefix of the bot's branches")
	fs.Var(&labels, "label", "label for the bot's PRs (repeatable; default "+strings.Join(o.Labels, ",")+")")
	fs.StringVar(&o.GitAuthor, "git-author", o.GitAuthor, "author of the bot's commits, \"Name <email>\"")
	fs.StringVar((*string)(&o.CommitVia), "commit-via", string(o.CommitVia), "git (push with go-git) or api (Git Data API: commits GitHub signs as verified)")
	fs.StringVar(&o.CacheDir, "cache-dir", "", "cache of upstream and registry clones (default: the user cache dir)")
	fs.StringVar((*string)(&o.Review), "review", string(o.Review), "differential review: builtin, command, dispatch or off")
	fs.StringVar(&o.ReviewerCmd, "reviewer-cmd", "", "agent reviewer command for --review command (run with sh -c, no token, no network of ours)")
	fs.DurationVar(&o.ReviewTimeout, "review-timeout", o.ReviewTimeout, "time allowed for the agent reviewer")
	agent := agentFlags(fs, e)
	fs.StringVar(&o.ReviewRepo, "review-repo", "", "owner/name receiving the security-review repository_dispatch for --review dispatch")
	o.FailOn = review.DefaultFailOn
	fs.Var(&o.FailOn, "fail-on", "lowest review risk that fails the security-review check: critical, high or medium (critical = the reference registry's mapping)")
	fs.StringVar(&o.ReportDir, "report-dir", "", "write each review's report.md and labels.txt under this directory")
	fs.BoolVar(&o.JSON, "json", false, "print the report as one JSON document")
	fs.DurationVar(&o.ProgressEvery, "progress-every", o.ProgressEvery, "off a terminal, log a progress record at most this often")
	fs.StringVar(&o.Summary, "summary", "", "also write the Markdown pass summary to this file")
	fs.BoolVar(&o.NoDashboard, "no-dashboard", false, "do not read or write the dashboard issue (label "+dashboard.Label+")")
	fs.DurationVar(&o.StaleAfter, "stale-after", o.StaleAfter, "the dashboard lists pins older than this whose upstream moved")
	fs.BoolVar(&o.TickedOnly, "ticked-only", false, "only the servers ticked on the dashboard by people with write access (the issues: edited workflow)")
	readGitHub := githubFlags(fs, e)

	return func() (updater.Options, error) {
		o.Servers = servers
		o.Preview = o.Preview || (o.DryRun && len(servers) > 0)
		o.DryRun = o.DryRun || o.Preview
		if len(labels) > 0 {
			o.Labels = labels
		}
		var err error
		if o.Shard, err = updater.ParseShard(shard); err != nil {
			return o, err
		}
		if o.GitHub, err = readGitHub(); err != nil {
			return o, err
		}
		if o.Agent, err = agent(); err != nil {
			return o, err
		}
		o.Stdout = e.stdout
		o.Logger = e.logger
		o.LogServerErrors = e.structuredLogs
		if e.terminal && !o.JSON {
			o.Progress = e.stderr
		}
		return o, nil
	}
}

func daemonCommand() command {
	return command{
		name:    "daemon",
		summary: "run passes on a cron schedule, with /healthz and /metrics",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			build := passFlags(fs, e)
			var o updater.DaemonOptions
			o.Schedule, o.TZ = updater.DefaultSchedule, "UTC"
			fs.Var(checkedString{&o.Schedule, updater.CheckSchedule}, "schedule", "cron schedule: 5 fields or a descriptor like @daily")
			fs.Var(checkedString{&o.TZ, updater.CheckTZ}, "tz", "time zone of the schedule")
			fs.BoolVar(&o.RunOnStart, "run-on-start", false, "run a pass at once, then on schedule")
			fs.StringVar(&o.Listen, "listen", "", "serve /healthz and /metrics on this address (e.g. :9090)")
			fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 2*time.Minute, "time a pass in flight gets to finish its write after SIGTERM")
			return func(ctx context.Context) error {
				var err error
				if o.Pass, err = build(); err != nil {
					return err
				}
				o.Pass.Progress = nil
				return updater.Daemon(ctx, o)
			}
		},
	}
}
