package githubtest

import (
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// Maintainer is the identity of changes the helpers below make, as a human
// with write access would.
var Maintainer = object.Signature{Name: "Registry Maintainer", Email: "maintainer@registry.test"}

// MaintainerLogin is the login of comments and labels a helper adds.
const MaintainerLogin = "registry-maintainer"

// Commit adds a maintainer's commit with changes on branch (created from
// nothing if absent) and returns its SHA.
func (s *Server) Commit(branch, message string, changes []gittest.Change) string {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	author := Maintainer
	sha := s.gitRepo.Commit(branch, message, changes, gittest.CommitOptions{Author: &author})
	s.refsMoved = true
	s.syncPullsLocked()
	return sha
}

// Seed commits files on the default branch: the registry's first state.
func (s *Server) Seed(files map[string]string) string {
	s.t.Helper()
	return s.Commit(s.opts.DefaultBranch, "seed the registry", gittest.Files(files))
}

// PushFile changes one file on branch as a maintainer would.
func (s *Server) PushFile(branch, path, content, message string) string {
	s.t.Helper()
	return s.Commit(branch, message, gittest.Files(map[string]string{path: content}))
}

// Branch returns a branch's tip, "" when it does not exist.
func (s *Server) Branch(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gitRepo.Head(name)
}

// Branches lists the registry repository's branches.
func (s *Server) Branches() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gitRepo.Branches()
}

// File returns a file's content at rev (branch or SHA).
func (s *Server) File(rev, path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gitRepo.File(rev, path)
}

// GitRepo returns the registry's bare repository, for changes the helpers
// do not cover. Use it only while no request is in flight; prefer the
// helpers, which lock.
func (s *Server) GitRepo() *gittest.Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refsMoved = true // whatever the caller does next
	return s.gitRepo
}

func (s *Server) mustPullLocked(n int) *PullRequest {
	s.t.Helper()
	for _, pr := range s.pulls {
		if pr.Number == n {
			return pr
		}
	}
	s.t.Fatalf("githubtest: no pull request #%d", n)
	return nil
}

// PR returns pull request n (the test fails if there is none).
func (s *Server) PR(n int) PullRequest {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncPullsLocked()
	return s.mustPullLocked(n).clone()
}

// Pulls returns every pull request, by number.
func (s *Server) Pulls() []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncPullsLocked()
	out := make([]PullRequest, 0, len(s.pulls))
	for _, pr := range s.pulls {
		out = append(out, pr.clone())
	}
	return out
}

// OpenPRs returns the open pull requests, by number.
func (s *Server) OpenPRs() []PullRequest {
	var out []PullRequest
	for _, pr := range s.Pulls() {
		if pr.State == "open" {
			out = append(out, pr)
		}
	}
	return out
}

// ClosePR closes pull request n without merging, as a maintainer saying
// "not this one".
func (s *Server) ClosePR(n int) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPullLocked(n)
	if pr.State == "open" {
		now := s.opts.Now()
		pr.State, pr.ClosedAt, pr.UpdatedAt, pr.ClosedBy = "closed", now, now, MaintainerLogin
	}
}

// MergePR merges open pull request n into its base and returns the base's
// new tip: a fast-forward when the base has not moved, otherwise the PR's
// last commit's changes committed onto the base (a squash of the bot's
// one-commit PRs).
func (s *Server) MergePR(n int) string {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncPullsLocked()
	pr := s.mustPullLocked(n)
	if pr.State != "open" {
		s.t.Fatalf("githubtest: merge #%d: it is %s", n, pr.State)
	}
	return s.mergeLocked(pr)
}

