package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcp-registry/updater/updater"
	"github.com/mcp-registry/updater/updater/inference"
)

// inferenceKeyEnv holds the inference API key the proxy injects: never a
// flag, where it would show in ps.
const inferenceKeyEnv = "UPDATER_INFERENCE_KEY"

// agentFlags are the agent reviewer's sandbox and inference proxy flags,
// shared by run, daemon and review.
func agentFlags(fs *flag.FlagSet, e *env) func() (updater.AgentOptions, error) {
	var o updater.AgentOptions
	var tools stringList
	var upstream, keyFile string
	var maxRequests int
	var maxBytes int64
	fs.Var(&o.Sandbox, "agent-sandbox", "agent reviewer containment: bwrap (a bubblewrap sandbox per review) or none (unsandboxed, said in the report)")
	fs.Var(&tools, "agent-tools", "directories bound read-only into the agent's sandbox, e.g. an npm --prefix holding the agent CLI (repeatable)")
	limitFlags(fs, &o.Limits)
	fs.BoolVar(&o.FullReview, "agent-full-review", false, "run the agent on the whole range again, not only on commits it has not reviewed")
	fs.StringVar(&upstream, "inference-upstream", inference.DefaultUpstream, "the model API the agent's inference proxy forwards to")
	fs.StringVar(&keyFile, "inference-key-file", "", "read the model API key the proxy injects from this file (else $"+inferenceKeyEnv+"); no key: no proxy")
	fs.IntVar(&maxRequests, "inference-max-requests", inference.DefaultMaxRequests, "model requests per review at most")
	fs.Int64Var(&maxBytes, "inference-max-bytes", inference.DefaultMaxBytes, "model request and response bytes per review at most")
	return func() (updater.AgentOptions, error) {
		for _, t := range tools {
			abs, err := filepath.Abs(t)
			if err != nil {
				return o, updater.Usagef("--agent-tools %s: %v", t, err)
			}
			o.Tools = append(o.Tools, abs)
		}
		key := strings.TrimSpace(e.getenv(inferenceKeyEnv))
		if keyFile != "" {
			b, err := os.ReadFile(keyFile)
			if err != nil {
				return o, updater.Usagef("--inference-key-file: %v", err)
			}
			key = strings.TrimSpace(string(b))
			if key == "" || strings.ContainsAny(key, " \n\t") {
				return o, updater.Usagef("--inference-key-file %s: want one key on one line", keyFile)
			}
		}
		if key == "" {
			return o, nil
		}
		u, err := inference.ParseUpstream(upstream)
		if err != nil {
			return o, updater.Usagef("--inference-upstream: %v", err)
		}
		o.Inference = &inference.Config{Upstream: u, Key: key, MaxRequests: maxRequests, MaxBytes: maxBytes}
		return o, nil
	}
}
