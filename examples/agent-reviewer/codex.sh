#!/bin/sh
# Runs OpenAI's Codex CLI (npm @openai/codex) as the agent reviewer, in the
# sandbox updater gives it. updater's inference proxy is the model
# provider: OPENAI_BASE_URL points at it and OPENAI_API_KEY is a
# placeholder the proxy replaces, so no key is inside.
#
#   npm install --prefix /opt/codex @openai/codex@0.171.0
#   UPDATER_INFERENCE_KEY=... updater run --review command \
#     --inference-upstream https://api.openai.com --agent-tools /opt/codex \
#     --agent-tools /path/to/examples/agent-reviewer \
#     --reviewer-cmd 'CODEX=/opt/codex/node_modules/.bin/codex sh /path/to/examples/agent-reviewer/codex.sh'
#
# Codex's own command sandbox is bypassed: it runs inside updater's, which
# has no network and a read-only code checkout (Codex documents the flag
# for environments that are externally sandboxed).
set -eu
here=$(dirname "$0")
: "${OPENAI_BASE_URL:?no inference proxy: set UPDATER_INFERENCE_KEY for updater}"
export CODEX_HOME="$HOME/.codex"
mkdir -p "$CODEX_HOME"
exec "${CODEX:-codex}" exec \
	--ephemeral --skip-git-repo-check --color never \
	--dangerously-bypass-approvals-and-sandbox \
	-c model_provider=updater \
	-c "model_providers.updater={name=\"updater proxy\",base_url=\"$OPENAI_BASE_URL\",env_key=\"OPENAI_API_KEY\",wire_api=\"responses\"}" \
	-m "${AGENT_MODEL:-gpt-5}" \
	"$(cat "$here/prompt.md")" </dev/null
