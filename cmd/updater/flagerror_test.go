package main

import (
	"context"
	"strings"
	"testing"
)

// TestBadFlagValueIsOneLine: a bad value is said once, naming the flag
// or variable, the value and a good example, then where the usage is; not
// the whole usage hiding the line that matters. Exit 2.
func TestBadFlagValueIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"days", nil, []string{"run", "--dry-run", "--min-age", "3d"},
			`updater run: --min-age "3d": not a duration; write 72h (units: s, m, h)`},
		{"days from the environment", map[string]string{"UPDATER_MIN_AGE": "3d"}, []string{"run", "--dry-run"},
			`updater run: UPDATER_MIN_AGE="3d": not a duration; write 72h (units: s, m, h)`},
		{"no unit", nil, []string{"review", "--timeout", "60"},
			`updater review: --timeout "60": not a duration; write e.g. 90s, 15m or 72h (units: s, m, h)`},
		{"boolean", map[string]string{"UPDATER_DRY_RUN": "maybe"}, []string{"run"},
			`updater run: UPDATER_DRY_RUN="maybe": not a boolean; write true or false`},
		{"number", nil, []string{"run", "--dry-run", "--concurrency", "many"},
			`updater run: --concurrency "many": not a whole number; write e.g. 5`},
		{"checked value", nil, []string{"validate", "--log-format", "xml"},
			`updater validate: --log-format: log format "xml": want text, json or auto`},
		{"shard", nil, []string{"run", "--dry-run", "--shard", "0/3"},
			`updater run: --shard "0/3": want I/N with 1 <= I <= N, e.g. 2/5`},
		{"shard from the environment", map[string]string{"UPDATER_SHARD": "x"}, []string{"run", "--dry-run"},
			`updater run: UPDATER_SHARD="x": want I/N, e.g. 2/5`},
		{"unknown flag", nil, []string{"pin", "--comit", "x"},
			`updater pin: flag provided but not defined: -comit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(context.Background(), tc.env, tc.args...)
			cmd := tc.args[0]
			want := tc.want + "\nrun 'updater " + cmd + " -h' for usage\n"
			if code != exitUsage || stdout != "" || stderr != want {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and stderr:\n%s", code, stdout, stderr, want)
			}
		})
	}
	// -h still prints the whole usage, and succeeds.
	code, _, stderr := cli(context.Background(), nil, "run", "-h")
	if code != exitOK || !strings.Contains(stderr, "Usage of updater run:") || !strings.Contains(stderr, "-min-age") {
		t.Errorf("run -h: exit %d\n%s", code, stderr)
	}
}
