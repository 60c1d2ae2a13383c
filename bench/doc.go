// Package bench is the performance harness of the updater: it measures a
// pass against the floor of what any tool must do (one `git ls-remote`
// per upstream, run in parallel) on the same loopback repositories, and
// prints the figures BENCHMARKS.md records.
//
// The harness is a test (TestHarness in harness_test.go) because it
// builds its fixtures with gitops/gittest and gitops/githubtest, which
// take a testing.TB. It runs only when asked:
//
//	scripts/bench.sh                       # N = 100 and 1000, Markdown tables
//	go test ./bench -run TestHarness -v -timeout 60m -args -harness -n=100,1000 -c=16
//
// A smoke run at tiny N (TestSmoke) runs with the ordinary `go test
// ./...`: it drives every part of the harness and checks the figures are
// well formed, with no timing assertion.
//
// The sections (one file each): dry passes against the floor, write
// passes against the GitHub emulator counting requests, the review of a
// large range, an upstream with 20,000 refs, pushes to the registry.
// pprof_test.go holds in-process benchmarks for profiles. The non-test
// files hold what needs no fixture: running a command under the
// childusage helper (a small program, so a child's peak RSS is its own)
// and reading its resource usage (measure.go), and the Markdown table
// (table.go).
package bench
