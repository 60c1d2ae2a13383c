package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/mcp-registry/updater/gitops/internal/gittree"
	"github.com/mcp-registry/updater/gitops/internal/redact"
	"github.com/mcp-registry/updater/gitops/internal/retry"
	"github.com/mcp-registry/updater/registry/valid"
)

// CommitAuthor is the identity the bot commits as.
type CommitAuthor struct{ Name, Email string }

// RemoteConfig locates the registry repository for publishing branches.
type RemoteConfig struct {
	URL          string // https clone URL, without credentials
	Token        string // pushed with as Basic auth x-access-token:<token>
	CacheDir     string // where the bare clone lives between passes; "" keeps it in memory
	BaseBranch   string
	BranchPrefix string // the bot's branches, e.g. "updater/pin-"
	Author       CommitAuthor
}

// BranchInfo is one of the bot's branches as fetched.
type BranchInfo struct {
	Tip    string
	Parent string // first parent of Tip, "" for a root commit
}

// BranchWrite is the one commit the bot's branch for a server holds.
type BranchWrite struct {
	Branch  string // full branch name, under the configured prefix
	Parent  string // the base commit the branch starts from
	Path    string // e.g. servers/<name>/server.yaml
	Content []byte
	Message string
	// ForceFrom is the branch's current tip, which the push may replace
	// (a lease: the push fails if the remote moved meanwhile); "" means
	// the branch must not exist yet.
	ForceFrom string
	When      time.Time // commit time; zero means now
}

// maxRegistryFile bounds what ReadFile returns: a server.yaml is a few KiB.
const maxRegistryFile = 1 << 20

// RegistryRemote is a bare clone of the registry repository, in CacheDir or
// in memory, holding the base branch and the bot's branches. It builds
// commits in its object store and pushes them; no working tree and no
// checkout of the user's is ever touched. Safe for concurrent use, but
// only one process may use a CacheDir at a time.
type RegistryRemote struct {
	cfg  RemoteConfig
	auth transport.AuthMethod
	repo *git.Repository
	// reader keeps decoded trees between reads (guarded by mu): a pass
	// reads one file per server out of the same base tree.
	reader *gittree.Reader

	mu       sync.Mutex
	baseTip  string
	branches map[string]BranchInfo
}

const registryRemoteName = "origin"

// OpenRegistryRemote opens (or creates) the clone and fetches the base
// branch and every refs/heads/<BranchPrefix>* in one fetch, dropping bot
// branches deleted on the remote.
func OpenRegistryRemote(ctx context.Context, cfg RemoteConfig) (*RegistryRemote, error) {
	redact.AddSecret(cfg.Token)
	if err := validateRemoteConfig(cfg); err != nil {
		return nil, fmt.Errorf("registry remote: %w", err)
	}
	r := &RegistryRemote{cfg: cfg}
	if cfg.Token != "" {
		r.auth = &githttp.BasicAuth{Username: "x-access-token", Password: cfg.Token}
	}
	repo, err := openClone(cfg)
	if err != nil {
		return nil, r.fail("open clone", err)
	}
	r.repo = repo
	if err := r.configureRemote(); err != nil {
		return nil, r.fail("configure remote", err)
	}
	if err := r.fetch(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func validateRemoteConfig(cfg RemoteConfig) error {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return errors.New("URL does not parse")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("URL %q: want http(s)://host/path without credentials (the token is passed separately)", redact.Redact(cfg.URL))
	}
	if err := validBranch(cfg.BaseBranch); err != nil {
		return fmt.Errorf("base branch: %w", err)
	}
	if cfg.BranchPrefix == "" || strings.ContainsAny(cfg.BranchPrefix, "*?[") {
		return fmt.Errorf("branch prefix %q: must be non-empty, without wildcards", cfg.BranchPrefix)
	}
	if err := validBranch(cfg.BranchPrefix + "x"); err != nil {
		return fmt.Errorf("branch prefix: %w", err)
	}
	if cfg.Author.Name == "" || cfg.Author.Email == "" || strings.ContainsAny(cfg.Author.Name+cfg.Author.Email, "<>\n\x00") {
		return fmt.Errorf("commit author %q <%s>: need a name and an email without <, > or newlines", cfg.Author.Name, cfg.Author.Email)
	}
	return nil
}

// openClone opens the bare clone for cfg.URL under CacheDir (one directory
// per URL), creating it on first use, or an empty in-memory repository.
func openClone(cfg RemoteConfig) (*git.Repository, error) {
	if cfg.CacheDir == "" {
		return git.Init(memory.NewStorage(), nil)
	}
	sum := sha256.Sum256([]byte(cfg.URL))
	dir := filepath.Join(cfg.CacheDir, "registry-"+hex.EncodeToString(sum[:8])+".git")
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return nil, err
		}
		return git.PlainInit(dir, true)
	}
	return repo, err
}

