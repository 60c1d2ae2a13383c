//go:build unix

package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/registry"
)

// corpusServers is the size of Docker's registry the corpus holds.
const corpusServers = 328

// pushSeries is how many branches a push series writes one after the
// other; registryHistory how many commits the long-history registry has
// (Docker's has a few thousand).
const (
	pushSeries      = 100
	registryHistory = 2000
)

// pushes measures the bot's pushes of one pin change each to the
// registry repository: the bytes of the first (against the pack of only
// the objects that change: the commit, the trees on the file's path, the
// file), and what a push costs as bot branches accumulate on the remote
// and as the registry's history grows. go-git's push decides what to
// send by listing every object reachable from every ref the remote
// advertises.
func (c config) pushes(t *testing.T, _ fleets) *Table {
	files, source := registryCorpus(t, c.smoke)
	count, history := pushSeries, registryHistory
	if c.smoke {
		count, history = 3, 20
	}
	short := pushRun(t, files, 1, count)
	long := pushRun(t, files, history, min(count, 10))
	sent, sentObjects := packOf(short.firstPack)
	minimal, minimalObjects := minimalPack(t, short.cacheDir, short.firstSHA, short.firstPath)

	total := 0
	for _, v := range files {
		total += len(v)
	}
	tab := &Table{
		Title: fmt.Sprintf("Pushes of one pin change each to a %d-server registry (%s, %s of files)", len(files)-1, source, MB(int64(total))),
		Header: []string{"push", "pack bytes", "objects in the pack", "wall", "CPU of bot and emulator (in-process)",
			"CPU of git server processes"},
	}
	tab.Add("go-git push (RegistryRemote.WriteBranch), the first branch", fmt.Sprint(len(sent)), fmt.Sprint(sentObjects))
	tab.Add("only the new objects (commit, trees on the path, file)", fmt.Sprint(minimal), fmt.Sprint(minimalObjects))
	window := func(label string, costs []pushCost, from int) {
		n := min(10, len(costs)-from)
		if from < 0 || n <= 0 {
			return
		}
		var walls, selfs, kids []time.Duration
		for _, c := range costs[from : from+n] {
			walls, selfs, kids = append(walls, c.wall), append(selfs, c.self), append(kids, c.children)
		}
		tab.Add(fmt.Sprintf("%s, pushes %d-%d, median", label, from+1, from+n), "", "",
			Seconds(medianDuration(walls)), Seconds(medianDuration(selfs)), Seconds(medianDuration(kids)))
	}
	window("history of 1 commit", short.costs, 0)
	if len(short.costs) >= 30 {
		window("history of 1 commit", short.costs, len(short.costs)/2-5)
		window("history of 1 commit", short.costs, len(short.costs)-10)
	}
	window(fmt.Sprintf("history of %d commits", history), long.costs, 0)
	return tab
}

// pushCost is what one WriteBranch cost.
type pushCost struct{ wall, self, children time.Duration }

// pushSeriesResult is a series of pushes to one registry.
type pushSeriesResult struct {
	costs     []pushCost
	firstPack []byte // the receive-pack request body of the first push
	firstSHA  string
	firstPath string
	cacheDir  string // the bot's clone
}

