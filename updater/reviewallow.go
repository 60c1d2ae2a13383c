package updater

import (
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// loadAllowList reads the allow-list of accepted findings from the
// configuration under a registry checkout, its rules checked against the
// review's. For a registry change it is the base's: a PR cannot allow its
// own findings. No file means nothing is allowed. A bad file is a usage
// error (exit 2), as for a pass.
func loadAllowList(root string) (config.Allow, error) {
	raw, found, err := readConfigFile(root)
	if err != nil || !found {
		return nil, err
	}
	return parseAllowList(raw)
}

// parseAllowList reads the allow-list from the configuration's bytes.
func parseAllowList(raw []byte) (config.Allow, error) {
	cfg, err := config.Parse(config.Path, raw)
	if err == nil {
		err = cfg.Allow.CheckRules(config.Path, review.AllowableRule)
	}
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return cfg.Allow, nil
}

// allowancesFor is one server's allow-list as the review takes it.
func allowancesFor(a config.Allow, server string) []review.Allowance {
	var out []review.Allowance
	for _, e := range a[server] {
		out = append(out, review.Allowance{Rule: e.Rule, Reason: e.Reason, Path: e.Path})
	}
	return out
}
