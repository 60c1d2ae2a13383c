package updater

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
	"github.com/mcp-registry/updater/updater/review"
)

// loadConfig reads .github/updater.yaml from where the pass reads its
// servers: the fetched base branch when the pass writes (or runs as the
// daemon), else the registry checkout. An absent file is nil: no trust
// labels and no merging, as before the file existed.
func (p *pass) loadConfig() (*config.Config, error) {
	var raw []byte
	if p.deps.remote != nil {
		b, found, err := p.deps.remote.ReadFile(p.deps.remote.BaseTip(), config.Path)
		if err != nil {
			return nil, &registry.FileError{Path: config.Path, Err: err}
		}
		if !found {
			return nil, nil
		}
		raw = b
	} else {
		b, found, err := readConfigFile(p.opts.Registry)
		if err != nil || !found {
			return nil, err
		}
		raw = b
	}
	cfg, err := config.Parse(config.Path, raw)
	if err != nil {
		return nil, err
	}
	if err := cfg.Allow.CheckRules(config.Path, review.AllowableRule); err != nil {
		return nil, err
	}
	return cfg, nil
}

// readConfigFile reads the configuration under a registry checkout.
func readConfigFile(root string) ([]byte, bool, error) {
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(config.Path)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, &registry.FileError{Path: config.Path, Err: err}
	}
	return raw, true, nil
}

// setPublishers records each decision's publisher under the configuration.
func (p *pass) setPublishers(ds []Decision) {
	if p.cfg == nil {
		return
	}
	for i := range ds {
		if ds[i].project == "" {
			continue
		}
		pub := p.cfg.PublisherOf(ds[i].project, ds[i].upstream)
		ds[i].Publisher = &pub
	}
}
