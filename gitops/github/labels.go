package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"
)

// LabelDef is a repository label as the bot creates it when missing.
type LabelDef struct {
	Name        string
	Color       string // six hex digits, no '#'
	Description string
}

// EnsureLabel creates the repository label def describes when the
// repository has none of that name; a label that exists is left exactly
// as it is (maintainers may have recoloured it). Adding a missing label to
// a pull request would create it too, grey and undescribed: the bot calls
// this first. created reports whether the label was made now.
func (g *GitHub) EnsureLabel(ctx context.Context, def LabelDef) (created bool, err error) {
	op := fmt.Sprintf("create label %q", def.Name)
	_, _, err = g.client.Issues.GetLabel(ctx, g.owner, g.name, def.Name)
	switch {
	case err == nil:
		return false, nil
	case statusOf(err) != http.StatusNotFound:
		return false, g.fail(op, err)
	}
	_, _, err = g.client.Issues.CreateLabel(ctx, g.owner, g.name, &github.Label{
		Name: &def.Name, Color: &def.Color, Description: &def.Description,
	})
	if err != nil {
		if alreadyExists(err) {
			return false, nil // made meanwhile: by someone else, theirs stands
		}
		return false, g.fail(op, err)
	}
	return true, nil
}

// alreadyExists: GitHub's 422 for a name taken, {"code": "already_exists"}.
func alreadyExists(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || statusOf(err) != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "already_exists" {
			return true
		}
	}
	return false
}
