package upstream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// randomDAG commits n commits with random parents (merges included) and
// returns them in creation order. skew > 0 lets a commit's time go up to
// skew before its parents' (committer clocks are not trustworthy).
func randomDAG(t *testing.T, r *gittest.Repo, rnd *rand.Rand, n int, skew time.Duration) []string {
	t.Helper()
	var shas []string
	when := gittest.Epoch
	for i := range n {
		var parents []string
		switch {
		case i == 0:
		case i%7 == 0 && i > 2: // a merge of two random earlier commits
			a, b := rnd.IntN(i), rnd.IntN(i)
			parents = []string{shas[a]}
			if a != b {
				parents = append(parents, shas[b])
			}
		case i%29 == 0: // a new root now and then
		default:
			parents = []string{shas[i-1-rnd.IntN(min(i, 4))]}
		}
		when = when.Add(time.Minute)
		at := when
		if skew > 0 && rnd.IntN(5) == 0 {
			at = when.Add(-time.Duration(rnd.Int64N(int64(skew))))
		}
		opts := gittest.CommitOptions{When: at, Parents: parents, Orphan: parents == nil}
		shas = append(shas, r.Commit("main", fmt.Sprintf("c%d", i), gittest.Files(map[string]string{"f": fmt.Sprint(i)}), opts))
	}
	return shas
}

func gitRevList(t *testing.T, dir, head, base string) []string {
	t.Helper()
	out := gittest.RunGit(t, dir, "rev-list", head, "^"+base)
	if out == "" {
		return nil
	}
	list := strings.Split(out, "\n")
	slices.Sort(list)
	return list
}

func gitIsAncestor(t *testing.T, dir, base, head string) bool {
	cmd := exec.Command("git", "merge-base", "--is-ancestor", base, head)
	cmd.Dir = dir
	cmd.Env = gittest.IsolatedGitEnv(t.TempDir())
	return cmd.Run() == nil
}

// The walk must agree with git rev-list and merge-base on random graphs.
func TestWalkRangeMatchesGit(t *testing.T) {
	for _, skew := range []time.Duration{0, 90 * time.Minute} {
		t.Run(fmt.Sprintf("skew %s", skew), func(t *testing.T) {
			s := gittest.NewServer(t)
			r := s.NewRepo("dag", "main")
			rnd := rand.New(rand.NewPCG(7, uint64(skew)))
			shas := randomDAG(t, r, rnd, 80, skew)
			var ancestors, nonEmpty int
			t.Cleanup(func() {
				// The sample must cover both answers and real ranges.
				if ancestors < 5 || ancestors > 35 || (skew == 0 && nonEmpty < 10) {
					t.Errorf("weak sample: %d ancestors, %d non-empty ranges of 40", ancestors, nonEmpty)
				}
			})
			for i := range 40 {
				// Half the pairs have an older base, which makes ancestry likely.
				hi, bi := rnd.IntN(len(shas)), rnd.IntN(len(shas))
				if i%2 == 0 {
					bi = rnd.IntN(hi + 1)
				}
				base, head := shas[bi], shas[hi]
				res, err := walkRange(context.Background(), r.Git().Storer, plumbing.NewHash(head), plumbing.NewHash(base), 10_000)
				if err != nil {
					t.Fatal(err)
				}
				if want := gitIsAncestor(t, r.Dir, base, head); res.ancestor != want {
					t.Errorf("%s..%s: ancestor %v, git says %v", base[:7], head[:7], res.ancestor, want)
				}
				if res.ancestor {
					ancestors++
				}
				if len(res.inRange) > 0 {
					nonEmpty++
				}
				if skew > 0 {
					continue // rev-list itself is heuristic under skew; ancestry is exact
				}
				var got []string
				for _, c := range res.inRange {
					got = append(got, c.Hash.String())
				}
				slices.Sort(got)
				if want := gitRevList(t, r.Dir, head, base); !slices.Equal(got, want) {
					t.Errorf("%s..%s: %d commits, git rev-list has %d", base[:7], head[:7], len(got), len(want))
				}
			}
		})
	}
}

func TestComputeRangeSignatures(t *testing.T) {
	s := gittest.NewServer(t)
	r := s.NewRepo("signed", "main")
	root := r.Commit("main", "root", gittest.Files(map[string]string{"a": "1\n"}))
	st := r.Git().Storer
	// A commit carrying a signature block (not verified: the review only
	// notices signing starting or stopping).
	rootCommit, err := object.GetCommit(st, plumbing.NewHash(root))
	if err != nil {
		t.Fatal(err)
	}
	signed := *rootCommit
	signed.Message = "signed\n"
	signed.ParentHashes = []plumbing.Hash{rootCommit.Hash}
	signed.PGPSignature = "-----BEGIN PGP SIGNATURE-----\n\nfake\n-----END PGP SIGNATURE-----\n"
	obj := st.NewEncodedObject()
	if err := signed.Encode(obj); err != nil {
		t.Fatal(err)
	}
	base, err := st.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	head := r.Commit("main", "unsigned", gittest.Files(map[string]string{"a": "2\n"}), gittest.CommitOptions{Parents: []string{base.String()}})

	got, err := ComputeRange(context.Background(), st, RangeQuery{Base: base.String(), Head: head}, RangeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.BaseSigned || len(got.Commits) != 1 || got.Commits[0].Signed {
		t.Errorf("BaseSigned %v, commits %+v", got.BaseSigned, got.Commits)
	}
}

// BenchmarkRange10kCommits: a pin 10,000 commits behind (issue 8), from
// objects already in store: the walk, the commit list cap and the author
// history.
func BenchmarkRange10kCommits(b *testing.B) {
	s := gittest.NewServer(b)
	r := s.NewRepo("long", "main")
	base := r.Commit("main", "base", gittest.Files(map[string]string{"f": "0"}))
	var head string
	for i := range 10_000 {
		head = r.Commit("main", fmt.Sprintf("c%d", i), gittest.Files(map[string]string{"f": fmt.Sprint(i % 3)}))
	}
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		got, err := ComputeRange(context.Background(), r.Git().Storer, RangeQuery{Base: base, Head: head}, RangeLimits{})
		if err != nil {
			b.Fatal(err)
		}
		if got.TotalCommits != 10_000 || len(got.Commits) != 2000 || !got.Ancestor {
			b.Fatalf("total %d listed %d ancestor %v", got.TotalCommits, len(got.Commits), got.Ancestor)
		}
	}
}
