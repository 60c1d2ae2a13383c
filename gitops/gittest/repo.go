// Package gittest builds real bare git repositories in a test's temporary
// directory and serves them on 127.0.0.1, over smart HTTP (git http-backend
// behind net/http/cgi) and the git:// protocol (git daemon in inetd mode).
//
// Objects are written in-process with go-git, so creating hundreds of
// repositories costs no process spawns; serving goes through the real git
// binaries, so clients talk to the same server code GitHub-like hosts run.
// Commit times are deterministic (a fixed epoch plus one minute per commit)
// unless a test sets them, which makes commit SHAs stable across runs and
// lets tests assert JSON output exactly.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Epoch is the commit time of the first commit in every fixture repository.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultAuthor signs fixture commits unless a test asks for someone else.
var DefaultAuthor = object.Signature{Name: "Upstream Dev", Email: "dev@upstream.test"}

// Repo is a bare repository on disk.
type Repo struct {
	Name string // name under the server root, without ".git"
	Dir  string // the bare repository directory

	t    testing.TB
	mu   sync.Mutex
	repo *git.Repository
	tick int // commits made so far, for deterministic times
}

// InitBare creates an empty bare repository at dir whose HEAD points at
// refs/heads/<defaultBranch>. Pushes over smart HTTP are allowed.
func InitBare(t testing.TB, dir, name, defaultBranch string) *Repo {
	t.Helper()
	r, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatalf("gittest: init %s: %v", dir, err)
	}
	cfg, err := r.Config()
	if err != nil {
		t.Fatalf("gittest: config %s: %v", dir, err)
	}
	cfg.Raw.Section("http").SetOption("receivepack", "true")
	// Let clients fetch any commit by SHA, as GitHub does.
	cfg.Raw.Section("uploadpack").SetOption("allowAnySHA1InWant", "true")
	if err := r.SetConfig(cfg); err != nil {
		t.Fatalf("gittest: set config %s: %v", dir, err)
	}
	repo := &Repo{Name: name, Dir: dir, t: t, repo: r}
	repo.SetHead(defaultBranch)
	return repo
}

// Git returns the go-git handle of the repository, for reads a test needs
// beyond the helpers here.
func (r *Repo) Git() *git.Repository { return r.repo }

// CommitOptions shapes one commit. Zero values mean: the fixture's
// deterministic time, DefaultAuthor, and the branch tip as the only parent.
type CommitOptions struct {
	When    time.Time
	Author  *object.Signature
	Parents []string // explicit parents; nil means the branch tip (if any)
	Orphan  bool     // no parent at all, even if the branch exists
	// Signature is stored as the commit's gpgsig header (not a valid
	// signature: enough for code that asks whether a commit is signed).
	Signature string
}

// Change is one file edit in a commit: Content nil deletes the path.
// Mode defaults to a regular file; use filemode.Symlink for links (Content
// is then the link target) or filemode.Executable.
type Change struct {
	Path    string
	Content []byte
	Mode    filemode.FileMode
}

// Files turns a path->content map into changes (sorted, deterministic).
// An empty string content writes an empty file; use Delete to remove.
func Files(m map[string]string) []Change {
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := make([]Change, 0, len(m))
	for _, p := range paths {
		out = append(out, Change{Path: p, Content: []byte(m[p])})
	}
	return out
}

// Delete is a change that removes path.
func Delete(path string) Change { return Change{Path: path} }

