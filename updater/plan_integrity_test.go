package updater

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/updater/review"
)

func TestPlanTagMoved(t *testing.T) {
	a, b, c := testSHA('a'), testSHA('b'), testSHA('c')
	// Same tag, re-pointed: a bump to the new commit, flagged.
	d := plan(pinnedFile("demo", "v1.0.0", a), upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v1.0.0", Commit: b, PinnedTagCommit: b}, nil)
	if d.Action != ActionBump || d.TagMoved == nil || *d.TagMoved != (review.TagMove{Tag: "v1.0.0", Pinned: a, Now: b}) || !strings.Contains(d.Detail, "TAG MOVED") {
		t.Errorf("re-pointed tag: %+v", d)
	}
	// A newer release, and the pinned tag moved too: still flagged.
	d = plan(pinnedFile("demo", "v1.0.0", a), upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v2.0.0", Commit: c, Branch: "v2.0.0", PinnedTagCommit: b}, nil)
	if d.Action != ActionBump || d.TagMoved == nil || d.Branch != "v2.0.0" {
		t.Errorf("newer release over a moved tag: %+v", d)
	}
	// A newer release, the pinned tag where it was: nothing to flag.
	d = plan(pinnedFile("demo", "v1.0.0", a), upstream.Resolution{Kind: upstream.KindTag, Ref: "refs/tags/v2.0.0", Commit: c, Branch: "v2.0.0", PinnedTagCommit: a}, nil)
	if d.TagMoved != nil || strings.Contains(d.Detail, "TAG MOVED") {
		t.Errorf("honest release: %+v", d)
	}
	// Branches never carry a tag move.
	d = plan(pinnedFile("demo", "main", a), upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/main", Commit: b}, nil)
	if d.TagMoved != nil {
		t.Errorf("branch: %+v", d)
	}
}

func TestApplyBuildCheck(t *testing.T) {
	a, b := testSHA('a'), testSHA('b')
	bump := plan(pinnedFile("demo", "main", a), upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/main", Commit: b}, nil)

	moved := applyBuildCheck(bump, upstream.BuildCheck{Directory: "servers/src"})
	if moved.Action != ActionBump || moved.Directory != "servers/src" || moved.Target != b ||
		!strings.Contains(moved.Detail, "source.directory moves src -> servers/src") {
		t.Errorf("moved: %+v", moved)
	}
	broken := applyBuildCheck(bump, upstream.BuildCheck{Problem: `source.directory "src" does not exist at bbbbbbbbbbbb`})
	if broken.Action != ActionError || broken.Target != "" || !strings.Contains(broken.Detail, "no PR proposed") || !strings.Contains(broken.Detail, `"src"`) {
		t.Errorf("broken: %+v", broken)
	}
	if fine := applyBuildCheck(bump, upstream.BuildCheck{}); fine.Detail != bump.Detail || fine.Directory != "" {
		t.Errorf("fine: %+v", fine)
	}
	upToDate := plan(pinnedFile("demo", "main", a), upstream.Resolution{Kind: upstream.KindBranch, Ref: "refs/heads/main", Commit: a}, nil)
	if got := applyBuildCheck(upToDate, upstream.BuildCheck{Problem: "x"}); got.Action != ActionUpToDate {
		t.Errorf("only bumps are checked: %+v", got)
	}
}
