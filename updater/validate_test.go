package updater

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream"
	"github.com/mcp-registry/updater/registry/registrytest"
)

func TestValidateReportsEveryProblem(t *testing.T) {
	root := registrytest.NewRegistry(t, map[string]string{
		"servers/good/server.yaml":     registrytest.ServerYAML("good", registrytest.Commit),
		"servers/short/server.yaml":    registrytest.ServerYAML("short", "abc"),
		"servers/mismatch/server.yaml": registrytest.ServerYAML("other", registrytest.Commit),
		"servers/remote/server.yaml":   "name: remote\ntype: remote\nremote: {url: https://example.com/mcp}\n",
		"servers/two/server.yaml":      "name: two\ntype: servr\nsource:\n  project: http://example.com/x\n",
	})
	var out bytes.Buffer
	err := Validate(context.Background(), ValidateOptions{Registry: root, Stdout: &out})
	if !errors.Is(err, ErrServersFailed) {
		t.Fatalf("err = %v, want ErrServersFailed", err)
	}
	want := `servers/mismatch/server.yaml:1: name "other" does not match its directory "mismatch"
servers/short/server.yaml:6: source.commit "abc" is not a 40-hex SHA
servers/two/server.yaml:2: type "servr" is not one of server, remote, poci
servers/two/server.yaml:4: source.project "http://example.com/x": is http://, allowed only for loopback hosts; use https://
5 files: 2 valid, 3 invalid
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestValidateValidRegistry(t *testing.T) {
	root := registrytest.NewRegistry(t, map[string]string{
		"servers/a/server.yaml": registrytest.ServerYAML("a", registrytest.Commit),
		"servers/LICENSE":       "MIT\n",
	})
	var out bytes.Buffer
	if err := Validate(context.Background(), ValidateOptions{Registry: root, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "1 file: 1 valid, 0 invalid\n" {
		t.Errorf("output %q", out.String())
	}
}

func TestValidateUsageErrors(t *testing.T) {
	good := registrytest.NewRegistry(t, nil)
	for name, opts := range map[string]ValidateOptions{
		"missing registry": {Registry: good + "/nope"},
		"no servers dir":   {Registry: t.TempDir()},
		"unknown server":   {Registry: good, Servers: []string{"nope"}},
	} {
		var ue *UsageError
		if err := Validate(context.Background(), opts); !errors.As(err, &ue) {
			t.Errorf("%s: err = %v, want a *UsageError", name, err)
		}
	}
}

func TestValidateCorpus(t *testing.T) {
	root := registrytest.Corpus(t)
	var out bytes.Buffer
	if err := Validate(context.Background(), ValidateOptions{Registry: root, Stdout: &out}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if out.String() != "328 files: 328 valid, 0 invalid\n" {
		t.Errorf("output %q", out.String())
	}
}

// fakeChecker is a PinChecker over a fixed set of upstream pins; it
// records what it was asked.
type fakeChecker struct {
	bad map[string]error // by project

	mu    sync.Mutex
	asked []string
}

func (c *fakeChecker) CheckBuild(ctx context.Context, project, ref, base, head string, in upstream.BuildInputs) (upstream.BuildCheck, error) {
	return upstream.BuildCheck{}, nil
}

func (c *fakeChecker) CheckPin(ctx context.Context, project, branch, commit string) error {
	c.mu.Lock()
	c.asked = append(c.asked, project+"@"+branch+"="+commit)
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.bad[project]
}

func TestValidateOnline(t *testing.T) {
	gone := "https://github.com/example/gone"
	root := registrytest.NewRegistry(t, map[string]string{
		"servers/ok/server.yaml":     registrytest.ServerYAML("ok", registrytest.Commit),
		"servers/gone/server.yaml":   registrytest.ServerYAML("gone", registrytest.Commit),
		"servers/branch/server.yaml": strings.Replace(registrytest.ServerYAML("branch", registrytest.Commit), "  commit:", "  branch: main\n  commit:", 1),
		"servers/bad/server.yaml":    registrytest.ServerYAML("bad", "nothex"),
		"servers/remote/server.yaml": "name: remote\ntype: remote\n",
	})
	checker := &fakeChecker{bad: map[string]error{gone: errors.New("pinned commit not found upstream")}}
	var out bytes.Buffer
	err := Validate(context.Background(), ValidateOptions{Registry: root, Stdout: &out, Online: true, OnlineCheck: checker})
	if !errors.Is(err, ErrServersFailed) {
		t.Fatalf("err = %v, want ErrServersFailed", err)
	}
	want := `servers/bad/server.yaml:6: source.commit "nothex" is not a 40-hex SHA
servers/gone/server.yaml:6: source.commit ` + registrytest.Commit + `: pinned commit not found upstream
5 files: 3 valid, 2 invalid
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	// Only valid pinned servers are asked about; an invalid pin is not
	// worth a network round trip.
	slices.Sort(checker.asked)
	asked := strings.Join(checker.asked, " ")
	wantAsked := fmt.Sprintf("https://github.com/example/branch@main=%[1]s https://github.com/example/gone@=%[1]s https://github.com/example/ok@=%[1]s", registrytest.Commit)
	if asked != wantAsked {
		t.Errorf("asked %s\nwant  %s", asked, wantAsked)
	}
}

func TestValidateOnlineCancelled(t *testing.T) {
	root := registrytest.NewRegistry(t, map[string]string{
		"servers/ok/server.yaml": registrytest.ServerYAML("ok", registrytest.Commit),
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Validate(ctx, ValidateOptions{Registry: root, Online: true, OnlineCheck: &fakeChecker{}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrServersFailed) {
		t.Errorf("err = %v, want context.Canceled and not a verdict on the files", err)
	}
}