// Commit adds a commit on branch with the given file changes applied on top
// of the parent's tree and moves the branch to it. It returns the SHA.
func (r *Repo) Commit(branch, message string, changes []Change, opts ...CommitOptions) string {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var o CommitOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	ref := plumbing.NewBranchReferenceName(branch)
	var parents []plumbing.Hash
	switch {
	case o.Parents != nil:
		for _, p := range o.Parents {
			parents = append(parents, plumbing.NewHash(p))
		}
	case o.Orphan:
	default:
		if cur, err := r.repo.Reference(ref, true); err == nil {
			parents = []plumbing.Hash{cur.Hash()}
		}
	}
	base := map[string]treeEntry{}
	if len(parents) > 0 {
		c, err := r.repo.CommitObject(parents[0])
		if err != nil {
			r.t.Fatalf("gittest: %s: parent %s: %v", r.Name, parents[0], err)
		}
		tree, err := c.Tree()
		if err != nil {
			r.t.Fatalf("gittest: %s: tree of %s: %v", r.Name, parents[0], err)
		}
		err = tree.Files().ForEach(func(f *object.File) error {
			base[f.Name] = treeEntry{hash: f.Hash, mode: f.Mode}
			return nil
		})
		if err != nil {
			r.t.Fatalf("gittest: %s: walk tree: %v", r.Name, err)
		}
		// Files() skips submodules; keep them by walking entries too.
		walker := object.NewTreeWalker(tree, true, nil)
		for {
			name, e, err := walker.Next()
			if err != nil {
				break
			}
			if e.Mode == filemode.Submodule {
				base[name] = treeEntry{hash: e.Hash, mode: e.Mode}
			}
		}
		walker.Close()
	}
	for _, ch := range changes {
		if ch.Content == nil && ch.Mode != filemode.Submodule {
			delete(base, ch.Path)
			continue
		}
		mode := ch.Mode
		if mode == 0 {
			mode = filemode.Regular
		}
		if mode == filemode.Submodule {
			base[ch.Path] = treeEntry{hash: plumbing.NewHash(string(ch.Content)), mode: mode}
			continue
		}
		base[ch.Path] = treeEntry{hash: r.writeBlob(ch.Content), mode: mode}
	}
	treeHash := r.writeTree(base)

	when := o.When
	if when.IsZero() {
		when = Epoch.Add(time.Duration(r.tick) * time.Minute)
	}
	r.tick++
	author := DefaultAuthor
	if o.Author != nil {
		author = *o.Author
	}
	author.When = when
	commit := &object.Commit{
		Author:       author,
		Committer:    author,
		Message:      message,
		TreeHash:     treeHash,
		ParentHashes: parents,
		PGPSignature: o.Signature,
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		r.t.Fatalf("gittest: %s: encode commit: %v", r.Name, err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		r.t.Fatalf("gittest: %s: store commit: %v", r.Name, err)
	}
	r.setRef(ref, h)
	return h.String()
}

type treeEntry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

func (r *Repo) writeBlob(content []byte) plumbing.Hash {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err != nil {
		r.t.Fatalf("gittest: %s: blob writer: %v", r.Name, err)
	}
	if _, err := w.Write(content); err != nil {
		r.t.Fatalf("gittest: %s: write blob: %v", r.Name, err)
	}
	w.Close()
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		r.t.Fatalf("gittest: %s: store blob: %v", r.Name, err)
	}
	return h
}

// writeTree writes the nested trees for a flat path->entry map.
func (r *Repo) writeTree(files map[string]treeEntry) plumbing.Hash {
	type dir struct {
		files map[string]treeEntry
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]treeEntry{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, e := range files {
		parts := strings.Split(p, "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = e
	}
	var write func(d *dir) plumbing.Hash
	write = func(d *dir) plumbing.Hash {
		var entries []object.TreeEntry
		for name, e := range d.files {
			entries = append(entries, object.TreeEntry{Name: name, Mode: e.mode, Hash: e.hash})
		}
		for name, sub := range d.dirs {
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: write(sub)})
		}
		// git orders tree entries by name, with directories compared as "name/".
		sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
		tree := &object.Tree{Entries: entries}
		obj := r.repo.Storer.NewEncodedObject()
		if err := tree.Encode(obj); err != nil {
			r.t.Fatalf("gittest: %s: encode tree: %v", r.Name, err)
		}
		h, err := r.repo.Storer.SetEncodedObject(obj)
		if err != nil {
			r.t.Fatalf("gittest: %s: store tree: %v", r.Name, err)
		}
		return h
	}
	return write(root)
}

func sortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

func (r *Repo) setRef(name plumbing.ReferenceName, h plumbing.Hash) {
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(name, h)); err != nil {
		r.t.Fatalf("gittest: %s: set %s: %v", r.Name, name, err)
	}
}

// SetHead points HEAD at refs/heads/<branch> (the default branch clients see).
func (r *Repo) SetHead(branch string) {
	r.t.Helper()
	head := plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(branch))
	if err := r.repo.Storer.SetReference(head); err != nil {
		r.t.Fatalf("gittest: %s: set HEAD: %v", r.Name, err)
	}
}

