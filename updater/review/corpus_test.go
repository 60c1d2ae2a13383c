package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// The review corpus: real-shaped upstream ranges, benign and malicious,
// each committed for real into a repository in t.TempDir() and reviewed
// from the range facts, as the bot does. Every plant is committed by the
// maintainer who wrote the rest of the history, so first-time-author
// cannot give it away. See testdata/corpus/README.md for the format.

// corpusCase is one testdata/corpus/*.yaml file.
type corpusCase struct {
	Name        string `yaml:"-"`
	Description string `yaml:"description"`
	// Class is "benign" or the class of plant: exfiltration,
	// credential-access, dynamic-exec, hidden-recipient, dependency,
	// tool-poisoning.
	Class     string            `yaml:"class"`
	Skeleton  string            `yaml:"skeleton"`  // ts, py, go or mono: the history the range starts from
	Directory string            `yaml:"directory"` // source.directory
	Before    map[string]string `yaml:"before"`    // files added to the skeleton before the base
	Commits   []corpusCommit    `yaml:"commits"`
	// Dockerfile is source.dockerfile: the review follows what it copies.
	Dockerfile string `yaml:"dockerfile"`
	// MainAfter makes the range a release off main: main gains these
	// commits after the release (the base is the last), and the range's
	// commits go on a release branch forked at the release, so the range
	// is a tag bump compared through the merge base.
	MainAfter []corpusCommit `yaml:"main_after"`
	// MaxRisk and MaxFindings bound benign cases (default: below critical,
	// not blocked).
	MaxRisk     string `yaml:"max_risk"`
	MaxFindings int    `yaml:"max_findings"`
}

type corpusCommit struct {
	Message string            `yaml:"message"`
	Files   map[string]string `yaml:"files"`
	Delete  []string          `yaml:"delete"`
	Move    map[string]string `yaml:"move"` // old path -> new path, content kept
	// Generate adds n files named by the pattern (with %d) holding a few
	// lines each: churn without writing it out.
	Generate *corpusGenerate `yaml:"generate"`
}

type corpusGenerate struct {
	Pattern string `yaml:"pattern"`
	Count   int    `yaml:"count"`
	Content string `yaml:"content"`
	Binary  bool   `yaml:"binary"`
}

// classRules are the rules whose high findings detect each class.
var classRules = map[string][]string{
	"exfiltration":      {RuleExfiltration},
	"credential-access": {RuleCredentialAccess},
	"dynamic-exec":      {RuleDynamicExec, RuleBinaryOrBlob},
	"hidden-recipient":  {RuleHiddenRecipient, RuleNetworkEndpoint},
	"dependency":        {RuleDependencies},
	"tool-poisoning":    {RuleToolPoisoning},
}

var maintainer = &object.Signature{Name: "Dana Maintainer", Email: "dana@upstream.test"}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusCase
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(p), ".yaml")
		if c.Class == "" || corpusSkeletons[c.Skeleton] == nil || len(c.Commits) == 0 {
			t.Fatalf("%s: needs class, a known skeleton and commits", p)
		}
		if _, ok := classRules[c.Class]; !ok && c.Class != "benign" {
			t.Fatalf("%s: unknown class %q", p, c.Class)
		}
		cases = append(cases, c)
	}
	return cases
}

// buildCorpusRange commits the case into a fresh repository and computes
// its range, base = the skeleton's last commit, head = the case's last.
func buildCorpusRange(t testing.TB, c corpusCase) *ranges.Range {
	t.Helper()
	repo := gittest.InitBare(t, filepath.Join(t.TempDir(), c.Name+".git"), c.Name, "main")
	as := gittest.CommitOptions{Author: maintainer}
	files := map[string]string{}
	for p, content := range corpusSkeletons[c.Skeleton] {
		files[p] = content
	}
	repo.Commit("main", "initial import", gittest.Files(files), as)
	repo.Commit("main", "docs: usage", gittest.Files(map[string]string{"CONTRIBUTING.md": "Open an issue first.\n"}), as)
	base := repo.Commit("main", "release 1.0.0", gittest.Files(withDefault(c.Before, map[string]string{"VERSION": "1.0.0\n"})), as)
	if len(c.MainAfter) > 0 {
		pin := commitCorpus(t, repo, "main", base, c.MainAfter, as)
		repo.SetBranch("release/1.x", base)
		head := commitCorpus(t, repo, "release/1.x", base, c.Commits, as)
		return computeCorpusRange(t, repo, c, pin, head, true)
	}
	head := commitCorpus(t, repo, "main", base, c.Commits, as)
	return computeCorpusRange(t, repo, c, base, head, false)
}

