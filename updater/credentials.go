package updater

import (
	"context"
	"fmt"

	"github.com/mcp-registry/updater/gitops/github"
)

// checkCredentials asks GitHub for the registry repository, the cheapest
// authenticated call and one the pass needs anyway (its default branch),
// before any upstream is resolved or any server touched. Credentials
// GitHub rejects are a configuration error (exit 2) naming where they
// came from; any other failure is returned for the caller to weigh.
func checkCredentials(ctx context.Context, gh *github.GitHub, opts *Options) (defaultBranch string, err error) {
	branch, err := gh.DefaultBranch(ctx)
	if rejected := credentialsRejected(opts.GitHub, err); rejected != nil {
		return "", rejected
	}
	return branch, err
}

// credentialsRejected is the configuration error for credentials GitHub
// refused (a token, or an App's exchange for an installation token); nil
// for any other outcome.
func credentialsRejected(o GitHubOptions, err error) error {
	if err == nil || !github.CredentialsRejected(err) {
		return nil
	}
	return Usagef("GitHub rejected the %s: %w", credentialSource(o), err)
}

// credentialSource names where the rejected credentials were configured.
func credentialSource(o GitHubOptions) string {
	if o.AppID != 0 {
		return fmt.Sprintf("GitHub App %d (--app-id, --app-key-file)", o.AppID)
	}
	return "token in GITHUB_TOKEN (or --token-file)"
}
