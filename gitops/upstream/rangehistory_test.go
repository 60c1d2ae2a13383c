package upstream

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// TestHistoryFactsScopeAndSigning: first-time authors count only when
// their commits touch the server's directory, and the signing habit is
// counted over the commits before the base.
func TestHistoryFactsScopeAndSigning(t *testing.T) {
	repo := gittest.InitBare(t, filepath.Join(t.TempDir(), "mono.git"), "mono", "main")
	signed := gittest.CommitOptions{Signature: "-----BEGIN PGP SIGNATURE-----\n\nfake\n-----END PGP SIGNATURE-----\n"}
	repo.Commit("main", "one", gittest.Files(map[string]string{"srv/a.ts": "1\n", "other/b.ts": "1\n"}), signed)
	repo.Commit("main", "two", gittest.Files(map[string]string{"srv/a.ts": "2\n"}))
	base := repo.Commit("main", "three", gittest.Files(map[string]string{"srv/a.ts": "3\n"}), signed)
	elsewhere := gittest.CommitOptions{Author: &object.Signature{Name: "Other", Email: "other@team.test"}}
	repo.Commit("main", "other package", gittest.Files(map[string]string{"other/b.ts": "2\n"}), elsewhere)
	inScope := gittest.CommitOptions{Author: &object.Signature{Name: "New", Email: "New@Server.test"}}
	head := repo.Commit("main", "server change", gittest.Files(map[string]string{"srv/a.ts": "4\n"}), inScope)

	r, err := ComputeRange(context.Background(), repo.Git().Storer, RangeQuery{Project: "p", Directory: "srv", Base: base, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.NewAuthors, []string{"new@server.test"}) {
		t.Errorf("new authors %q, want only the one touching srv/", r.NewAuthors)
	}
	if r.SignedBefore != 2 || r.HistoryBefore != 3 {
		t.Errorf("signed %d of %d before the base, want 2 of 3", r.SignedBefore, r.HistoryBefore)
	}
	whole, err := ComputeRange(context.Background(), repo.Git().Storer, RangeQuery{Project: "p", Base: base, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.NewAuthors) != 2 {
		t.Errorf("whole repository: new authors %q, want both", whole.NewAuthors)
	}
}
