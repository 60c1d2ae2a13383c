package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAllow(t *testing.T) {
	c, err := Parse(Path, []byte(`allow:
  stripe:
    - rule: network-endpoint
      reason: " calls api.stripe.com, its own API "
    - rule: process-exec
      reason: runs its own CLI
      path: src/cli/
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Allow{"stripe": {
		{Rule: "network-endpoint", Reason: "calls api.stripe.com, its own API", line: 3},
		{Rule: "process-exec", Reason: "runs its own CLI", Path: "src/cli/", line: 5},
	}}
	if !reflect.DeepEqual(c.Allow, want) {
		t.Errorf("allow = %+v\nwant %+v", c.Allow, want)
	}
	known := func(r string) bool { return r == "network-endpoint" }
	err = c.Allow.CheckRules(Path, known)
	if err == nil || !strings.Contains(err.Error(), `.github/updater.yaml:5`) || !strings.Contains(err.Error(), `unknown rule "process-exec"`) {
		t.Errorf("CheckRules: %v", err)
	}
}

func TestAllowProblems(t *testing.T) {
	_, err := Parse(Path, []byte(`allow:
  stripe:
    - rule: network-endpoint
    - rule: secret
      reason: "  "
    - rule: secret
      reason: ok
      path: ../etc
    - rule: secret
      reason: ok
      paht: src
  ../x:
    - {rule: secret, reason: ok}
  other: network-endpoint
`))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		":3: allow.stripe: network-endpoint: an allowed finding needs a reason",
		":4: allow.stripe: secret: an allowed finding needs a reason",
		`:6: allow.stripe: secret: path "../etc"`,
		`:11: unknown key "paht"`,
		`:12: allow: "../x" is not a server name`,
		":14: allow.other must be a list",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}
