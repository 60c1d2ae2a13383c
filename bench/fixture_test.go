//go:build unix

package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

// The fleet: N upstream repositories on one loopback server, in the mix
// of Docker's registry (of its 249 pinned servers, about 80% follow the
// default branch, 15% name a branch, 5% a release tag). Every upstream
// has two commits, so whether a server "moved" is the registry's choice:
// pinned to the first commit it is a bump, to the second it is up to
// date.

// refKind is what a fleet server follows.
type refKind int

const (
	followDefault refKind = iota // no source.branch: the upstream's HEAD
	followBranch                 // source.branch: main
	followTag                    // source.branch: v1.0.0, newest tag wins
)

// kindOf spreads the kinds over the fleet deterministically.
func kindOf(i int) refKind {
	switch i % 20 {
	case 0:
		return followTag
	case 1, 2, 3:
		return followBranch
	}
	return followDefault
}

// fleetRepo is one generated upstream repository.
type fleetRepo struct {
	name   string
	kind   refKind
	first  string // the commit an out-of-date pin names
	second string // the head (and, for tags, v1.1.0)
}

// fleet is N upstreams served over smart HTTP and git://.
type fleet struct {
	git *gittest.Server
	ups []fleetRepo
}

func newFleet(tb testing.TB, n int) *fleet {
	tb.Helper()
	f := &fleet{git: gittest.NewServer(tb), ups: make([]fleetRepo, n)}
	// gittest writes objects in-process; repositories are independent, so
	// they are written in parallel.
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f.ups[i] = f.generate(tb, i)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, u := range f.ups {
		if u.second == "" {
			tb.Fatalf("upstream %d was not generated", i)
		}
	}
	return f
}

// generate writes upstream i. The fixture's helpers report failures with
// t.Fatalf, which ends this worker goroutine only; newFleet notices the
// upstream left unwritten.
func (f *fleet) generate(tb testing.TB, i int) fleetRepo {
	u := fleetRepo{name: fmt.Sprintf("srv%05d", i), kind: kindOf(i)}
	r := f.git.NewRepo(u.name, "main")
	u.first = r.Commit("main", "first", gittest.Files(map[string]string{
		"src/index.ts": fmt.Sprintf("export const version = 1; // %s\n", u.name),
		"README.md":    "# " + u.name + "\n",
	}))
	u.second = r.Commit("main", "second", gittest.Files(map[string]string{
		"src/index.ts": fmt.Sprintf("export const version = 2; // %s\n", u.name),
	}))
	if u.kind == followTag {
		r.Tag("v1.0.0", u.first, true)
		r.Tag("v1.1.0", u.second, true)
	}
	return u
}

// url is where upstream i is served with proto ("http" or "git").
func (f *fleet) url(proto string, i int) string {
	if proto == "git" {
		return f.git.DaemonURL(f.ups[i].name)
	}
	return f.git.RepoURL(f.ups[i].name)
}

// serverYAML is the server.yaml of upstream i, out of date when behind.
func (f *fleet) serverYAML(proto string, i int, behind bool) string {
	u := f.ups[i]
	pin, branch := u.second, ""
	if behind {
		pin = u.first
	}
	switch u.kind {
	case followBranch:
		branch = "main"
	case followTag:
		branch = "v1.1.0"
		if behind {
			branch = "v1.0.0"
		}
	}
	return serverYAML(u.name, f.url(proto, i), branch, pin)
}

// serverYAML is a locally built server following branch ("" for the
// default branch) of project, pinned to commit, built from src/.
func serverYAML(name, project, branch, commit string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nimage: mcp/%s\ntype: server\nmeta:\n  category: bench\nabout:\n  title: %s\nsource:\n  project: %s\n",
		name, name, name, project)
	if branch != "" {
		fmt.Fprintf(&b, "  branch: %s\n", branch)
	}
	fmt.Fprintf(&b, "  commit: %s\n  directory: src\n", commit)
	return b.String()
}

// registryFiles is a registry of the first n upstreams over proto whose
// servers for which behind(i) holds are out of date.
func (f *fleet) registryFiles(proto string, n int, behind func(i int) bool) map[string]string {
	files := map[string]string{"README.md": "# bench registry\n"}
	for i := range n {
		files[registry.ServerPath(f.ups[i].name)] = f.serverYAML(proto, i, behind(i))
	}
	return files
}

// registry writes registryFiles into a new directory and returns it.
func (f *fleet) registry(tb testing.TB, proto string, n int, behind func(i int) bool) string {
	tb.Helper()
	return registrytest.NewRegistry(tb, f.registryFiles(proto, n, behind))
}

// everyTenth is the share of upstreams that moved in a realistic night.
func everyTenth(i int) bool { return i%10 == 5 }

// firstN makes the first n servers out of date.
func firstN(n int) func(int) bool { return func(i int) bool { return i < n } }

// floorInput is the xargs input of the floor: "<url> <ref>" per line,
// the ref the server follows (HEAD, a branch, or every tag).
func (f *fleet) floorInput(tb testing.TB, proto string, n int) string {
	tb.Helper()
	var b strings.Builder
	for i := range n {
		ref := "HEAD"
		switch f.ups[i].kind {
		case followBranch:
			ref = "refs/heads/main"
		case followTag:
			ref = "refs/tags/*"
		}
		fmt.Fprintf(&b, "%s %s\n", f.url(proto, i), ref)
	}
	return writeFloorInput(tb, b.String())
}

// writeFloorInput writes the floor's xargs input into a file.
func writeFloorInput(tb testing.TB, lines string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "floor.txt")
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// commands are the binaries the harness runs, by package path.
var commands = []string{
	"github.com/mcp-registry/updater/cmd/updater",
	"github.com/mcp-registry/updater/bench/childusage",
}

// builds holds the built commands: one `go build` for all of them. They
// live in the user's cache directory between runs, because go build
// skips the link (seconds, most of a smoke run) when the binary there is
// up to date.
var builds struct {
	once sync.Once
	dir  string
	err  error
}

// builtCommand returns the path of the built command pkg (one of commands).
func builtCommand(tb testing.TB, pkg string) string {
	tb.Helper()
	builds.once.Do(func() {
		builds.dir, builds.err = buildDir()
		if builds.err != nil {
			return
		}
		args := append([]string{"build", "-o", builds.dir + string(filepath.Separator)}, commands...)
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			builds.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builds.err != nil {
		tb.Fatal(builds.err)
	}
	return filepath.Join(builds.dir, path.Base(pkg))
}

// buildDir is <user cache>/mcp-registry-updater-bench/bin.
func buildDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "mcp-registry-updater-bench", "bin")
	return dir, os.MkdirAll(dir, 0o755)
}

// updaterBinary is cmd/updater.
func updaterBinary(tb testing.TB) string { return builtCommand(tb, commands[0]) }

// usageHelper is bench/childusage, which every measurement runs under.
func usageHelper(tb testing.TB) string { return builtCommand(tb, commands[1]) }

// childEnv is the environment of every measured child: git reads no
// user configuration, and no GitHub variable leaks in from the machine.
func childEnv(tb testing.TB, extra ...string) []string {
	tb.Helper()
	return append(gittest.IsolatedGitEnv(tb.TempDir()), extra...)
}
