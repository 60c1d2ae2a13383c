// Package gitops is the room for everything that talks to git or GitHub,
// split by trust and direction into subpackages; it holds no code itself.
//
//   - upstream reads untrusted upstream repositories over git: connection
//     and URL policy, ref listing and selection, the object cache and
//     fetches, cooldown, pin checks, ranges, export, pack indexing. It must
//     not import go-github; head resolution through a forge's API is the
//     HeadAPI interface it declares.
//   - upstream/ranges is the range model (what changed between two pins)
//     that the review reads; it imports nothing but the standard library.
//   - github writes the registry repository on GitHub: the client and its
//     transport (the one rate-limit policy), App auth, pull requests,
//     labels, comments, checks, dispatch, Git Data API commits, and the
//     registry clone and bot branches (the one place go-git and go-github
//     meet). It must not import upstream.
//   - internal/redact, internal/retry and internal/truncate are what both
//     need once.
//   - gittest and githubtest are the test fixtures: real git repositories
//     served on loopback, and an in-process GitHub.
package gitops
