package upstream

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/gittest"
)

func TestNewestBefore(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("cool", "main")
	at := func(h int) gittest.CommitOptions {
		return gittest.CommitOptions{When: gittest.Epoch.Add(time.Duration(h) * time.Hour)}
	}
	c0 := r.Commit("main", "day 0", gittest.Files(map[string]string{"a": "0"}), at(0))
	c1 := r.Commit("main", "day 1", gittest.Files(map[string]string{"a": "1"}), at(24))
	// A side branch with an old commit, merged late: the merge is on the
	// first-parent chain, the old side commit is not.
	side := r.Commit("side", "old side work", gittest.Files(map[string]string{"b": "1"}),
		gittest.CommitOptions{When: gittest.Epoch.Add(30 * time.Hour), Parents: []string{c1}})
	merge := r.Commit("main", "merge side", gittest.Files(map[string]string{"b": "1"}),
		gittest.CommitOptions{When: gittest.Epoch.Add(72 * time.Hour), Parents: []string{c1, side}})
	head := r.Commit("main", "fresh", gittest.Files(map[string]string{"a": "4"}), at(96))

	c := newTestCache(t)
	tests := []struct {
		name     string
		cutoff   time.Duration // after Epoch
		want     string
		wantWhen time.Duration
		wantErr  error
	}{
		{name: "head old enough", cutoff: 100 * time.Hour, want: head, wantWhen: 96 * time.Hour},
		{name: "exactly at the cutoff counts", cutoff: 96 * time.Hour, want: head, wantWhen: 96 * time.Hour},
		{name: "skips the fresh head", cutoff: 80 * time.Hour, want: merge, wantWhen: 72 * time.Hour},
		{name: "first parent only: side commit is no candidate", cutoff: 40 * time.Hour, want: c1, wantWhen: 24 * time.Hour},
		{name: "down to the root", cutoff: 1 * time.Hour, want: c0, wantWhen: 0},
		{name: "nothing old enough", cutoff: -1 * time.Hour, wantErr: ErrNoCommitOldEnough},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sha, when, err := c.NewestBefore(context.Background(), s.RepoURL("cool"), "refs/heads/main", head, gittest.Epoch.Add(tt.cutoff))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sha != tt.want || !when.Equal(gittest.Epoch.Add(tt.wantWhen)) {
				t.Errorf("got %s at %s, want %s at %s", sha, when, tt.want, gittest.Epoch.Add(tt.wantWhen))
			}
		})
	}
}
