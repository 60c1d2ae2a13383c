package agentbox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits are the resource caps of one sandboxed agent run besides its wall
// clock (review.AgentSpec.Timeout). A zero field takes its default below:
// the one place each default is set. Each is documented in README's caps
// table.
//
// The rlimits are set by prlimit(1) (util-linux) inside the sandbox, after
// bwrap made its user namespace, so they bind every process of the agent,
// with soft and hard limit equal: an agent cannot raise a hard limit
// without CAP_SYS_RESOURCE in the host's user namespace, which no sandbox
// has. prlimit rather than the bot setting them on itself around fork
// (rlimits are process-wide: every concurrent review and the bot would
// share them) or a re-exec shim of the bot (more code to the same effect).
type Limits struct {
	// CPU is RLIMIT_CPU: CPU time per process. SIGXCPU ends a process
	// that spends it (SIGKILL a second later).
	CPU time.Duration
	// FileBytes is RLIMIT_FSIZE: the largest file any agent process can
	// write (a write past it fails, SIGXFSZ ends the writer), whether in
	// the scratch tmpfs or the output directory.
	FileBytes int64
	// OpenFiles is RLIMIT_NOFILE.
	OpenFiles int
	// DataBytes is RLIMIT_DATA: the private writable memory (heap,
	// anonymous mappings) per process. RLIMIT_DATA rather than RLIMIT_AS
	// because node and Rust runtimes reserve far more address space than
	// they use.
	DataBytes int64
	// Processes is RLIMIT_NPROC: processes and threads at once. Set inside
	// the sandbox's user namespace, it counts the sandbox's own tasks
	// (Linux 5.14 and later count RLIMIT_NPROC per user namespace; a root
	// bot also runs each sandbox as a user id of its own), so it bounds a
	// fork bomb without counting the bot's other processes.
	Processes int
	// ScratchBytes is the size of the tmpfs at ScratchDir (HOME is in it).
	ScratchBytes int64
	// OutputDirBytes is how much the files in the output directory (on
	// the host's disk) may hold together, each file and directory counting
	// 4 KiB besides its contents; the review measures it ten times a
	// second and stops the run past it.
	OutputDirBytes int64
	// OutputBytes is how much the agent may write to stdout and stderr
	// together before the review stops it (the bot keeps only the first
	// 64 KiB of it in any case).
	OutputBytes int64
}

// The defaults: generous for a node or Rust agent CLI and its tools,
// small enough that a hostile agent cannot take the runner down.
const (
	DefaultCPU          = 10 * time.Minute
	DefaultFileBytes    = 256 << 20
	DefaultOpenFiles    = 4096
	DefaultDataBytes    = 4 << 30
	DefaultProcesses    = 512
	DefaultScratchBytes = 512 << 20
	DefaultOutputBytes  = 16 << 20
	// DefaultOutputDirBytes leaves room for the largest report the
	// review takes (1 MiB) and whatever else an agent leaves there.
	DefaultOutputDirBytes = 64 << 20
)

// Linux's signal numbers (bwrap runs only there; syscall has no SIGXCPU
// on every GOOS the bot builds for).
const (
	sigXCPU = 24
	sigXFSZ = 25
)

// prlimitPath runs inside the sandbox: /usr is bound in read-only.
const prlimitPath = "/usr/bin/prlimit"

// WithDefaults returns l with each zero field set to its default.
func (l Limits) WithDefaults() Limits {
	set := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.CPU <= 0 {
		l.CPU = DefaultCPU
	}
	if l.OpenFiles <= 0 {
		l.OpenFiles = DefaultOpenFiles
	}
	if l.Processes <= 0 {
		l.Processes = DefaultProcesses
	}
	set(&l.FileBytes, DefaultFileBytes)
	set(&l.DataBytes, DefaultDataBytes)
	set(&l.ScratchBytes, DefaultScratchBytes)
	set(&l.OutputBytes, DefaultOutputBytes)
	set(&l.OutputDirBytes, DefaultOutputDirBytes)
	return l
}

// prlimitArgv prefixes argv with prlimit setting l (with defaults).
func (l Limits) prlimitArgv(argv []string) []string {
	l = l.WithDefaults()
	cpu := int64((l.CPU + time.Second - 1) / time.Second)
	return append([]string{prlimitPath,
		// Soft below hard: SIGXCPU first, so the cause shows as that
		// signal; SIGKILL a second later if it is caught.
		fmt.Sprintf("--cpu=%d:%d", cpu, cpu+1),
		"--fsize=" + strconv.FormatInt(l.FileBytes, 10),
		"--nofile=" + strconv.Itoa(l.OpenFiles),
		"--data=" + strconv.FormatInt(l.DataBytes, 10),
		"--nproc=" + strconv.Itoa(l.Processes),
		"--"}, argv...)
}

// String lists the caps, for a report.
func (l Limits) String() string {
	l = l.WithDefaults()
	return fmt.Sprintf("CPU %s per process, files %s, %d open files, memory %s per process, %d processes, scratch %s, output %s, output directory %s",
		l.CPU, Bytes(l.FileBytes), l.OpenFiles, Bytes(l.DataBytes), l.Processes, Bytes(l.ScratchBytes), Bytes(l.OutputBytes), Bytes(l.OutputDirBytes))
}

// Bytes formats n in the largest binary unit it is a whole multiple of.
func Bytes(n int64) string {
	for _, u := range []struct {
		shift int
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// The causes a run is stopped with when its stdout and stderr pass
// Limits.OutputBytes, or its output directory Limits.OutputDirBytes.
var (
	ErrOutputCap    = errors.New("output cap")
	ErrOutputDirCap = errors.New("output directory cap")
)

// Cause names the cap that most likely stopped a sandboxed run that failed
// with exit status code (bwrap reports a signal as 128+signal) and wrote
// log, or "" when none is evident. It says what the evidence is, never
// more: an agent can print anything.
func (l Limits) Cause(code int, log string) string {
	l = l.WithDefaults()
	switch code {
	case 128 + sigXCPU:
		return fmt.Sprintf("killed by SIGXCPU: the CPU cap (%s per process)", l.CPU)
	case 128 + sigXFSZ:
		return fmt.Sprintf("killed by SIGXFSZ: the file size cap (%s)", Bytes(l.FileBytes))
	}
	for _, c := range []struct {
		said []string
		cap  string
	}{
		{[]string{"Cannot fork", "fork: Resource temporarily unavailable", "fork: retry", "EAGAIN"},
			fmt.Sprintf("the process cap (%d)", l.Processes)},
		{[]string{"Cannot allocate memory", "out of memory", "memory exhausted", "MemoryError", "ENOMEM"},
			fmt.Sprintf("the memory cap (%s per process)", Bytes(l.DataBytes))},
		{[]string{"No space left on device", "ENOSPC"}, fmt.Sprintf("the scratch size (%s)", Bytes(l.ScratchBytes))},
		{[]string{"File too large", "EFBIG"}, fmt.Sprintf("the file size cap (%s)", Bytes(l.FileBytes))},
		{[]string{"Too many open files", "EMFILE"}, fmt.Sprintf("the open files cap (%d)", l.OpenFiles)},
	} {
		for _, s := range c.said {
			if strings.Contains(log, s) {
				return fmt.Sprintf("its output says %q: %s", s, c.cap)
			}
		}
	}
	return ""
}
