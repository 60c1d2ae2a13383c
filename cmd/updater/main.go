// Command updater keeps the source.commit pins of an MCP server registry
// fresh, one reviewed pull request per server.
//
// main only wires: flags into an options struct, a logger, a signal-aware
// context, then one call into package updater. Errors become exit codes
// here and nowhere else: 0 all fine, 1 some servers failed (or the pass
// could not run), 2 bad usage or configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/lmittmann/tint"
	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/agentbox"
	"golang.org/x/term"
)

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	// Inside an agent's sandbox this binary is only the forwarder to the
	// inference proxy (see package agentbox).
	if len(os.Args) > 1 && os.Args[1] == agentbox.ForwardCommand {
		os.Exit(agentbox.ForwardMain(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command may use of the process: its outputs, its
// environment and the logger built from the common flags.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	logger         *slog.Logger
	// terminal is true when stderr is a terminal: progress lines and
	// colours are for people only.
	terminal bool
	// structuredLogs is true when the logs are JSON records for machines.
	structuredLogs bool
}

// command is one subcommand: setup registers its flags on fs and returns
// the function that runs it once the flags are parsed.
type command struct {
	name    string
	summary string
	setup   func(fs *flag.FlagSet, e *env) func(ctx context.Context) error
}

func commands() []command {
	return []command{
		runCommand(),
		daemonCommand(),
		validateCommand(),
		pinCommand(),
		reviewCommand(),
		reviewPublishCommand(),
		auditCommand(),
		mergeCommand(),
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmds := commands()
	if isVersionRequest(args) {
		info, ok := debug.ReadBuildInfo()
		writeVersion(stdout, info, ok)
		return exitOK
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	var cmd *command
	for i := range cmds {
		if cmds[i].name == args[0] {
			cmd = &cmds[i]
		}
	}
	for i := range cmds { // a subcommand: "review publish"
		if len(args) > 1 && cmds[i].name == args[0]+" "+args[1] {
			cmd, args = &cmds[i], args[1:]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "updater: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}

	e := &env{stdout: stdout, stderr: stderr, getenv: getenv, terminal: isTerminal(stderr)}
	fs := flag.NewFlagSet("updater "+cmd.name, flag.ContinueOnError)
	// The flag package's own report of a bad value is the whole usage;
	// badFlag says it in one line, and the usage is for -h.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	logFormat, logLevel := "auto", "info"
	fs.Var(checkedString{&logFormat, checkLogFormat}, "log-format", "log format: text, json, or auto (text on a terminal, JSON otherwise)")
	fs.Var(checkedString{&logLevel, checkLogLevel}, "log-level", "log level: debug, info, warn, error")
	exec := cmd.setup(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintf(stderr, "Usage of updater %s:\n", cmd.name)
			fs.PrintDefaults()
			return exitOK
		}
		badFlag(stderr, fs, cmd.name, err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "updater %s: unexpected arguments: %s\n", cmd.name, strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if err := applyEnv(fs, getenv); err != nil {
		badFlag(stderr, fs, cmd.name, err)
		return exitUsage
	}
	logger, err := newLogger(stderr, logFormat, logLevel, e.terminal)
	if err != nil {
		fmt.Fprintf(stderr, "updater %s: %v\n", cmd.name, err)
		return exitUsage
	}
	e.logger = logger
	e.structuredLogs = structuredLogs(logFormat, e.terminal)

	return exitCode(stderr, cmd.name, exec(ctx))
}

// exitCode maps the typed errors of package updater to the process exit
// code and prints the error once.
func exitCode(stderr io.Writer, name string, err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "updater %s: %v\n", name, err)
	var usageErr *updater.UsageError
	if errors.As(err, &usageErr) {
		return exitUsage
	}
	return exitFailed
}

// applyEnv gives every flag not set on the command line the value of
// UPDATER_<FLAG> (upper case, dashes as underscores) when that is set, so
// unattended runs can be configured from the environment alone.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] {
			return
		}
		name := "UPDATER_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := getenv(name)
		if v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = envValueError(f, name, v, e)
		}
	})
	return err
}

func checkLogLevel(level string) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return nil
}

func checkLogFormat(format string) error {
	switch format {
	case "auto", "text", "json":
		return nil
	}
	return fmt.Errorf("log format %q: want text, json or auto", format)
}

// newLogger builds the logger from checked --log-format and --log-level.
func newLogger(w io.Writer, format, level string, terminal bool) (*slog.Logger, error) {
	if err := cmpErr(checkLogLevel(level), checkLogFormat(format)); err != nil {
		return nil, err
	}
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	if format == "auto" {
		format = "json"
		if terminal {
			format = "text"
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: durationSeconds})), nil
	}
	return slog.New(tint.NewHandler(w, &tint.Options{Level: lvl, NoColor: !terminal, TimeFormat: "15:04:05", ReplaceAttr: durationHuman})), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "usage: updater <command> [flags]")
	fmt.Fprintln(w)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'updater <command> -h' for the flags of a command, 'updater version' for the build.")
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkedString is a string flag checked as it is set, so a bad value,
// from the command line or from UPDATER_*, is reported where it came from.
type checkedString struct {
	p     *string
	check func(string) error
}

func (c checkedString) String() string {
	if c.p == nil {
		return ""
	}
	return *c.p
}

func (c checkedString) Set(v string) error {
	if err := c.check(v); err != nil {
		return err
	}
	*c.p = v
	return nil
}

// stringList is a repeatable flag that also takes comma-separated lists:
// --server a --server b,c.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}
