package github

import (
	"context"
	"fmt"
)

// ClosedBy returns the login of who closed a pull request ("" when GitHub
// does not say, as for one its deleted head branch closed). GitHub records
// it on the issue view of the pull request, not in the pull request
// listing: the bot asks only about the closed pull requests whose decision
// matters, the ones proposing a commit it would propose again.
func (g *GitHub) ClosedBy(ctx context.Context, number int) (string, error) {
	issue, _, err := g.client.Issues.Get(ctx, g.owner, g.name, number)
	if err != nil {
		return "", g.fail(fmt.Sprintf("who closed pull request #%d", number), err)
	}
	return issue.GetClosedBy().GetLogin(), nil
}
