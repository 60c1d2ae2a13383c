// Package review is the differential security review of a pin bump: the
// built-in rules (pure functions from a ranges.Range to findings), the
// result they add up to (risk, labels, check conclusion), the Markdown
// report, and the runner for an untrusted agent reviewer.
//
// # Severities
//
// The overall risk is the highest finding's severity, Info when there is
// none. Files outside the server's scope (source.directory and its build
// inputs: CI workflows, or manifests, lockfiles, Dockerfiles and build
// scripts in a parent directory of it) count at most low; documentation,
// examples and tests count one step lower where the table says "docs −1".
//
//	rule               finding                                            severity
//	history-rewritten  old pin not an ancestor of the new one (branches,  critical, blocks
//	                   or a tag sharing no history with the old pin)
//	base-missing       old pin gone upstream (or no range at all)         critical, blocks
//	release-off-line   tag release off the old pin's line: compared       info
//	                   through the merge base, commits merge-base..new
//	tag-moved          the pinned tag now points at another commit        critical, blocks
//	build-broken       source.directory/dockerfile missing at the pin     critical, blocks
//	ci-workflow        pull_request_target / workflow_run trigger added   high
//	                   write permissions granted; new secrets used        medium
//	                   workflows changed or removed, none of the above    low (one finding)
//	                   only read-only permissions added                   info (good news)
//	install-hook       npm preinstall/install/postinstall/prepare...      high
//	                   setup.py cmdclass, build hooks, backend change     high
//	                   curl | sh in build scripts and Dockerfiles         high
//	dependencies       from a URL, VCS, tarball or new package index      high
//	                   look-alike of a removed or well-known package      high
//	                   dependency added; git submodule added              medium
//	                   removed, re-versioned, overrides/resolutions       low
//	                   manifest changed but not parsed, or removed        low
//	                   lockfile churn                                     info
//	dockerfile         ADD of a URL without --checksum                    high
//	                   compose: privileged, host namespaces, docker.sock  high
//	                   new base image; ADD of a URL with a checksum       medium
//	                   other Dockerfile/compose changes                   low
//	binary-or-blob     eval/exec of decoded data                          high, docs −1
//	                   executables, native libraries, archives (grouped)  high
//	                   other binaries; long encoded literal; minified     medium (low in data files)
//	                   images and fonts (grouped)                         low
//	process-exec       new child-process execution in code                medium, docs −1
//	exfiltration       environment or credential file in a request        critical, blocks, docs −1
//	                   both read next to a request, no flow seen          high, docs −1
//	                   shell/RUN: env, environ, credential file to a      critical, blocks, docs −1
//	                   sender (curl -d, nc, /dev/tcp, ssh, dig)
//	                   shell/RUN: secret variable in request data, DNS    high, docs −1
//	                   name built from $(…)
//	credential-access  ~/.ssh, .aws, .npmrc, docker auth, keychains...    high, docs −1
//	                   (in code, shell scripts and Dockerfile RUN)
//	dynamic-exec       eval/exec/import of decoded, fetched, built code   high, docs −1
//	                   shell/RUN: eval, source <(curl), -c "$(curl)",     high, docs −1
//	                   decoded | sh, a fetched file run unverified
//	                   eval/exec of a variable, computed import           medium, docs −1
//	hidden-recipient   BCC/CC/forward address the code supplies           high, docs −1
//	                   shell: mail -b/-c, --mail-rcpt, Bcc: a fixed address high, docs −1
//	exposure           wildcard CORS, 0.0.0.0, auth or TLS checks off     medium, docs −1
//	network-endpoint   BCC recipient added outside code                   high, docs −1
//	                   new host (one finding per host); recipient added   medium, docs −1
//	secret             private key block                                  critical, docs −1
//	                   AWS/GitHub/Slack/Stripe/Google/... token format    high, docs −1
//	                   credential-named high-entropy literal              medium, docs −1
//	tool-poisoning     hidden instructions, <IMPORTANT>/<SYSTEM> tags     critical, docs −1
//	                   zero-width or bidi control characters              critical, docs −1
//	                   sensitive object × action × concealment/side way   critical, docs −1
//	                   concealment with a sensitive object or other tool  high, docs −1
//	                   text pointing at ~/.ssh, .env, mcp.json...         high, docs −1
//	                   text steering the model to call tools              medium, docs −1
//	license-changed    license file removed                               medium
//	                   license file modified                              low
//	first-time-author  authors of commits touching the directory, never   low
//	                   seen at or before the old pin
//	signing-stopped    unsigned commits where >= 90% of the 50 commits    medium
//	                   before the old pin were signed
//	skipped-content    caps left out part of the range or a file inside   medium
//	                   caps left out a file outside the directory         low
//	agent-review       agent failed, timed out or wrote malformed output  high
//	                   agent verdict                                      as labelled
//	                   conflicting risk labels                            low
//	                   labels outside the allow-list (dropped)            info
//
// The check conclusion follows the risk and --fail-on (verdict.go):
// blocked, or a risk at or above --fail-on (default high), fails; medium
// or high below it is neutral; low or info succeeds. --fail-on critical
// is the reference registry's mapping.
//
// # Hostile input
//
// Everything in a range is upstream content. Rules never panic on it and
// never copy a secret's value into a finding; the report escapes or fences
// every upstream string (see sanitize.go). The agent reviewer is an
// untrusted program: RunAgent runs it in a sandbox of its own (package
// agentbox; its inference through package inference), gives it an
// environment built from nothing, and takes back only two size-capped
// files.
package review
