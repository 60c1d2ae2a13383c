#!/bin/sh
# Runs Anthropic's Claude Code (npm @anthropic-ai/claude-code, Node 22+)
# as the agent reviewer, non-interactively, in the sandbox updater gives
# it. ANTHROPIC_BASE_URL points at updater's inference proxy and
# ANTHROPIC_API_KEY is a placeholder the proxy replaces.
#
#   npm install --prefix /opt/claude @anthropic-ai/claude-code
#   UPDATER_INFERENCE_KEY=... updater run --review command \
#     --agent-tools /opt/claude --agent-tools /path/to/examples/agent-reviewer \
#     --reviewer-cmd 'CLAUDE=/opt/claude/node_modules/.bin/claude sh /path/to/examples/agent-reviewer/claude.sh'
#
# Tools: reading and searching, git's read-only commands, and writing
# only under the output directory (the sandbox enforces the same: the
# code is mounted read-only and nothing else of the host is writable).
set -eu
here=$(dirname "$0")
: "${ANTHROPIC_BASE_URL:?no inference proxy: set UPDATER_INFERENCE_KEY for updater}"
export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1
exec "${CLAUDE:-claude}" -p "$(cat "$here/prompt.md")" \
	--model "${AGENT_MODEL:-claude-sonnet-4-5}" \
	--output-format text \
	--permission-mode acceptEdits \
	--allowedTools 'Read' 'Grep' 'Glob' 'Bash(git log:*)' 'Bash(git diff:*)' 'Bash(git show:*)' 'Bash(printenv:*)' \
	"Write(/$REVIEW_OUTPUT_DIR/**)" \
	--disallowedTools 'WebFetch' 'WebSearch' \
	--add-dir "$REVIEW_OUTPUT_DIR" </dev/null
