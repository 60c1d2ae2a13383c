package gitops_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/mcp-registry/updater/gitops"
	"github.com/mcp-registry/updater/gitops/githubtest"
	"github.com/mcp-registry/updater/gitops/gittest"
)

// recognisable is a token no test output may ever contain.
const recognisable = "ghp_RECOGNISABLEtokenXYZ0123456789abcdef"

func TestRedact(t *testing.T) {
	gitops.AddSecret("s3cr3t-registered-value")
	for _, tc := range []struct{ in, want string }{
		{"failed with s3cr3t-registered-value here", "failed with *** here"},
		{"GET https://x-access-token:abc123@github.com/o/r.git: 401", "GET https://***@github.com/o/r.git: 401"},
		{"token ghp_0123456789abcdefghijABCDEFGHIJ0123 leaked", "token *** leaked"},
		{"github_pat_11AAAAAAA0aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbb in text", "*** in text"},
		{"Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", "Authorization: Bearer ***"},
		{"nothing secret at all", "nothing secret at all"},
	} {
		if got := gitops.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactErrorKeepsTheChain(t *testing.T) {
	gitops.AddSecret(recognisable)
	cause := io.ErrUnexpectedEOF
	err := gitops.RedactError(errors.Join(errors.New("push with "+recognisable), cause))
	if strings.Contains(err.Error(), recognisable) || !errors.Is(err, cause) {
		t.Fatalf("RedactError = %v (Is cause: %v)", err, errors.Is(err, cause))
	}
	plain := errors.New("nothing to hide")
	if gitops.RedactError(plain) != plain {
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
	if got := gitops.RedactError(err).Error(); strings.Contains(got, recognisable) {
		t.Fatalf("redacted error still holds the token: %s", got)
	}
}

// A hostile or buggy server echoing the credentials it received must not
// get them into the bot's errors: REST, git fetch and git push.
func TestTokenNeverInErrors(t *testing.T) {
	ctx := context.Background()
	gh, g := newGitHub(t, githubtest.Options{Token: recognisable})
	echo := func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		body, _ := json.Marshal(map[string]string{
			"message": "echo: " + r.Header.Get("Authorization") + " " + user + ":" + pass + " " + r.URL.String(),
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write(body)
	}
	var errs []error
	gh.SetFault(githubtest.Times(1, githubtest.Match("", "/repos/"), echo))
	_, err := g.DefaultBranch(ctx)
	errs = append(errs, err)

	gh.SetFault(nil)
	r := openRemote(t, gh, "")
	gh.SetFault(githubtest.Times(10, githubtest.Match("", "/git/"), echo))
	_, err = r.WriteBranch(ctx, gitops.BranchWrite{Branch: "updater/pin-stripe", Parent: r.BaseTip(),
		Path: serverYAML, Content: []byte("x\n"), Message: "m"})
	errs = append(errs, err)
	_, err = gitops.OpenRegistryRemote(ctx, remoteConfig(gh, ""))
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d succeeded against an echoing server", i)
		}
		if strings.Contains(err.Error(), recognisable) {
			t.Fatalf("call %d: error leaks the token: %v", i, err)
		}
	}
}
