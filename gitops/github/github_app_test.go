package github_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/github"
	"github.com/mcp-registry/updater/gitops/githubtest"
)

func appConfig(gh *githubtest.Server, appID int64, pemKey []byte) github.GitHubConfig {
	cfg := fastConfig(gh)
	cfg.Token, cfg.AppID, cfg.AppKeyPEM = "", appID, pemKey
	return cfg
}

func TestGitHubAppInstallationToken(t *testing.T) {
	ctx := context.Background()
	key, pemKey := githubtest.NewAppKey(t)
	for _, tc := range []struct {
		name       string
		ttl        time.Duration
		wantTokens int // after NewGitHub and two calls
	}{
		{"token reused until near expiry", time.Hour, 1},
		{"token refreshed near expiry", 4 * time.Minute, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh := githubtest.New(t, githubtest.Options{AppID: 77, AppKey: &key.PublicKey, TokenTTL: tc.ttl})
			gh.Seed(map[string]string{"README.md": "r\n"})
			g, err := github.NewGitHub(ctx, appConfig(gh, 77, pemKey))
			if err != nil {
				t.Fatalf("NewGitHub: %v", err)
			}
			if _, err := g.DefaultBranch(ctx); err != nil {
				t.Fatalf("DefaultBranch: %v", err)
			}
			if _, err := g.ListPulls(ctx, "x"); err != nil {
				t.Fatalf("ListPulls: %v", err)
			}
			if n := gh.InstallationTokens(); n != tc.wantTokens {
				t.Fatalf("%d installation tokens minted, want %d", n, tc.wantTokens)
			}
			if n := gh.Count("GET", "/repos/registry-owner/registry/installation"); n != 1 {
				t.Fatalf("installation looked up %d times, want 1", n)
			}
		})
	}
}

func TestGitHubAppWrongKeyOrID(t *testing.T) {
	key, keyPEM := githubtest.NewAppKey(t)
	_, otherPEM := githubtest.NewAppKey(t)
	gh := githubtest.New(t, githubtest.Options{AppID: 77, AppKey: &key.PublicKey})
	gh.Seed(map[string]string{"README.md": "r\n"})
	for _, tc := range []struct {
		name string
		id   int64
		pem  []byte
	}{
		{"key of another app", 77, otherPEM},
		{"id of another app", 78, keyPEM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := github.NewGitHub(context.Background(), appConfig(gh, tc.id, tc.pem))
			if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "installation") {
				t.Fatalf("err = %v, want a 401 finding the installation", err)
			}
			if strings.Contains(err.Error(), "eyJ") {
				t.Fatalf("error leaks the JWT: %v", err)
			}
		})
	}
}
