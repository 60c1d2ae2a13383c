package main

import (
	"flag"

	"github.com/mcp-registry/updater/updater/agentbox"
)

// limitFlags are the agent sandbox's resource caps (agentbox.Limits);
// their defaults are agentbox's.
func limitFlags(fs *flag.FlagSet, l *agentbox.Limits) {
	fs.DurationVar(&l.CPU, "agent-cpu", agentbox.DefaultCPU, "CPU time each process of the sandboxed agent may use (RLIMIT_CPU)")
	fs.Int64Var(&l.DataBytes, "agent-memory", agentbox.DefaultDataBytes, "bytes of memory each process of the sandboxed agent may allocate (RLIMIT_DATA)")
	fs.IntVar(&l.Processes, "agent-processes", agentbox.DefaultProcesses, "processes and threads the sandboxed agent may have at once (RLIMIT_NPROC)")
	fs.Int64Var(&l.FileBytes, "agent-file-size", agentbox.DefaultFileBytes, "largest file the sandboxed agent may write (RLIMIT_FSIZE)")
	fs.IntVar(&l.OpenFiles, "agent-open-files", agentbox.DefaultOpenFiles, "open files per process of the sandboxed agent (RLIMIT_NOFILE)")
	fs.Int64Var(&l.ScratchBytes, "agent-scratch", agentbox.DefaultScratchBytes, "size in bytes of the sandboxed agent's writable tmpfs (/tmp, HOME)")
	fs.Int64Var(&l.OutputDirBytes, "agent-output-dir", agentbox.DefaultOutputDirBytes, "bytes the agent's output directory may hold (4 KiB per file besides its contents) before it is stopped")
	fs.Int64Var(&l.OutputBytes, "agent-output", agentbox.DefaultOutputBytes, "bytes the agent may write to stdout and stderr before it is stopped")
}
