package github

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// WriteBranchViaAPI is WriteBranch through GitHub's Git Data API (blob,
// tree on the parent's tree, commit, then create or force-update the ref),
// for --commit-via api. The commit names no author or committer, so GitHub
// attributes it to the token's identity and signs it (shown as Verified
// for a GitHub App). w.When is ignored: GitHub sets the time.
//
// The lease is checked by reading the ref first (the API has no
// compare-and-swap); the window between read and update is one request.
// When the branch already holds the same tree on the same parent, nothing
// is committed and its tip is returned.
func (g *GitHub) WriteBranchViaAPI(ctx context.Context, w BranchWrite) (string, error) {
	if err := w.validate(""); err != nil {
		return "", g.fail("write branch", err)
	}
	op := "write branch " + w.Branch + " via the API"
	base, err := g.DefaultBranch(ctx)
	if err != nil {
		return "", err
	}
	if w.Branch == base {
		return "", g.fail(op, errors.New("refusing to rewrite the default branch"))
	}
	parent, _, err := g.client.Git.GetCommit(ctx, g.owner, g.name, w.Parent)
	if err != nil {
		return "", g.fail(op+": parent "+w.Parent, err)
	}
	if w.ForceFrom != "" {
		ref, _, err := g.client.Git.GetRef(ctx, g.owner, g.name, "heads/"+w.Branch)
		if err != nil {
			return "", g.fail(op, err)
		}
		if got := ref.GetObject().GetSHA(); got != w.ForceFrom {
			return "", g.fail(op, fmt.Errorf("lease lost: the branch is at %s, expected %s", got, w.ForceFrom))
		}
	}
	// Git objects are content-addressed: sending one twice is harmless.
	safe := withRetrySafe(ctx)
	blob, _, err := g.client.Git.CreateBlob(safe, g.owner, g.name, &github.Blob{
		Content:  github.String(base64.StdEncoding.EncodeToString(w.Content)),
		Encoding: github.String("base64"),
	})
	if err != nil {
		return "", g.fail(op+": blob", err)
	}
	tree, _, err := g.client.Git.CreateTree(safe, g.owner, g.name, parent.GetTree().GetSHA(), []*github.TreeEntry{{
		Path: github.String(w.Path), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA,
	}})
	if err != nil {
		return "", g.fail(op+": tree", err)
	}
	if tree.GetSHA() == parent.GetTree().GetSHA() {
		return "", g.fail(op, fmt.Errorf("%s is already this content on %s: nothing to propose", w.Path, w.Parent))
	}
	if w.ForceFrom != "" {
		if tip, _, err := g.client.Git.GetCommit(ctx, g.owner, g.name, w.ForceFrom); err == nil &&
			tip.GetTree().GetSHA() == tree.GetSHA() && len(tip.Parents) == 1 && tip.Parents[0].GetSHA() == w.Parent {
			return w.ForceFrom, nil
		}
	}
	commit, _, err := g.client.Git.CreateCommit(safe, g.owner, g.name, &github.Commit{
		Message: github.String(w.Message),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.String(w.Parent)}},
	}, nil)
	if err != nil {
		return "", g.fail(op+": commit", err)
	}
	ref := &github.Reference{Ref: github.String("refs/heads/" + w.Branch), Object: &github.GitObject{SHA: commit.SHA}}
	if w.ForceFrom == "" {
		_, _, err = g.client.Git.CreateRef(ctx, g.owner, g.name, ref)
	} else {
		_, _, err = g.client.Git.UpdateRef(safe, g.owner, g.name, ref, true)
	}
	if err != nil {
		return "", g.fail(op+": ref", err)
	}
	return commit.GetSHA(), nil
}
