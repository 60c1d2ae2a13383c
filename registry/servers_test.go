package registry_test

import (
	"testing"

	"github.com/mcp-registry/updater/registry"
)

// TestOwnServers keeps this repository's servers/ valid and covering the
// kinds of entry the updater must handle.
func TestOwnServers(t *testing.T) {
	files, errs := registry.Load("..")
	for _, err := range errs {
		t.Errorf("load: %v", err)
	}
	if len(files) < 8 {
		t.Errorf("%d servers, want at least 8", len(files))
	}
	has := map[string]bool{}
	for _, f := range files {
		for _, err := range registry.Validate(f) {
			t.Errorf("validate: %v", err)
		}
		s := f.Server
		switch {
		case s.Source == nil && s.Type == registry.TypeRemote:
			has["remote without source"] = true
		case s.Source == nil:
		default:
			if s.Source.Directory != "" {
				has["directory"] = true
			}
			if b := s.Source.Branch; b == "main" || b == "master" {
				has["branch"] = true
			}
			if tagBranch.MatchString(s.Source.Branch) {
				has["tag-tracking"] = true
			}
		}
	}
	for _, kind := range []string{"remote without source", "directory", "branch", "tag-tracking"} {
		if !has[kind] {
			t.Errorf("servers/ has no %s entry", kind)
		}
	}
}
