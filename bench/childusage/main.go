//go:build unix

// Command childusage runs a command and writes what it cost, as the
// kernel accounted it, to a JSON file (bench.ChildReport): the CPU time
// of the command and its waited-for descendants, and their largest peak
// RSS.
//
//	childusage -out usage.json -- git ls-remote https://...
//
// The harness measures every command through it rather than reading the
// rusage of its own child: on Linux a child's ru_maxrss starts at the
// resident size of the process that spawned it (exec records the old
// address space's high-water mark, and Go's os/exec shares the parent's
// until exec). Spawned from a test binary holding hundreds of fixtures,
// that is tens of megabytes of someone else's memory; spawned from this
// small program, about 2 MB.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/mcp-registry/updater/bench"
)

func main() {
	out := flag.String("out", "", "write the JSON report to this file")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: childusage -out FILE -- COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "childusage:", err)
		os.Exit(127)
	}
	rep := bench.ChildReport{ExitCode: cmd.ProcessState.ExitCode()}
	if rep.ExitCode < 0 {
		rep.ExitCode = 128 // killed by a signal
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rep.UserMicros = ru.Utime.Nano() / 1000
		rep.SysMicros = ru.Stime.Nano() / 1000
		rep.MaxRSSBytes = bench.MaxRSSBytes(ru)
	}
	b, err := json.Marshal(rep)
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "childusage:", err)
		os.Exit(127)
	}
	os.Exit(rep.ExitCode)
}
