package github

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
)

// UpsertComment keeps one comment of the bot on a pull request, found by
// marker (a hidden string the body carries): it is created when absent,
// edited when its body differs, and left alone when identical, so a pass
// that changes nothing writes nothing. Only comments by the pull request's
// author (the bot, which opened it) are candidates: a human quoting the
// marker must not have their comment overwritten.
func (g *GitHub) UpsertComment(ctx context.Context, number int, marker, body string) error {
	return g.upsertComment(ctx, number, "", marker, body)
}

// UpsertCommentAs is UpsertComment on someone else's pull request (a
// contributor's): the comment to update is the one author wrote, the
// login the token comments as (github-actions[bot] for a workflow's
// GITHUB_TOKEN), never the PR author's.
func (g *GitHub) UpsertCommentAs(ctx context.Context, number int, author, marker, body string) error {
	if author == "" {
		return g.fail(fmt.Sprintf("comment on pull request #%d", number), errors.New("no comment author to find the previous comment by"))
	}
	return g.upsertComment(ctx, number, author, marker, body)
}

// upsertComment finds the comment by author ("" = the PR's author).
func (g *GitHub) upsertComment(ctx context.Context, number int, author, marker, body string) error {
	op := fmt.Sprintf("comment on pull request #%d", number)
	if marker == "" || !strings.Contains(body, marker) {
		return g.fail(op, errors.New("the comment body must contain its non-empty marker, or the next pass cannot find it"))
	}
	if author == "" {
		pr, _, err := g.client.PullRequests.Get(ctx, g.owner, g.name, number)
		if err != nil {
			return g.fail(op, err)
		}
		author = pr.GetUser().GetLogin()
	}
	existing, err := g.findComment(ctx, number, marker, author)
	if err != nil {
		return g.fail(op, err)
	}
	if existing == nil {
		_, _, err = g.client.Issues.CreateComment(ctx, g.owner, g.name, number, &github.IssueComment{Body: &body})
	} else if existing.GetBody() != body {
		_, _, err = g.client.Issues.EditComment(withRetrySafe(ctx), g.owner, g.name, existing.GetID(),
			&github.IssueComment{Body: &body})
	}
	if err != nil {
		return g.fail(op, err)
	}
	return nil
}

// findComment pages through a pull request's comments for the first one by
// author containing marker.
func (g *GitHub) findComment(ctx context.Context, number int, marker, author string) (*github.IssueComment, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: listPageSize}}
	var found *github.IssueComment
	err := eachPage(&opts.ListOptions, func() (*github.Response, bool, error) {
		comments, resp, err := g.client.Issues.ListComments(ctx, g.owner, g.name, number, opts)
		if err != nil {
			return nil, false, err
		}
		for _, c := range comments {
			if c.GetUser().GetLogin() == author && strings.Contains(c.GetBody(), marker) {
				found = c
				return resp, false, nil
			}
		}
		return resp, true, nil
	})
	return found, err
}