func (r *RegistryRemote) fetchSpecs() []config.RefSpec {
	base, prefix := r.cfg.BaseBranch, r.cfg.BranchPrefix
	return []config.RefSpec{
		config.RefSpec("+refs/heads/" + base + ":refs/remotes/" + registryRemoteName + "/" + base),
		config.RefSpec("+refs/heads/" + prefix + "*:refs/remotes/" + registryRemoteName + "/" + prefix + "*"),
	}
}

// configureRemote points origin at the configured URL (the cache may have
// been made for the same URL with other refspecs).
func (r *RegistryRemote) configureRemote() error {
	cfg, err := r.repo.Config()
	if err != nil {
		return err
	}
	cfg.Remotes[registryRemoteName] = &config.RemoteConfig{Name: registryRemoteName, URLs: []string{r.cfg.URL}, Fetch: r.fetchSpecs()}
	return r.repo.SetConfig(cfg)
}

// registryRetry retries the registry fetch and the bot's pushes on
// transient failures: a single 502 from GitHub's git front end must not
// cost the whole pass, or a server its night. No per-attempt timeout: the
// first clone of a large registry may take a while, and ctx bounds the
// whole.
var registryRetry = retry.RetryPolicy{Attempts: 3, Initial: 500 * time.Millisecond, Max: 5 * time.Second}

func (r *RegistryRemote) fetch(ctx context.Context) error {
	err := retry.Retry(ctx, registryRetry, func(ctx context.Context) error {
		err := r.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteName: registryRemoteName,
			RefSpecs:   r.fetchSpecs(),
			Auth:       r.auth,
			Tags:       git.NoTags,
			Prune:      true,
			Force:      true,
		})
		switch {
		case errors.Is(err, git.NoErrAlreadyUpToDate):
			return nil
		case errors.Is(err, git.NoMatchingRefSpecError{}):
			return retry.Permanent(err)
		}
		return err
	})
	baseMissing := fmt.Errorf("base branch %q not found on the remote", r.cfg.BaseBranch)
	switch {
	case errors.Is(err, git.NoMatchingRefSpecError{}):
		// Only the base refspec names one ref; the prefix is a wildcard.
		return r.fail("fetch", baseMissing)
	case err != nil:
		return r.fail("fetch", err)
	}
	base, err := r.repo.Reference(r.tracking(r.cfg.BaseBranch), true)
	if err != nil {
		return r.fail("fetch", baseMissing)
	}
	branches := map[string]BranchInfo{}
	refs, err := r.repo.References()
	if err != nil {
		return r.fail("list refs", err)
	}
	prefix := string(r.tracking(r.cfg.BranchPrefix))
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if ref.Type() != plumbing.HashReference || !strings.HasPrefix(name, prefix) {
			return nil
		}
		info := BranchInfo{Tip: ref.Hash().String()}
		c, err := r.repo.CommitObject(ref.Hash())
		if err != nil {
			return fmt.Errorf("branch %s: %w", name, err)
		}
		if len(c.ParentHashes) > 0 {
			info.Parent = c.ParentHashes[0].String()
		}
		branches[strings.TrimPrefix(name, "refs/remotes/"+registryRemoteName+"/")] = info
		return nil
	})
	if err != nil {
		return r.fail("read branches", err)
	}
	r.mu.Lock()
	r.baseTip = base.Hash().String()
	r.branches = branches
	r.mu.Unlock()
	return nil
}

func (r *RegistryRemote) tracking(branch string) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/remotes/" + registryRemoteName + "/" + branch)
}

func (r *RegistryRemote) fail(op string, err error) error {
	return redact.RedactError(fmt.Errorf("registry remote %s: %s: %w", redact.Redact(r.cfg.URL), op, err))
}

// BaseTip is the base branch's commit as fetched.
func (r *RegistryRemote) BaseTip() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.baseTip
}

// Branch returns one of the bot's branches as fetched (or as last pushed).
func (r *RegistryRemote) Branch(name string) (BranchInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info, ok := r.branches[name]
	return info, ok
}

