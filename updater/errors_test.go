package updater

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/gittest"
)

func TestUsageErrorUnwraps(t *testing.T) {
	err := Usagef("--cache-dir: %w", fs.ErrPermission)
	var ue *UsageError
	if !errors.As(err, &ue) || !errors.Is(err, fs.ErrPermission) || err.Error() != "--cache-dir: permission denied" {
		t.Errorf("Usagef = %v (usage %v, is ErrPermission %v)", err, errors.As(err, &ue), errors.Is(err, fs.ErrPermission))
	}
	if plain := Usagef("--shard %q: want I/N", "x"); errors.Unwrap(plain) != nil {
		t.Errorf("a message without %%w unwraps to %v", errors.Unwrap(plain))
	}
}

// Commands name themselves once: main prefixes "updater pin: ".
func TestPinErrorsDoNotRepeatTheCommand(t *testing.T) {
	err := Pin(context.Background(), PinOptions{Registry: t.TempDir()})
	if err == nil || strings.HasPrefix(err.Error(), "pin:") {
		t.Errorf("Pin without --server: %v", err)
	}
}

// A GitHub App whose token exchange cannot reach GitHub is a failed
// pass (exit 1), not bad usage (exit 2); a malformed key is bad usage.
func TestGitHubNetworkFailureIsNotUsage(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	opts := Options{DryRun: true, CacheDir: t.TempDir(), GitHub: GitHubOptions{
		Repository: "registry-owner/registry", APIURL: gittest.ClosedURL(t, "http", "api"), AppID: 1, AppKey: pemKey,
	}}
	opts.Defaults()
	_, err = connect(context.Background(), &opts)
	var ue *UsageError
	if err == nil || errors.As(err, &ue) {
		t.Errorf("unreachable GitHub: %v (usage error: %v), want a plain error", err, errors.As(err, &ue))
	}

	opts.GitHub.AppKey = []byte("not a key")
	if _, err := connect(context.Background(), &opts); !errors.As(err, &ue) {
		t.Errorf("malformed App key: %v, want a usage error", err)
	}
}
