// Package review is the differential security review of a pin bump: the
// built-in rules (pure functions from a gitops.Range to findings), the
// result they add up to (risk, labels, check conclusion), the Markdown
// report, and the runner for an untrusted agent reviewer.
//
// # Severities
//
// The overall risk is the highest finding's severity, Info when there is
// none. Files outside source.directory count one step lower unless they
// are build inputs (CI workflows, or manifests, lockfiles, Dockerfiles and
// build scripts in a parent directory of it); documentation, examples and
// tests count one step lower where the table says "docs −1".
//
//	rule               finding                                            severity
//	history-rewritten  old pin not an ancestor of the new one             critical, blocks
//	base-missing       old pin gone upstream (or no range at all)         critical, blocks
//	ci-workflow        pull_request_target / workflow_run trigger added   high
//	                   write permissions granted; new secrets used        medium
//	                   workflow changed or removed, none of the above     low
//	install-hook       npm preinstall/install/postinstall/prepare...      high
//	                   setup.py cmdclass, build hooks, backend change     high
//	                   curl | sh in build scripts and Dockerfiles         high
//	dependencies       dependency from a URL, VCS or new package index    high
//	                   dependency added; git submodule added              medium
//	                   dependencies only removed or re-versioned          low
//	                   manifest changed but not parsed, or removed        low
//	                   lockfile churn                                     info
//	dockerfile         ADD of a URL without --checksum                    high
//	                   compose: privileged, host namespaces, docker.sock  high
//	                   new base image; ADD of a URL with a checksum       medium
//	                   other Dockerfile/compose changes                   low
//	binary-or-blob     eval/exec of decoded data                          high, docs −1
//	                   executable, native library or archive committed    high
//	                   other binary; long encoded literal; minified       medium (low in data files)
//	                   image or font                                      low
//	process-exec       new child-process execution in code                medium, docs −1
//	network-endpoint   BCC recipient added                                high, docs −1
//	                   new host in a file; other recipient added          medium, docs −1
//	secret             private key block                                  critical, docs −1
//	                   AWS/GitHub/Slack/Stripe/Google/... token format    high, docs −1
//	                   credential-named high-entropy literal              medium, docs −1
//	tool-poisoning     hidden instructions, <IMPORTANT>/<SYSTEM> tags     critical, docs −1
//	                   zero-width or bidi control characters              critical, docs −1
//	                   text pointing at ~/.ssh, .env, mcp.json...         high, docs −1
//	                   text steering the model to call tools              medium, docs −1
//	license-changed    license file removed                               medium
//	                   license file modified                              low
//	first-time-author  authors never seen at or before the old pin        low
//	signing-stopped    unsigned commits after a signed old pin            medium
//	skipped-content    caps left out part of the range or a file inside   medium
//	                   caps left out a file outside the directory         low
//	agent-review       agent failed, timed out or wrote malformed output  high
//	                   agent verdict                                      as labelled
//	                   conflicting risk labels                            low
//	                   labels outside the allow-list (dropped)            info
//
// The check conclusion follows the risk: blocked or critical fails, high
// or medium is neutral, low or info succeeds.
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
