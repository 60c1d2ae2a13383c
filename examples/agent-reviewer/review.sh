#!/bin/sh
# A stand-in agent: a few greps over the differential range, written in the
# contract's format. Replace it (and the image) with a real reviewer; keep
# the contract: read $REVIEW_CODE_DIR, write only report.md and labels.txt
# into $REVIEW_OUTPUT_DIR, exit 0.
set -eu

out="$REVIEW_OUTPUT_DIR"
git() { command git -c safe.directory='*' -C "$REVIEW_CODE_DIR" "$@"; }

changed=$(git diff --name-only "$REVIEW_BASE" "$REVIEW_HEAD" -- "${REVIEW_DIRECTORY:-.}" | wc -l)
commits=$(git rev-list --count "$REVIEW_BASE..$REVIEW_HEAD")
hits=$(git diff "$REVIEW_BASE" "$REVIEW_HEAD" -- "${REVIEW_DIRECTORY:-.}" |
	grep -cE '^\+.*(child_process|subprocess|eval\(|curl .*\| *(ba)?sh)' || true)

risk=low
[ "$hits" -gt 0 ] && risk=medium

base7=$(printf %.7s "$REVIEW_BASE")
head7=$(printf %.7s "$REVIEW_HEAD")
cat > "$out/report.md" <<REPORT
# Security Review Report

## Scope Summary

- **Review Mode**: Differential
- **Repository**: \`$REVIEW_PROJECT\`
- **Head Commit**: \`$REVIEW_HEAD\`
- **Base Commit**: \`$REVIEW_BASE\`
- **Commit Range**: \`$base7..$head7\` ($commits commits)
- **Overall Risk Level**: $(echo "$risk" | tr a-z A-Z)

## Executive Summary

$changed files changed under the server directory; $hits added lines execute processes, evaluate code or pipe downloads into a shell.

## Detailed Findings

$( [ "$hits" -gt 0 ] && echo "### [MEDIUM] Process execution or evaluation added" || echo "No findings." )

## Recommended Labels

- \`security-risk:$risk\`
REPORT
echo "security-risk:$risk" > "$out/labels.txt"
