package redact_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/mcp-registry/updater/gitops/gittest"
	"github.com/mcp-registry/updater/gitops/internal/redact"
)

// recognisable is a token no test output may ever contain.
const recognisable = "ghp_RECOGNISABLEtokenXYZ0123456789abcdef"

func TestRedact(t *testing.T) {
	redact.AddSecret("s3cr3t-registered-value")
	for _, tc := range []struct{ in, want string }{
		{"failed with s3cr3t-registered-value here", "failed with *** here"},
		{"GET https://x-access-token:abc123@github.com/o/r.git: 401", "GET https://***@github.com/o/r.git: 401"},
		{"token ghp_0123456789abcdefghijABCDEFGHIJ0123 leaked", "token *** leaked"},
		{"github_pat_11AAAAAAA0aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbb in text", "*** in text"},
		{"Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", "Authorization: Bearer ***"},
		{"nothing secret at all", "nothing secret at all"},
	} {
		if got := redact.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactErrorKeepsTheChain(t *testing.T) {
	redact.AddSecret(recognisable)
	cause := io.ErrUnexpectedEOF
	err := redact.RedactError(errors.Join(errors.New("push with "+recognisable), cause))
	if strings.Contains(err.Error(), recognisable) || !errors.Is(err, cause) {
		t.Fatalf("RedactError = %v (Is cause: %v)", err, errors.Is(err, cause))
	}
	plain := errors.New("nothing to hide")
	if redact.RedactError(plain) != plain {
		t.Fatal("an error without secrets was rewrapped")
	}
}

// go-git errors quote the remote URL; Go's HTTP client hides a password
// there but not a user name, where tokens also sit (https://TOKEN@host).
func TestRedactGoGitPushError(t *testing.T) {
	url := strings.Replace(gittest.ClosedURL(t, "http", "registry"), "http://", "http://"+recognisable+"@", 1)
	repo, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}}); err != nil {
		t.Fatal(err)
	}
	err = repo.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/x:refs/heads/x"}})
	if err == nil {
		t.Fatal("push to a closed port succeeded")
	}
	if !strings.Contains(err.Error(), recognisable) {
		t.Fatalf("go-git no longer echoes credentials (%v): this test proves nothing", err)
	}
	if got := redact.RedactError(err).Error(); strings.Contains(got, recognisable) {
		t.Fatalf("redacted error still holds the token: %s", got)
	}
}