// pushRun seeds a registry with files and history-1 more commits (each
// editing one server's file, written by git fast-import), then pushes
// one branch per server for count servers through RegistryRemote.
func pushRun(t *testing.T, files map[string]string, history, count int) pushSeriesResult {
	gh := githubtest.New(t, githubtest.Options{})
	base := gh.Seed(files)

	// The pinned servers and their file with a new pin.
	var paths []string
	repinned := map[string][]byte{}
	for p, raw := range files {
		if content, err := registry.SetPin([]byte(raw), registry.Pin{Commit: strings.Repeat("ab", 20)}); err == nil {
			paths = append(paths, p)
			repinned[p] = content
		}
	}
	sort.Strings(paths)
	if len(paths) < count {
		t.Fatalf("%d pinned servers for %d pushes", len(paths), count)
	}
	if history > 1 {
		addHistory(t, gh, base, paths, files, history-1)
		for _, p := range paths {
			raw, _ := gh.File("main", p)
			repinned[p], _ = registry.SetPin([]byte(raw), registry.Pin{Commit: strings.Repeat("ab", 20)})
		}
	}

	res := pushSeriesResult{cacheDir: t.TempDir(), firstPath: paths[0]}
	ctx := context.Background()
	remote, err := github.OpenRegistryRemote(ctx, github.RemoteConfig{
		URL: gh.CloneURL, Token: gh.Token, CacheDir: res.cacheDir, BaseBranch: "main", BranchPrefix: "updater/pin-",
		Author: github.CommitAuthor{Name: "bench", Email: "bench@example.test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var packs [][]byte
	gh.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			body, err := io.ReadAll(r.Body)
			if err == nil {
				mu.Lock()
				packs = append(packs, body)
				mu.Unlock()
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		return false
	})
	defer gh.SetFault(nil)
	for _, path := range paths[:count] {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "servers/"), "/server.yaml")
		self, children := cpuNow()
		start := time.Now()
		sha, err := remote.WriteBranch(ctx, github.BranchWrite{
			Branch: "updater/pin-" + name, Parent: remote.BaseTip(), Path: path, Content: repinned[path], Message: "bench: update pin",
		})
		if err != nil {
			t.Fatal(err)
		}
		self2, children2 := cpuNow()
		res.costs = append(res.costs, pushCost{wall: time.Since(start), self: self2 - self, children: children2 - children})
		if res.firstSHA == "" {
			res.firstSHA = sha
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(packs) != count {
		t.Fatalf("%d receive-pack requests for %d pushes", len(packs), count)
	}
	res.firstPack = packs[0]
	return res
}

// addHistory adds n commits on the registry's main branch after base,
// each appending a comment line to one server's file, with git
// fast-import (gittest's in-process commits rewrite the whole tree each
// time: minutes for thousands).
func addHistory(t *testing.T, gh *githubtest.Server, base string, paths []string, files map[string]string, n int) {
	t.Helper()
	content := maps.Clone(files)
	var stream bytes.Buffer
	for i := range n {
		p := paths[i%len(paths)]
		content[p] += fmt.Sprintf("# maintainer edit %d\n", i)
		msg := fmt.Sprintf("servers: edit %d", i)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Registry Maintainer <maintainer@registry.test> %d +0000\ndata %d\n%s\n",
			gittest.Epoch.Unix()+int64(i)*60, len(msg), msg)
		if i == 0 {
			fmt.Fprintf(&stream, "from %s\n", base)
		}
		fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", p, len(content[p]), content[p])
	}
	repo := gh.GitRepo()
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = repo.Dir
	cmd.Env = gittest.IsolatedGitEnv(t.TempDir())
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	repo.Reload()
}

// registryCorpus returns the files of Docker's registry from the corpus
// beside the repository (../shared/corpus, when the workplace has it),
// else a generated registry of the same size; for a smoke run, a small
// generated one.
func registryCorpus(tb testing.TB, smoke bool) (map[string]string, string) {
	tb.Helper()
	files := map[string]string{"README.md": "# registry\n"}
	root := filepath.Join("..", "..", "shared", "corpus", "mcp-registry", "servers")
	entries, err := os.ReadDir(root)
	if err == nil && !smoke {
		for _, e := range entries {
			raw, err := os.ReadFile(filepath.Join(root, e.Name(), "server.yaml"))
			if err == nil {
				files[registry.ServerPath(e.Name())] = string(raw)
			}
		}
	}
	if len(files) > 1 {
		return files, "Docker's registry"
	}
	n := corpusServers
	if smoke {
		n = 20
	}
	for i := range n {
		name := fmt.Sprintf("server%03d", i)
		files[registry.ServerPath(name)] = serverYAML(name, "https://github.com/example/"+name, "", strings.Repeat("0", 40))
	}
	return files, "generated"
}

// packOf finds the pack that follows a push's commands and reads its
// object count from the header ("PACK", version, count).
func packOf(body []byte) (pack []byte, objects int) {
	i := bytes.Index(body, []byte("PACK"))
	if i < 0 || len(body) < i+12 {
		return nil, 0
	}
	return body[i:], int(binary.BigEndian.Uint32(body[i+8 : i+12]))
}

// minimalPack encodes, from the bot's clone, a pack of only the objects
// the pushed commit adds: itself, the trees from the root to the file,
// and the file. It returns the pack's size and object count.
func minimalPack(tb testing.TB, cacheDir, sha, path string) (int, int) {
	tb.Helper()
	dirs, _ := filepath.Glob(filepath.Join(cacheDir, "registry-*.git"))
	if len(dirs) != 1 {
		tb.Fatalf("want one registry clone under %s, found %v", cacheDir, dirs)
	}
	repo, err := git.PlainOpen(dirs[0])
	if err != nil {
		tb.Fatal(err)
	}
	commit, err := repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		tb.Fatal(err)
	}
	objects := []plumbing.Hash{commit.Hash, commit.TreeHash}
	tree, err := commit.Tree()
	if err != nil {
		tb.Fatal(err)
	}
	parts := strings.Split(path, "/")
	for i, part := range parts {
		entry, err := tree.FindEntry(part)
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		objects = append(objects, entry.Hash)
		if i < len(parts)-1 {
			if tree, err = object.GetTree(repo.Storer, entry.Hash); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := packfile.NewEncoder(&buf, repo.Storer, false).Encode(objects, 10); err != nil {
		tb.Fatal(err)
	}
	return buf.Len(), len(objects)
}

// cpuNow is the CPU this process (the bot's remote and the emulator)
// and its waited-for children (git http-backend and receive-pack) have
// used so far.
func cpuNow() (self, children time.Duration) {
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	return tv(s.Utime) + tv(s.Stime), tv(c.Utime) + tv(c.Stime)
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
