package github_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

// recognisable is a token no test output may ever contain.
const recognisable = "ghp_RECOGNISABLEtokenXYZ0123456789abcdef"

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
	_, err = r.WriteBranch(ctx, github.BranchWrite{Branch: "updater/pin-stripe", Parent: r.BaseTip(),
		Path: serverYAML, Content: []byte("x\n"), Message: "m"})
	errs = append(errs, err)
	_, err = github.OpenRegistryRemote(ctx, remoteConfig(gh, ""))
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
