package updater

import (
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/config"
)

// A server outside its schedule's window is deferred, with the window in
// words, and not resolved; inside it the server is eligible as usual.
func TestApplySettingsSchedule(t *testing.T) {
	cfg, err := config.Parse(config.Path, []byte("servers:\n  weekly:\n    schedule: weekly\n  monthly:\n    schedule: monthly\n  off:\n    ignore: archived\n"))
	if err != nil {
		t.Fatal(err)
	}
	commit := strings.Repeat("a", 40)
	files := []*registry.File{
		pinnedFile("weekly", "main", commit), pinnedFile("monthly", "main", commit),
		pinnedFile("off", "main", commit), pinnedFile("plain", "main", commit),
	}
	monday := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now      time.Time
		eligible string
		decided  string
	}{
		{monday, "weekly plain", "monthly=deferred:schedule monthly: considered on the first day of each month (UTC) off=held:ignored in .github/updater.yaml: archived"},
		{monday.AddDate(0, 0, 1), "monthly plain", "weekly=deferred:schedule weekly: considered on Mondays (UTC) off=held:ignored in .github/updater.yaml: archived"},
	} {
		eligible, decided := applySettings(cfg, tc.now, files, nil)
		var names, ds []string
		for _, f := range eligible {
			names = append(names, f.Name)
		}
		for _, d := range decided {
			ds = append(ds, d.Server+"="+string(d.Action)+":"+d.Detail)
		}
		if strings.Join(names, " ") != tc.eligible || strings.Join(ds, " ") != tc.decided {
			t.Errorf("%v: eligible %q, decided %q", tc.now.Weekday(), names, ds)
		}
	}
	if e, d := applySettings(nil, monday, files, nil); len(e) != len(files) || len(d) != 0 {
		t.Error("no configuration: every server is eligible")
	}
}
