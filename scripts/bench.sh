#!/bin/sh
# Runs the benchmark harness (bench/, see BENCHMARKS.md) and prints its
# Markdown tables on stdout; progress goes to stderr. Arguments are passed
# to the harness, e.g.
#
#   scripts/bench.sh                          # N = 100 and 1000: under ten minutes on two cores
#   scripts/bench.sh -n 100,1000,5000         # add N = 5000 (about twenty minutes more)
#   scripts/bench.sh -n 100 -runs 5 -c 8      # smaller, more repetitions, another concurrency
#   BENCH_RUN='TestHarness/(dry|refs)' scripts/bench.sh   # some sections only
#
# Needs Go and git (the fixtures are served by git http-backend and git
# daemon on 127.0.0.1); nothing touches the network.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
go test ./bench -run "${BENCH_RUN:-^TestHarness\$}" -count=1 -timeout 90m -v \
	-args -harness -out "$out" "$@" >&2
cat "$out"
