package updater

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
	"github.com/mcp-registry/updater/registry/registrytest"
)

const newPin = "fedcba9876543210fedcba9876543210fedcba98"

func readServer(t *testing.T, root, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "servers", name, "server.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestPin(t *testing.T) {
	before := registrytest.ServerYAML("demo", registrytest.Commit)
	root := registrytest.NewRegistry(t, map[string]string{"servers/demo/server.yaml": before})
	p := filepath.Join(root, "servers", "demo", "server.yaml")
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Pin(context.Background(), PinOptions{Registry: root, Server: "demo", Commit: newPin, NoVerify: true, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if got, want := string(readServer(t, root, "demo")), strings.Replace(before, registrytest.Commit, newPin, 1); got != want {
		t.Errorf("file:\n%s\nwant:\n%s", got, want)
	}
	if want := "servers/demo/server.yaml:6: source.commit " + registrytest.Commit + " -> " + newPin + "\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}

	out.Reset()
	if err := Pin(context.Background(), PinOptions{Registry: root, Server: "demo", Commit: newPin, NoVerify: true, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "already "+newPin) {
		t.Errorf("second pin: output %q, want it to say the pin is already there", out.String())
	}
}

func TestPinRefuses(t *testing.T) {
	files := map[string]string{
		"servers/demo/server.yaml":   registrytest.ServerYAML("demo", registrytest.Commit),
		"servers/remote/server.yaml": "name: remote\ntype: remote\nremote: {url: https://example.com/mcp}\n",
		"servers/block/server.yaml":  "name: block\ntype: server\nsource:\n  project: https://github.com/a/b\n  commit: >-\n    " + registrytest.Commit + "\n",
		"servers/escaped/server.yaml": "name: escaped\ntype: server\nsource: {project: https://github.com/a/b, commit: \"\\x30" +
			registrytest.Commit[1:] + "\"}\n",
		"servers/tabs/server.yaml":     "name: tabs\ntype: server\nsource:\n\tcommit: x\n",
		"servers/nofile/README.md":     "",
		"servers/unpinned/server.yaml": "name: unpinned\ntype: server\nsource:\n  project: https://github.com/a/b\n",
	}
	for _, tc := range []struct {
		name      string
		opts      PinOptions
		wantUsage bool
		wantErr   string
	}{
		{"no server", PinOptions{Commit: newPin}, true, "--server is required"},
		{"bad name", PinOptions{Server: "../demo", Commit: newPin}, true, "not a valid server name"},
		{"no commit", PinOptions{Server: "demo"}, true, "--commit is required"},
		{"short sha", PinOptions{Server: "demo", Commit: "abc123"}, true, `--commit "abc123" is not a full commit SHA`},
		{"upper-case sha", PinOptions{Server: "demo", Commit: strings.ToUpper(newPin)}, true, "40 lowercase hex"},
		{"unknown server", PinOptions{Server: "nope", Commit: newPin}, true, `unknown server "nope"`},
		{"remote server", PinOptions{Server: "remote", Commit: newPin}, true, "is not built from source"},
		{"block scalar", PinOptions{Server: "block", Commit: newPin}, false, "servers/block/server.yaml: cannot rewrite the pin, file left unchanged: line 5: source.commit is a block scalar"},
		{"escaped value", PinOptions{Server: "escaped", Commit: newPin}, false, "servers/escaped/server.yaml: cannot rewrite the pin"},
		{"unpinned", PinOptions{Server: "unpinned", Commit: newPin}, false, "servers/unpinned/server.yaml: cannot rewrite the pin, file left unchanged: line 3: source has no commit key"},
		{"broken file", PinOptions{Server: "tabs", Commit: newPin}, false, "servers/tabs/server.yaml:4: tab character"},
		{"no server.yaml", PinOptions{Server: "nofile", Commit: newPin}, false, "servers/nofile/server.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := registrytest.NewRegistry(t, files)
			tc.opts.Registry = root
			var out bytes.Buffer
			tc.opts.Stdout = &out
			err := Pin(context.Background(), tc.opts)
			var ue *UsageError
			if err == nil || errors.As(err, &ue) != tc.wantUsage || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v (usage %v), want usage %v and %q", err, errors.As(err, &ue), tc.wantUsage, tc.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q on failure", out.String())
			}
			for rel, content := range files {
				got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
				if err != nil || string(got) != content {
					t.Errorf("%s changed: %q, %v", rel, got, err)
				}
			}
			entries, _ := os.ReadDir(filepath.Join(root, "servers", tc.opts.Server))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

func TestPinMissingRegistry(t *testing.T) {
	err := Pin(context.Background(), PinOptions{Registry: filepath.Join(t.TempDir(), "nope"), Server: "demo", Commit: newPin})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Errorf("err = %v, want a *UsageError", err)
	}
}

// TestPinCorpus pins every pinned server of a copy of the corpus and checks
// that each file changes in its commit line and nowhere else.
func TestPinCorpus(t *testing.T) {
	root := registrytest.CopyCorpus(t)
	files, errs := registry.Load(root)
	if len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	pinned := 0
	for _, f := range files {
		if !f.Pinned() {
			continue
		}
		pinned++
		if err := Pin(context.Background(), PinOptions{Registry: root, Server: f.Name, Commit: newPin, NoVerify: true}); err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		after := readServer(t, root, f.Name)
		before := bytes.SplitAfter(f.Raw, []byte("\n"))
		lines := bytes.SplitAfter(after, []byte("\n"))
		if len(lines) != len(before) {
			t.Errorf("%s: %d lines, want %d", f.Name, len(lines), len(before))
			continue
		}
		commitLine := f.Line("source.commit")
		for i := range lines {
			if changed := !bytes.Equal(lines[i], before[i]); changed != (i+1 == commitLine) {
				t.Errorf("%s: line %d changed %v, want only line %d to change", f.Name, i+1, changed, commitLine)
			}
		}
	}
	if pinned != 249 {
		t.Errorf("pinned %d corpus servers, want 249", pinned)
	}
}
