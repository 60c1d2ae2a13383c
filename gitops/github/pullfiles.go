package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/registry/valid"
)

// PullFile is one file a pull request changes, as GitHub lists it.
type PullFile struct {
	Path string
	// Status is added, modified, removed or renamed (GitHub also says
	// copied, changed and unchanged).
	Status string
	// PreviousPath is the file's path at the base, for renamed files.
	PreviousPath string
}

// maxPullFiles is GitHub's own limit on a pull request's file listing
// (3000 files); a listing that reaches it may be incomplete, so it is an
// error rather than a partial answer.
const maxPullFiles = 3000

// PullFiles lists every file a pull request changes, page by page.
func (g *GitHub) PullFiles(ctx context.Context, number int) ([]PullFile, error) {
	op := fmt.Sprintf("list the files of pull request #%d", number)
	var out []PullFile
	opts := &github.ListOptions{PerPage: listPageSize}
	err := eachPage(opts, func() (*github.Response, bool, error) {
		files, resp, err := g.client.PullRequests.ListFiles(ctx, g.owner, g.name, number, opts)
		if err != nil {
			return nil, false, err
		}
		for _, f := range files {
			out = append(out, PullFile{Path: f.GetFilename(), Status: f.GetStatus(), PreviousPath: f.GetPreviousFilename()})
		}
		if len(out) >= maxPullFiles {
			return nil, false, fmt.Errorf("%d files or more: GitHub's listing may be incomplete", maxPullFiles)
		}
		return resp, true, nil
	})
	if err != nil {
		return nil, g.fail(op, err)
	}
	return out, nil
}

// maxFileAt bounds a file read through the contents API: registry files
// are small, and GitHub sends no content inline above 1 MB.
const maxFileAt = 1 << 20

// FileAt reads a file of the registry repository at a commit through the
// contents API; found is false when the commit has no such file.
func (g *GitHub) FileAt(ctx context.Context, commit, path string) (data []byte, found bool, err error) {
	op := fmt.Sprintf("read %s at %s", path, commit)
	if !valid.FullSHA(commit) {
		return nil, false, g.fail(op, errors.New("not a full commit SHA"))
	}
	fc, _, resp, err := g.client.Repositories.GetContents(ctx, g.owner, g.name, path, &github.RepositoryContentGetOptions{Ref: commit})
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, g.fail(op, err)
	}
	if fc == nil || fc.GetType() != "file" {
		return nil, false, g.fail(op, errors.New("not a regular file"))
	}
	if fc.GetSize() > maxFileAt {
		return nil, false, g.fail(op, fmt.Errorf("%d bytes, over the %d byte limit", fc.GetSize(), maxFileAt))
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, false, g.fail(op, err)
	}
	return []byte(s), true, nil
}