// commitCorpus commits cms on branch, whose head is head, and returns the
// new head.
func commitCorpus(t testing.TB, repo *gittest.Repo, branch, head string, cms []corpusCommit, as gittest.CommitOptions) string {
	t.Helper()
	for _, cm := range cms {
		var changes []gittest.Change
		for p, content := range cm.Files {
			changes = append(changes, gittest.Change{Path: p, Content: []byte(content)})
		}
		for _, p := range cm.Delete {
			changes = append(changes, gittest.Delete(p))
		}
		for old, nw := range cm.Move {
			content, ok := repo.File(head, old)
			if !ok {
				t.Fatalf("%s: move of %s: no such file", repo, old)
			}
			changes = append(changes, gittest.Delete(old), gittest.Change{Path: nw, Content: []byte(content)})
		}
		if g := cm.Generate; g != nil {
			for i := range g.Count {
				content := []byte(fmt.Sprintf(g.Content, i))
				if g.Binary {
					content = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00"), byte(i))
				}
				changes = append(changes, gittest.Change{Path: fmt.Sprintf(g.Pattern, i), Content: content})
			}
		}
		sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
		head = repo.Commit(branch, cm.Message, changes, as)
	}
	return head
}

// computeCorpusRange computes base..head as the bot would; a release
// must come out as one off the old pin's line.
func computeCorpusRange(t testing.TB, repo *gittest.Repo, c corpusCase, base, head string, release bool) *ranges.Range {
	t.Helper()
	rng, err := upstream.ComputeRange(context.Background(), repo.Git().Storer, upstream.RangeQuery{
		Project: "https://github.com/upstream-org/" + c.Name, Directory: c.Directory, Dockerfile: c.Dockerfile, Base: base, Head: head,
		Release: release,
	})
	if err != nil {
		t.Fatal(err)
	}
	if release && !rng.OffLine() {
		t.Fatalf("%s: the release is not off the old pin's line: %+v", c.Name, rng)
	}
	return rng
}

func withDefault(m, def map[string]string) map[string]string {
	if len(m) == 0 {
		return def
	}
	return m
}

// classDetected reports whether a finding of the class's rules is high or above.
func classDetected(res *Result, class string) bool {
	for _, f := range res.Findings {
		if f.Severity >= High && containsRule(classRules[class], f.Rule) {
			return true
		}
	}
	return false
}

func containsRule(rules []string, id string) bool {
	for _, r := range rules {
		if r == id {
			return true
		}
	}
	return false
}

// TestCorpus reviews every case and prints precision and recall per
// class. It fails when a malicious case is below high, when a benign case
// is blocked or critical (or above its own bound), or when a class's rules
// miss one of its plants.
func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 30 {
		t.Errorf("corpus has %d cases, want at least 30", len(cases))
	}
	type tally struct{ tp, fp, fn int }
	tallies := map[string]*tally{}
	for class := range classRules {
		tallies[class] = &tally{}
	}
	malicious, benign := 0, 0
	var perCase strings.Builder
	for _, c := range cases {
		rng := buildCorpusRange(t, c)
		res := Review(rng, Options{})
		var fired []string
		for class, tl := range tallies {
			hit := classDetected(res, class)
			if hit {
				fired = append(fired, class)
			}
			switch {
			case hit && c.Class == class:
				tl.tp++
			case hit:
				tl.fp++
			case c.Class == class:
				tl.fn++
			}
		}
		sort.Strings(fired)
		fmt.Fprintf(&perCase, "  %-34s %-18s %-9s %3d findings  detected as: %s\n", c.Name, c.Class, res.Risk, len(res.Findings), strings.Join(fired, ", "))
		if c.Class == "benign" {
			benign++
			limit := High
			if c.MaxRisk != "" {
				var err error
				if limit, err = ParseSeverity(c.MaxRisk); err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
			}
			if res.Blocked || res.Risk > limit || (c.MaxFindings > 0 && len(res.Findings) > c.MaxFindings) {
				t.Errorf("benign %s: %s (allowed: risk up to %s, %d findings):\n%s", c.Name, res.Summary(), limit, c.MaxFindings, dumpFindings(res.Findings))
			}
			continue
		}
		malicious++
		if res.Risk < High {
			t.Errorf("malicious %s (%s) rated %s:\n%s", c.Name, c.Class, res.Summary(), dumpFindings(res.Findings))
		} else if !classDetected(res, c.Class) {
			t.Errorf("malicious %s (%s) is %s, but not through its class's rules:\n%s", c.Name, c.Class, res.Risk, dumpFindings(res.Findings))
		}
	}
	var classes []string
	for class := range tallies {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	var report strings.Builder
	fmt.Fprintf(&report, "review corpus: %d malicious, %d benign cases\n%-18s %5s %5s %5s %9s %7s\n", malicious, benign, "class", "tp", "fp", "fn", "precision", "recall")
	for _, class := range classes {
		tl := tallies[class]
		precision, recall := ratio(tl.tp, tl.tp+tl.fp), ratio(tl.tp, tl.tp+tl.fn)
		fmt.Fprintf(&report, "%-18s %5d %5d %5d %9.2f %7.2f\n", class, tl.tp, tl.fp, tl.fn, precision, recall)
		if tl.tp+tl.fn < 2 {
			t.Errorf("class %s has %d plants, want at least 2", class, tl.tp+tl.fn)
		}
		if recall < 1 {
			t.Errorf("class %s: recall %.2f, want 1", class, recall)
		}
		if precision < 0.6 {
			t.Errorf("class %s: precision %.2f, want at least 0.6", class, precision)
		}
	}
	t.Log("\n" + perCase.String() + report.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
