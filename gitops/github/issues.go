package github

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Issue is what the bot needs to know about a plain issue of the registry
// (the dashboard).
type Issue struct {
	Number    int
	Title     string
	Body      string
	Author    string // login of who opened it
	CreatedAt time.Time
}

// ListIssues returns the open issues (pull requests left out) carrying
// label, oldest first.
func (g *GitHub) ListIssues(ctx context.Context, label string) ([]Issue, error) {
	opts := &github.IssueListByRepoOptions{
		State: "open", Labels: []string{label}, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: listPageSize},
	}
	var out []Issue
	err := eachPage(&opts.ListOptions, func() (*github.Response, bool, error) {
		issues, resp, err := g.client.Issues.ListByRepo(ctx, g.owner, g.name, opts)
		if err != nil {
			return nil, false, err
		}
		for _, is := range issues {
			if is.IsPullRequest() {
				continue
			}
			out = append(out, fromGitHubIssue(is))
		}
		return resp, true, nil
	})
	if err != nil {
		return nil, g.fail("list issues labelled "+label, err)
	}
	slices.SortStableFunc(out, func(a, b Issue) int { return a.Number - b.Number })
	return out, nil
}

func fromGitHubIssue(is *github.Issue) Issue {
	return Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), Author: is.GetUser().GetLogin(), CreatedAt: is.GetCreatedAt().Time}
}

// CreateIssue opens an issue with labels.
func (g *GitHub) CreateIssue(ctx context.Context, title, body string, labels []string) (Issue, error) {
	is, _, err := g.client.Issues.Create(ctx, g.owner, g.name, &github.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	if err != nil {
		return Issue{}, g.fail("create issue "+title, err)
	}
	return fromGitHubIssue(is), nil
}

// EditIssueBody replaces an issue's body.
func (g *GitHub) EditIssueBody(ctx context.Context, number int, body string) error {
	if _, _, err := g.client.Issues.Edit(withRetrySafe(ctx), g.owner, g.name, number, &github.IssueRequest{Body: &body}); err != nil {
		return g.fail(fmt.Sprintf("edit issue #%d", number), err)
	}
	return nil
}

// BodyEdit is one edit of an issue's body: who, and when.
type BodyEdit struct {
	Editor   string
	EditedAt time.Time
}

// maxBodyEdits is how many of an issue's latest body edits are asked for.
const maxBodyEdits = 50

// BodyEdits returns the latest edits of an issue's body, newest first,
// from GraphQL (userContentEdits): REST does not say who edited an issue.
// An edit whose editor GitHub no longer knows (a deleted account) has an
// empty Editor.
func (g *GitHub) BodyEdits(ctx context.Context, number int) ([]BodyEdit, error) {
	const query = `query($owner:String!,$name:String!,$number:Int!){repository(owner:$owner,name:$name){issue(number:$number){userContentEdits(last:50){nodes{editedAt editor{login}}}}}}`
	in := map[string]any{"query": query, "variables": map[string]any{"owner": g.owner, "name": g.name, "number": number}}
	req, err := g.client.NewRequest("POST", graphQLURL(g.client.BaseURL), in)
	if err != nil {
		return nil, g.fail("who edited issue", err)
	}
	var out struct {
		Data struct {
			Repository struct {
				Issue *struct {
					UserContentEdits struct {
						Nodes []struct {
							EditedAt time.Time
							Editor   *struct{ Login string }
						}
					}
				}
			}
		}
		Errors []struct{ Message string }
	}
	op := fmt.Sprintf("who edited issue #%d", number)
	if _, err := g.client.Do(withRetrySafe(ctx), req, &out); err != nil {
		return nil, g.fail(op, err)
	}
	if len(out.Errors) > 0 {
		return nil, g.fail(op, fmt.Errorf("GraphQL: %s", out.Errors[0].Message))
	}
	if out.Data.Repository.Issue == nil {
		return nil, g.fail(op, fmt.Errorf("GraphQL: no such issue"))
	}
	var edits []BodyEdit
	for _, n := range out.Data.Repository.Issue.UserContentEdits.Nodes {
		e := BodyEdit{EditedAt: n.EditedAt}
		if n.Editor != nil {
			e.Editor = n.Editor.Login
		}
		edits = append(edits, e)
		if len(edits) == maxBodyEdits {
			break
		}
	}
	slices.SortStableFunc(edits, func(a, b BodyEdit) int { return b.EditedAt.Compare(a.EditedAt) })
	return edits, nil
}

// graphQLURL is the GraphQL endpoint next to a REST base:
// https://api.github.com/graphql, and <host>/api/graphql for GitHub
// Enterprise (REST under /api/v3/).
func graphQLURL(rest *url.URL) string {
	u := *rest
	if strings.HasSuffix(u.Path, "/api/v3/") {
		u.Path = strings.TrimSuffix(u.Path, "v3/") + "graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

// Permission returns a user's permission on the registry repository as
// GitHub's "permission" field says it: admin, write (maintain and custom
// roles based on write included), read (triage included) or none.
func (g *GitHub) Permission(ctx context.Context, login string) (string, error) {
	if login == "" || strings.ContainsAny(login, "/?#%") {
		return "none", nil
	}
	p, _, err := g.client.Repositories.GetPermissionLevel(ctx, g.owner, g.name, login)
	if err != nil {
		if statusOf(err) == 404 {
			return "none", nil
		}
		return "", g.fail("permission of "+login, err)
	}
	return p.GetPermission(), nil
}
