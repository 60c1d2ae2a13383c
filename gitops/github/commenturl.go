package github

import (
	"context"
	"errors"
	"fmt"
)

// PutComment is UpsertComment returning the comment's web address (its
// html_url), for a PR body to link to. The address is read back as the
// next pass would find the comment (two reads), which keeps one upsert.
func (g *GitHub) PutComment(ctx context.Context, number int, marker, body string) (string, error) {
	if err := g.UpsertComment(ctx, number, marker, body); err != nil {
		return "", err
	}
	op := fmt.Sprintf("read back the comment on pull request #%d", number)
	c, err := g.botComment(ctx, number, marker)
	if err != nil {
		return "", g.fail(op, err)
	}
	if c == nil {
		return "", g.fail(op, errors.New("the comment just written is not listed"))
	}
	return c.GetHTMLURL(), nil
}