// mergeLocked merges open pr into its base and returns the base's new tip.
func (s *Server) mergeLocked(pr *PullRequest) string {
	base := s.gitRepo.Head(pr.Base)
	var tip string
	if s.isAncestorLocked(base, pr.HeadSHA) {
		s.gitRepo.SetBranch(pr.Base, pr.HeadSHA)
		tip = pr.HeadSHA
		s.refsMoved = true
	} else {
		author := Maintainer
		tip = s.gitRepo.Commit(pr.Base, fmt.Sprintf("%s (#%d)", pr.Title, pr.Number), s.lastCommitChangesLocked(pr.HeadSHA),
			gittest.CommitOptions{Author: &author})
		s.refsMoved = true
	}
	now := s.opts.Now()
	pr.State, pr.Merged, pr.ClosedAt, pr.MergedAt, pr.UpdatedAt, pr.ClosedBy = "closed", true, now, now, now, MaintainerLogin
	return tip
}

// lastCommitChangesLocked returns what commit sha changed against its
// first parent, as gittest changes.
func (s *Server) lastCommitChangesLocked(sha string) []gittest.Change {
	s.t.Helper()
	c, err := s.gitRepo.Git().CommitObject(plumbing.NewHash(sha))
	if err != nil || len(c.ParentHashes) == 0 {
		s.t.Fatalf("githubtest: commit %s: %v", sha, err)
	}
	parent, err := c.Parent(0)
	if err != nil {
		s.t.Fatalf("githubtest: parent of %s: %v", sha, err)
	}
	from, err := parent.Tree()
	if err != nil {
		s.t.Fatalf("githubtest: %v", err)
	}
	to, err := c.Tree()
	if err != nil {
		s.t.Fatalf("githubtest: %v", err)
	}
	diff, err := object.DiffTree(from, to)
	if err != nil {
		s.t.Fatalf("githubtest: diff %s: %v", sha, err)
	}
	var out []gittest.Change
	for _, ch := range diff {
		if ch.To.Name == "" {
			out = append(out, gittest.Delete(ch.From.Name))
			continue
		}
		f, err := to.TreeEntryFile(&ch.To.TreeEntry)
		if err != nil {
			s.t.Fatalf("githubtest: %v", err)
		}
		content, err := f.Contents()
		if err != nil {
			s.t.Fatalf("githubtest: %v", err)
		}
		out = append(out, gittest.Change{Path: ch.To.Name, Content: []byte(content), Mode: ch.To.TreeEntry.Mode})
	}
	return out
}

// Comments returns the comments on pull request n, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Issue == n {
			out = append(out, *c)
		}
	}
	return out
}

// AddComment adds a comment by user (a human) to pull request n.
func (s *Server) AddComment(n int, user, body string) int64 {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPullLocked(n)
	now := s.opts.Now()
	c := &Comment{ID: s.newIDLocked(), Issue: n, User: user, Body: body, CreatedAt: now, UpdatedAt: now}
	s.comments = append(s.comments, c)
	return c.ID
}

// Labels returns pull request n's labels in the order they were added.
func (s *Server) Labels(n int) []string {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mustPullLocked(n).Labels)
}

// AddLabel labels pull request n as a human would.
func (s *Server) AddLabel(n int, label string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPullLocked(n)
	if !slices.Contains(pr.Labels, label) {
		pr.Labels = append(pr.Labels, label)
	}
}

// RemoveLabel takes a label off pull request n as a human would.
func (s *Server) RemoveLabel(n int, label string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPullLocked(n)
	if i := slices.Index(pr.Labels, label); i >= 0 {
		pr.Labels = slices.Delete(pr.Labels, i, i+1)
	}
}

// CheckRuns returns the check runs created on sha ("" for all).
func (s *Server) CheckRuns(sha string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, c := range s.checkRuns {
		if sha == "" || c.HeadSHA == sha {
			out = append(out, *c)
		}
	}
	return out
}

// Statuses returns the commit statuses set on sha ("" for all).
func (s *Server) Statuses(sha string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	for _, st := range s.statuses {
		if sha == "" || st.SHA == sha {
			out = append(out, *st)
		}
	}
	return out
}

// Dispatches returns the repository_dispatch events received.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dispatches)
}