// ReadFile returns the content of path at commit, and false when there is
// no such file there.
func (r *RegistryRemote) ReadFile(commit, path string) ([]byte, bool, error) {
	if !valid.FullSHA(commit) {
		return nil, false, r.fail("read "+path, fmt.Errorf("%q is not a full commit SHA", commit))
	}
	if err := gittree.ValidPath(path); err != nil {
		return nil, false, r.fail("read", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reader == nil {
		r.reader = gittree.NewReader(r.repo.Storer)
	}
	data, err := r.reader.ReadFile(plumbing.NewHash(commit), path, maxRegistryFile)
	if errors.Is(err, gittree.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, r.fail("read "+path, err)
	}
	return data, true, nil
}

// validate checks a BranchWrite before anything is built from it: the bot
// writes only its own branches, one file, on top of a known commit.
func (w BranchWrite) validate(prefix string) error {
	switch {
	case !strings.HasPrefix(w.Branch, prefix):
		return fmt.Errorf("branch %q is not under the bot's prefix %q", w.Branch, prefix)
	case !valid.FullSHA(w.Parent):
		return fmt.Errorf("parent %q is not a full commit SHA", w.Parent)
	case w.ForceFrom != "" && !valid.FullSHA(w.ForceFrom):
		return fmt.Errorf("current tip %q is not a full commit SHA", w.ForceFrom)
	case strings.TrimSpace(w.Message) == "":
		return errors.New("empty commit message")
	}
	if err := validBranch(w.Branch); err != nil {
		return err
	}
	return gittree.ValidPath(w.Path)
}

// WriteBranch makes the branch hold exactly one commit on top of Parent
// that sets Path to Content, and pushes it. When the fetched branch already
// is that commit's content on that parent, nothing is pushed and its tip is
// returned: a pass with nothing new writes nothing.
func (r *RegistryRemote) WriteBranch(ctx context.Context, w BranchWrite) (string, error) {
	if err := w.validate(r.cfg.BranchPrefix); err != nil {
		return "", r.fail("write branch", err)
	}
	op := "write branch " + w.Branch
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.repo.Storer
	parent, err := object.GetCommit(s, plumbing.NewHash(w.Parent))
	if err != nil {
		return "", r.fail(op, fmt.Errorf("parent %s: %w", w.Parent, err))
	}
	mode := filemode.Regular
	if tree, err := parent.Tree(); err == nil {
		if e, err := tree.FindEntry(w.Path); err == nil && e.Mode == filemode.Executable {
			mode = e.Mode
		}
	}
	blob, err := gittree.WriteBlob(s, w.Content)
	if err != nil {
		return "", r.fail(op, err)
	}
	treeHash, err := gittree.EditTree(s, parent.TreeHash, []gittree.Edit{{Path: w.Path, Mode: mode, Hash: blob}})
	if err != nil {
		return "", r.fail(op, err)
	}
	if treeHash == parent.TreeHash {
		return "", r.fail(op, fmt.Errorf("%s is already this content on %s: nothing to propose", w.Path, w.Parent))
	}
	if cur, ok := r.branches[w.Branch]; ok && cur.Parent == w.Parent {
		if tip, err := object.GetCommit(s, plumbing.NewHash(cur.Tip)); err == nil &&
			tip.TreeHash == treeHash && len(tip.ParentHashes) == 1 {
			return cur.Tip, nil
		}
	}
	when := w.When
	if when.IsZero() {
		when = time.Now()
	}
	sig := object.Signature{Name: r.cfg.Author.Name, Email: r.cfg.Author.Email, When: when}
	commit := &object.Commit{
		Author: sig, Committer: sig, Message: w.Message,
		TreeHash: treeHash, ParentHashes: []plumbing.Hash{parent.Hash},
	}
	obj := s.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return "", r.fail(op, err)
	}
	sha, err := s.SetEncodedObject(obj)
	if err != nil {
		return "", r.fail(op, err)
	}
	local := plumbing.NewBranchReferenceName(w.Branch)
	if err := s.SetReference(plumbing.NewHashReference(local, sha)); err != nil {
		return "", r.fail(op, err)
	}
	push := &git.PushOptions{
		RemoteName: registryRemoteName,
		RefSpecs:   []config.RefSpec{config.RefSpec(local.String() + ":" + local.String())},
		Auth:       r.auth,
	}
	if w.ForceFrom != "" {
		push.RefSpecs[0] = "+" + push.RefSpecs[0]
		push.ForceWithLease = &git.ForceWithLease{RefName: local, Hash: plumbing.NewHash(w.ForceFrom)}
	}
	// A push retried after GitHub took it but the answer was lost finds
	// the branch already at this commit: up to date, done.
	err = retry.Retry(ctx, registryRetry, func(ctx context.Context) error {
		err := r.repo.PushContext(ctx, push)
		if errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		return err
	})
	if err != nil {
		return "", r.fail(op+": push", err)
	}
	r.branches[w.Branch] = BranchInfo{Tip: sha.String(), Parent: w.Parent}
	return sha.String(), nil
}
