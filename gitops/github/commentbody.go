package github

import (
	"context"
	"fmt"
)

// CommentBody returns the body of the bot's comment on a pull request
// that carries marker ("" when there is none): the comment UpsertComment
// keeps, read back so a pass can see what an earlier one recorded. Only
// the pull request author's comments count, as for UpsertComment.
func (g *GitHub) CommentBody(ctx context.Context, number int, marker string) (string, error) {
	op := fmt.Sprintf("reading the comment on pull request #%d", number)
	pr, _, err := g.client.PullRequests.Get(ctx, g.owner, g.name, number)
	if err != nil {
		return "", g.fail(op, err)
	}
	c, err := g.findComment(ctx, number, marker, pr.GetUser().GetLogin())
	if err != nil {
		return "", g.fail(op, err)
	}
	return c.GetBody(), nil
}
