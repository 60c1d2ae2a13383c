// Package github is the registry repository on GitHub: the client and its
// transport with the one retry, rate-limit and pacing policy, GitHub App
// authentication, pull requests, labels, comments, check runs and commit
// statuses, repository dispatch, commits through the Git Data API, and
// the registry clone with its bot branches.
//
// It must not import gitops/upstream (upstream's tests use this package)
// and reads no upstream repository. The registry clone (branch*.go) is the
// one documented place where go-git and go-github meet.
package github
