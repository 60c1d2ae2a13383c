package upstream

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

func TestCheckPin(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("pins", "master")
	c1 := r.Commit("master", "one", gittest.Files(map[string]string{"a": "1"}))
	c2 := r.Commit("master", "two", gittest.Files(map[string]string{"a": "2"}))
	dev := r.Commit("develop", "dev only", gittest.Files(map[string]string{"a": "d"}), gittest.CommitOptions{Parents: []string{c2}})
	r.Tag("v1.0.0", c1, true)
	dropped := r.Commit("gone", "later deleted", gittest.Files(map[string]string{"a": "x"}))
	r.DeleteRef("refs/heads/gone")
	r.SetRef("refs/pull/3/head", dev)

	c := newTestCache(t)
	tests := []struct {
		name    string
		branch  string
		commit  string
		wantErr error
		contain string
	}{
		{name: "tip of the default branch", commit: c2},
		{name: "older commit on the default branch", commit: c1},
		{name: "on the named branch", branch: "develop", commit: dev},
		{name: "ancestor of the named branch", branch: "refs/heads/develop", commit: c1},
		{name: "tag commit", branch: "v1.0.0", commit: c1},
		{name: "pull request ref", branch: "refs/pull/3/head", commit: dev},
		{name: "not on the default branch", commit: dev, wantErr: ErrPinNotOnBranch},
		{name: "tag points elsewhere", branch: "v1.0.0", commit: c2, wantErr: ErrPinNotOnBranch, contain: "tag refs/tags/v1.0.0 is commit " + c1},
		{name: "branch gone upstream", branch: "gone", commit: dropped, wantErr: ErrPinNotOnBranch, contain: "no longer exists upstream"},
		{name: "commit that never existed", commit: "1234567890123456789012345678901234567890", wantErr: ErrPinNotFound},
		{name: "unreachable commit still stored upstream", commit: dropped, wantErr: ErrPinNotOnBranch},
		{name: "short SHA refused", commit: c1[:12], contain: "not a full 40-hex commit SHA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.CheckPin(context.Background(), s.RepoURL("pins"), tt.branch, tt.commit)
			if tt.wantErr == nil && tt.contain == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.contain) {
				t.Errorf("err %q does not contain %q", err, tt.contain)
			}
		})
	}
}
