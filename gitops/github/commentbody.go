package github

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// CommentBody returns the body of the bot's comment on a pull request
// that carries marker ("" when there is none): the comment UpsertComment
// keeps, read back so a pass can see what an earlier one recorded. Only
// the pull request author's comments count, as for UpsertComment.
func (g *GitHub) CommentBody(ctx context.Context, number int, marker string) (string, error) {
	c, err := g.botComment(ctx, number, marker)
	if err != nil {
		return "", g.fail(fmt.Sprintf("reading the comment on pull request #%d", number), err)
	}
	return c.GetBody(), nil
}

// botComment finds the comment UpsertComment keeps: the pull request
// author's carrying marker; nil when there is none.
func (g *GitHub) botComment(ctx context.Context, number int, marker string) (*github.IssueComment, error) {
	pr, _, err := g.client.PullRequests.Get(ctx, g.owner, g.name, number)
	if err != nil {
		return nil, err
	}
	return g.findComment(ctx, number, marker, pr.GetUser().GetLogin())
}
