package review

import (
	"context"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// fakeSignature makes a commit look signed to the range facts.
const fakeSignature = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfakefakefake\n-----END PGP SIGNATURE-----\n"

// TestEachRuleOnARealUpstream runs every built-in rule against a real
// upstream served by the git fixture, whose range base..head holds
// exactly the change the rule is about (the same changes as
// singleChangeRanges, committed for real), and a clean range that must
// come out info. This proves the rules and the range facts agree.
func TestEachRuleOnARealUpstream(t *testing.T) {
	srv := gittest.NewServer(t)
	cache, err := upstream.NewCache(t.TempDir(), upstream.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := singleChangeRanges()
	cases["clean"] = cleanRange()
	for id, lit := range cases {
		t.Run(id, func(t *testing.T) {
			repo := srv.NewRepo(id, "main")
			signed := gittest.CommitOptions{Signature: fakeSignature}
			baseChanges := gittest.Files(map[string]string{"README.md": "# upstream\n"})
			var headChanges []gittest.Change
			for _, f := range lit.Files {
				if f.Old != nil {
					baseChanges = append(baseChanges, gittest.Change{Path: f.Path, Content: f.Old})
				}
				switch {
				case f.Binary:
					headChanges = append(headChanges, gittest.Change{Path: f.Path, Content: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")})
				case f.Status == ranges.FileDeleted:
					headChanges = append(headChanges, gittest.Delete(f.Path))
				default:
					headChanges = append(headChanges, gittest.Change{Path: f.Path, Content: f.New})
				}
			}
			base := repo.Commit("main", "base", baseChanges, signed)
			headOpts := signed
			switch id {
			case RuleHistoryRewritten:
				headOpts.Orphan = true
				headChanges = gittest.Files(map[string]string{"README.md": "# replaced\n"})
			case RuleFirstTimeAuthor:
				headOpts.Author = &object.Signature{Name: "Newcomer", Email: "new@elsewhere.test"}
				headChanges = gittest.Files(map[string]string{"README.md": "# upstream, improved\n"})
			case RuleSigningStopped:
				headOpts.Signature = ""
				headChanges = gittest.Files(map[string]string{"README.md": "# upstream, unsigned\n"})
			case RuleSkippedContent:
				headChanges = gittest.Files(map[string]string{"src/huge.txt": strings.Repeat("too big to read\n", 80_000)})
			case RuleBaseMissing:
				headChanges = gittest.Files(map[string]string{"README.md": "# upstream 2\n"})
			}
			head := repo.Commit("main", "head", headChanges, headOpts)
			if id == RuleBaseMissing {
				base = "0123456789abcdef0123456789abcdef01234567" // never existed upstream
			}

			rng, err := cache.Range(context.Background(), srv.RepoURL(id), "refs/heads/main", lit.Directory, base, head, upstream.RangeLimits{})
			if err != nil {
				t.Fatal(err)
			}
			res := Review(rng, Options{})
			if id == "clean" {
				if len(res.Findings) != 0 || res.Risk != Info {
					t.Fatalf("clean range: risk %s, findings:\n%s", res.Risk, dumpFindings(res.Findings))
				}
				return
			}
			found := false
			for _, f := range res.Findings {
				switch {
				case f.Rule == id:
					found = true
				case id == RuleBaseMissing && f.Rule == RuleSkippedContent:
					// Without its base nothing of the range can be listed,
					// and the review says so as well.
				default:
					t.Errorf("finding from another rule:\n%s", dumpFindings([]Finding{f}))
				}
			}
			if !found {
				t.Errorf("rule %s did not fire on its own change; findings:\n%s", id, dumpFindings(res.Findings))
			}
		})
	}
}
