package gittest

import (
	"strings"
	"testing"
)

func TestServeHTTPAndDaemon(t *testing.T) {
	s := NewServer(t)
	r := s.NewRepo("acme/tool", "trunk")
	c1 := r.Commit("trunk", "first", Files(map[string]string{"README.md": "hi\n", "src/a.go": "package a\n"}))
	c2 := r.Commit("trunk", "second", Files(map[string]string{"src/a.go": "package a // v2\n"}))
	r.Tag("v1.0.0", c1, true)
	r.Tag("v1.1.0", c2, false)

	for _, url := range []string{s.RepoURL("acme/tool"), s.DaemonURL("acme/tool")} {
		out := RunGit(t, t.TempDir(), "ls-remote", "--symref", url)
		for _, want := range []string{"ref: refs/heads/trunk\tHEAD", c2 + "\trefs/heads/trunk", c1 + "\trefs/tags/v1.0.0^{}", c2 + "\trefs/tags/v1.1.0"} {
			if !strings.Contains(out, want) {
				t.Errorf("ls-remote %s: missing %q in\n%s", url, want, out)
			}
		}
	}
	if c1 == c2 || len(c1) != 40 {
		t.Fatalf("bad shas %s %s", c1, c2)
	}
	if got, _ := r.File(c1, "src/a.go"); got != "package a\n" {
		t.Fatalf("File at c1 = %q", got)
	}
}

func TestPushOverHTTP(t *testing.T) {
	s := NewServer(t)
	r := s.NewRepo("reg", "main")
	r.Commit("main", "init", Files(map[string]string{"a": "1\n"}))
	work := t.TempDir()
	RunGit(t, work, "clone", "-q", s.RepoURL("reg"), "w")
	RunGit(t, work+"/w", "-c", "user.name=x", "-c", "user.email=x@y", "commit", "-q", "--allow-empty", "-m", "pushed")
	RunGit(t, work+"/w", "push", "-q", "origin", "HEAD:refs/heads/feature")
	r.Reload()
	if r.Head("feature") == "" {
		t.Fatal("pushed branch not visible")
	}
}

func TestDeterministicSHAs(t *testing.T) {
	a := NewServer(t).NewRepo("x", "main")
	b := NewServer(t).NewRepo("x", "main")
	ca := a.Commit("main", "m", Files(map[string]string{"f": "1"}))
	cb := b.Commit("main", "m", Files(map[string]string{"f": "1"}))
	if ca != cb {
		t.Fatalf("same inputs gave different SHAs: %s %s", ca, cb)
	}
}
