//go:build unix

package bench

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// machine records what the figures were measured on.
func (c config) machine(t *testing.T, _ fleets) *Table {
	tab := &Table{Title: "Machine", Header: []string{"", ""}}
	tab.Add("CPUs (nproc)", strings.TrimSpace(command("nproc")))
	tab.Add("memory", memTotal())
	tab.Add("OS", runtime.GOOS+"/"+runtime.GOARCH+" "+strings.TrimSpace(command("uname", "-r")))
	tab.Add("Go", runtime.Version())
	tab.Add("git", strings.TrimSpace(command("git", "--version")))
	tab.Add("load average at start", loadAverage())
	return tab
}

// command is the output of a command, or "unknown".
func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

// memTotal reads MemTotal from /proc/meminfo (Linux), else "unknown".
func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage reads /proc/loadavg: the machine is shared, and a busy one
// makes every wall time longer.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
