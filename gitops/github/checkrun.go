package github

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/go-github/v66/github"
)

// checkExternalID marks the check runs the bot creates, so it finds its
// own among those of other apps (an external reviewer may publish a check
// of the same name).
const checkExternalID = "mcp-registry-updater"

// upsertCheckRun makes the bot's check run of this name on this commit
// say run: the one it made before is updated in place (a pass repeating a
// review, or a create GitHub acted on but answered with an error), and
// one is created only when there is none. A check run create cannot be
// retried blindly: each delivery is a new run, shown twice on the PR.
func (g *GitHub) upsertCheckRun(ctx context.Context, run github.CreateCheckRunOptions) error {
	run.ExternalID = github.String(checkExternalID)
	existing, err := g.ownCheckRun(ctx, run.HeadSHA, run.Name)
	if err != nil {
		return err
	}
	if existing != 0 {
		return g.updateCheckRun(ctx, existing, run)
	}
	_, _, err = g.client.Checks.CreateCheckRun(ctx, g.owner, g.name, run)
	if err == nil {
		return nil
	}
	if s := statusOf(err); s >= 400 && s < 500 {
		return err // refused, nothing made (403 and 404 fall back to a status)
	}
	// A 5xx or a lost answer: GitHub may have made the run.
	if made, ferr := g.ownCheckRun(ctx, run.HeadSHA, run.Name); ferr == nil && made != 0 {
		return g.updateCheckRun(ctx, made, run)
	}
	return err
}

// ownCheckRun returns the ID of the newest check run named name on sha
// that the bot made, 0 when there is none (or the token may not list
// check runs: then it may not create them either, and PublishCheck falls
// back to a commit status).
func (g *GitHub) ownCheckRun(ctx context.Context, sha, name string) (int64, error) {
	opts := &github.ListCheckRunsOptions{CheckName: github.String(name), Filter: github.String("all"),
		ListOptions: github.ListOptions{PerPage: listPageSize}}
	var id int64
	err := eachPage(&opts.ListOptions, func() (*github.Response, bool, error) {
		res, resp, err := g.client.Checks.ListCheckRunsForRef(ctx, g.owner, g.name, sha, opts)
		if err != nil {
			return nil, false, err
		}
		for _, c := range res.CheckRuns {
			if c.GetName() == name && c.GetExternalID() == checkExternalID {
				id = c.GetID()
				return resp, false, nil
			}
		}
		return resp, true, nil
	})
	if s := statusOf(err); s == http.StatusForbidden || s == http.StatusNotFound || errors.Is(err, errTooManyPages) {
		return 0, nil
	}
	return id, err
}

// updateCheckRun sets a check run's outcome; a PATCH sets fields to
// values, so it is safe to send twice.
func (g *GitHub) updateCheckRun(ctx context.Context, id int64, run github.CreateCheckRunOptions) error {
	_, _, err := g.client.Checks.UpdateCheckRun(withRetrySafe(ctx), g.owner, g.name, id, github.UpdateCheckRunOptions{
		Name: run.Name, Status: run.Status, Conclusion: run.Conclusion, Output: run.Output,
		DetailsURL: run.DetailsURL, ExternalID: run.ExternalID,
	})
	return err
}
