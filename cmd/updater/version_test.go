package main

import (
	"bytes"
	"context"
	"regexp"
	"runtime/debug"
	"testing"
)

// TestVersion: `updater --version` and `updater version` print the build's
// module version and exit 0; a released build says its tag, a checkout
// build its revision.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		code, stdout, stderr := cli(context.Background(), nil, arg)
		if code != exitOK || !regexp.MustCompile(`^updater \S+.* go1\.\S+\n$`).MatchString(stdout) {
			t.Errorf("updater %s: exit %d, stdout %q, stderr %q", arg, code, stdout, stderr)
		}
	}
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.23.1", Main: debug.Module{Version: "v1.2.0"}}, "updater v1.2.0 go1.23.1\n"},
		{&debug.BuildInfo{GoVersion: "go1.23.1", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		}}, "updater (devel) rev 0123456789ab (modified) 2026-12-01T10:00:00Z go1.23.1\n"},
	} {
		var b bytes.Buffer
		writeVersion(&b, tc.info, true)
		if b.String() != tc.want {
			t.Errorf("writeVersion = %q, want %q", b.String(), tc.want)
		}
	}
}
