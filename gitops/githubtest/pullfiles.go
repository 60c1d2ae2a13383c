package githubtest

import (
	"context"
	"net/http"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"
	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// Contributor is the login OpenContributorPR's pull requests come from.
const Contributor = "contributor"

// OpenContributorPR opens a pull request from a branch of the registry
// repository (fork PRs are the same to the API: a head SHA and a base)
// as Contributor, not the bot: branch starts at base's tip and holds
// files, one commit (an empty content deletes the file). It returns the PR's number.
func (s *Server) OpenContributorPR(branch, base, title string, files map[string]string) int {
	s.t.Helper()
	s.mu.Lock()
	tip := s.gitRepo.Head(base)
	s.gitRepo.SetBranch(branch, tip)
	s.mu.Unlock()
	var changes []gittest.Change
	for path, content := range files {
		if content == "" {
			changes = append(changes, gittest.Delete(path))
			continue
		}
		changes = append(changes, gittest.Files(map[string]string{path: content})...)
	}
	s.Commit(branch, title, changes)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	pr := &PullRequest{
		Number: s.nextIssueNumberLocked(), State: "open", Title: title,
		Head: branch, Base: base, HeadSHA: s.gitRepo.Head(branch), User: Contributor,
		CreatedAt: now, UpdatedAt: now,
	}
	s.pulls = append(s.pulls, pr)
	return pr.Number
}

// listPullFiles answers GET /pulls/{number}/files: the files changed from
// the merge base of base and head to head, with GitHub's statuses (added,
// modified, removed, renamed with previous_filename), paginated.
func (s *Server) listPullFiles(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	files, err := s.diffFilesLocked(s.gitRepo.Head(pr.Base), pr.HeadSHA)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	start, end, ok := pageBounds(w, r, len(files))
	if !ok {
		return
	}
	writePage(w, r, files[start:end], len(files))
}

func (s *Server) diffFilesLocked(baseTip, head string) ([]*github.CommitFile, error) {
	repo := s.gitRepo.Git()
	hc, err := repo.CommitObject(plumbing.NewHash(head))
	if err != nil {
		return nil, err
	}
	bc, err := repo.CommitObject(plumbing.NewHash(baseTip))
	if err != nil {
		return nil, err
	}
	bases, err := bc.MergeBase(hc)
	if err != nil {
		return nil, err
	}
	var from *object.Tree
	if len(bases) > 0 {
		if from, err = bases[0].Tree(); err != nil {
			return nil, err
		}
	}
	to, err := hc.Tree()
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTreeWithOptions(context.Background(), from, to, &object.DiffTreeOptions{DetectRenames: true, RenameScore: 50})
	if err != nil {
		return nil, err
	}
	out := []*github.CommitFile{}
	for _, c := range changes {
		action, err := c.Action()
		if err != nil {
			return nil, err
		}
		f := &github.CommitFile{Filename: github.String(c.To.Name)}
		switch {
		case action == merkletrie.Insert:
			f.Status = github.String("added")
		case action == merkletrie.Delete:
			f.Filename, f.Status = github.String(c.From.Name), github.String("removed")
		case c.From.Name != c.To.Name:
			f.Status, f.PreviousFilename = github.String("renamed"), github.String(c.From.Name)
		default:
			f.Status = github.String("modified")
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetFilename() < out[j].GetFilename() })
	return out, nil
}