// SetBranch moves (or creates) a branch to sha: a force-push as far as
// clients can tell.
func (r *Repo) SetBranch(branch, sha string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setRef(plumbing.NewBranchReferenceName(branch), plumbing.NewHash(sha))
}

// SetRef points any ref (refs/pull/7/merge, ...) at sha.
func (r *Repo) SetRef(ref, sha string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setRef(plumbing.ReferenceName(ref), plumbing.NewHash(sha))
}

// DeleteRef removes a ref, e.g. "refs/heads/feature".
func (r *Repo) DeleteRef(ref string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.repo.Storer.RemoveReference(plumbing.ReferenceName(ref)); err != nil {
		r.t.Fatalf("gittest: %s: delete %s: %v", r.Name, ref, err)
	}
}

// Tag creates a tag on target. An annotated tag gets a tag object (so
// clients see it peeled); a lightweight one points at the commit directly.
func (r *Repo) Tag(name, target string, annotated bool) {
	r.t.Helper()
	if annotated {
		r.AnnotatedTag(name, target, "release "+name+"\n")
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setRef(plumbing.NewTagReferenceName(name), plumbing.NewHash(target))
}

// AnnotatedTag points tag name at an annotated tag object for target
// carrying message.
func (r *Repo) AnnotatedTag(name, target, message string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	tag := &object.Tag{
		Name:       name,
		Tagger:     object.Signature{Name: DefaultAuthor.Name, Email: DefaultAuthor.Email, When: Epoch},
		Message:    message,
		TargetType: plumbing.CommitObject,
		Target:     plumbing.NewHash(target),
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := tag.Encode(obj); err != nil {
		r.t.Fatalf("gittest: %s: encode tag: %v", r.Name, err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		r.t.Fatalf("gittest: %s: store tag: %v", r.Name, err)
	}
	r.setRef(plumbing.NewTagReferenceName(name), h)
}

// Head returns the commit a branch points at ("" if it does not exist).
func (r *Repo) Head(branch string) string {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	ref, err := r.repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		return ""
	}
	return ref.Hash().String()
}

// File returns the content of path at rev (a branch name or a SHA), and
// false if it does not exist there.
func (r *Repo) File(rev, path string) (string, bool) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", false
	}
	c, err := r.repo.CommitObject(*h)
	if err != nil {
		return "", false
	}
	f, err := c.File(path)
	if err != nil {
		return "", false
	}
	s, err := f.Contents()
	if err != nil {
		return "", false
	}
	return s, true
}

// Branches lists the branch names of the repository, sorted.
func (r *Repo) Branches() []string {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	iter, err := r.repo.Branches()
	if err != nil {
		r.t.Fatalf("gittest: %s: branches: %v", r.Name, err)
	}
	var out []string
	_ = iter.ForEach(func(ref *plumbing.Reference) error {
		out = append(out, ref.Name().Short())
		return nil
	})
	sort.Strings(out)
	return out
}

// Reload drops go-git's view of the repository after an outside writer (a
// push through the server) changed it.
func (r *Repo) Reload() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		r.t.Fatalf("gittest: reopen %s: %v", r.Dir, err)
	}
	r.repo = repo
}

// Run runs the git binary in the repository and returns its trimmed output.
func (r *Repo) Run(args ...string) string {
	r.t.Helper()
	return RunGit(r.t, r.Dir, args...)
}

// RunGit runs git in dir with a configuration isolated from the machine's.
func RunGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = IsolatedGitEnv(t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gittest: git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// IsolatedGitEnv is an environment in which git reads no user or system
// configuration, so a developer's ~/.gitconfig cannot change test results.
func IsolatedGitEnv(home string) []string {
	env := []string{
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig-none"),
		"GIT_TERMINAL_PROMPT=0",
		"PATH=" + os.Getenv("PATH"),
	}
	return env
}

// RemoteConfig is a convenience for tests that want to add a remote to a
// go-git repository pointing at a served URL.
func RemoteConfig(name, url string) *config.RemoteConfig {
	return &config.RemoteConfig{Name: name, URLs: []string{url}}
}

func (r *Repo) String() string { return fmt.Sprintf("gittest.Repo(%s)", r.Name) }
