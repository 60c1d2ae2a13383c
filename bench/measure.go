//go:build unix

package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"
)

// Usage is what one measured command cost.
type Usage struct {
	Wall time.Duration
	// User and Sys are the CPU time of the command and of every
	// descendant it waited for: for xargs, all its git processes.
	User, Sys time.Duration
	// MaxRSS is the peak resident set of the largest single process of
	// that tree, in bytes, not a sum: for xargs -P, one git ls-remote.
	MaxRSS int64
	// ServerCPU is the CPU the harness process and its other children
	// spent meanwhile: the loopback servers (git http-backend and git
	// daemon processes, the GitHub emulator) answering the command.
	ServerCPU time.Duration
}

// CPU is User plus Sys.
func (u Usage) CPU() time.Duration { return u.User + u.Sys }

// ChildReport is what the childusage helper writes about the command it
// ran.
type ChildReport struct {
	UserMicros  int64 `json:"user_us"`
	SysMicros   int64 `json:"sys_us"`
	MaxRSSBytes int64 `json:"maxrss_bytes"`
	ExitCode    int   `json:"exit_code"`
}

// MaxRSSBytes reads ru_maxrss, which Linux reports in KiB and macOS in
// bytes.
func MaxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

// Run runs cmd to completion under helper (the childusage command, see
// its doc for why) and returns its usage and standard output. A failure
// includes the tail of standard error; the harness's fixtures hold no
// real secret.
func Run(helper string, cmd *exec.Cmd) (Usage, []byte, error) {
	report, err := os.CreateTemp("", "childusage-*.json")
	if err != nil {
		return Usage{}, nil, err
	}
	report.Close()
	defer os.Remove(report.Name())
	cmd.Args = append([]string{helper, "-out", report.Name(), "--", cmd.Path}, cmd.Args[1:]...)
	cmd.Path = helper
	if cmd.Err != nil {
		// exec.Command could not find the program; the helper was found.
		return Usage{}, nil, cmd.Err
	}

	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	before := selfAndChildrenCPU()
	start := time.Now()
	runErr := cmd.Run()
	u := Usage{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		// The children total holds the helper and its tree too.
		spent := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		u.ServerCPU = max(selfAndChildrenCPU()-before-spent, 0)
	}
	var rep ChildReport
	raw, err := os.ReadFile(report.Name())
	if err == nil {
		err = json.Unmarshal(raw, &rep)
	}
	if err != nil && runErr == nil {
		runErr = fmt.Errorf("reading the usage report %s: %w", filepath.Base(report.Name()), err)
	}
	u.User = time.Duration(rep.UserMicros) * time.Microsecond
	u.Sys = time.Duration(rep.SysMicros) * time.Microsecond
	u.MaxRSS = rep.MaxRSSBytes
	if runErr != nil {
		return u, stdout.Bytes(), fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Args[4]), runErr, tail(stderr.Bytes(), 2048))
	}
	return u, stdout.Bytes(), nil
}

// selfAndChildrenCPU is the CPU this process and its waited-for
// children have used so far.
func selfAndChildrenCPU() time.Duration {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return 0
	}
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

func tv(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Median takes the median of each figure separately over repeated runs
// (the machine is shared, so single runs are noisy); with an even count
// it takes the lower middle, a figure that was actually measured.
func Median(runs []Usage) Usage {
	if len(runs) == 0 {
		return Usage{}
	}
	pick := func(f func(Usage) int64) int64 {
		vals := make([]int64, len(runs))
		for i, r := range runs {
			vals[i] = f(r)
		}
		slices.Sort(vals)
		return vals[(len(vals)-1)/2]
	}
	return Usage{
		Wall:      time.Duration(pick(func(u Usage) int64 { return int64(u.Wall) })),
		User:      time.Duration(pick(func(u Usage) int64 { return int64(u.User) })),
		Sys:       time.Duration(pick(func(u Usage) int64 { return int64(u.Sys) })),
		MaxRSS:    pick(func(u Usage) int64 { return u.MaxRSS }),
		ServerCPU: time.Duration(pick(func(u Usage) int64 { return int64(u.ServerCPU) })),
	}
}
