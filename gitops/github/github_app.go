package github

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/internal/redact"
)

// appSigner signs the short-lived JWTs a GitHub App authenticates with
// (RS256, issuer = the App id), using a maintained JWT library rather than
// hand-rolled crypto.
type appSigner struct {
	appID int64
	key   *rsa.PrivateKey
}

func newAppSigner(appID int64, keyPEM []byte) (*appSigner, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM(keyPEM)
	if err != nil {
		// The parser's message never quotes the key; keep it generic anyway.
		return nil, fmt.Errorf("GitHub App %d: private key is not an RSA PEM key", appID)
	}
	return &appSigner{appID: appID, key: key}, nil
}

// appJWTLifetime stays under GitHub's 10 minute maximum; the issue time is
// backdated a minute for clock drift, as GitHub recommends.
const appJWTLifetime = 9 * time.Minute

func (s *appSigner) token(context.Context) (string, error) {
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Issuer:    strconv.FormatInt(s.appID, 10),
		IssuedAt:  jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(appJWTLifetime)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("GitHub App %d: sign JWT: %w", s.appID, err)
	}
	redact.AddSecret(signed)
	return signed, nil
}

// installationRefreshMargin is how long before expiry an installation
// token is replaced, so no request starts with a token about to lapse.
const installationRefreshMargin = 5 * time.Minute

// installationTokens hands out the App's installation token for the
// registry repository, minting a new one when the current one nears expiry.
type installationTokens struct {
	apps        *github.Client // authenticated with the App's JWT
	owner, name string

	mu             sync.Mutex
	installationID int64
	current        string
	expires        time.Time
}

func (s *installationTokens) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != "" && time.Until(s.expires) > installationRefreshMargin {
		return s.current, nil
	}
	if s.installationID == 0 {
		inst, _, err := s.apps.Apps.FindRepositoryInstallation(ctx, s.owner, s.name)
		if statusOf(err) == http.StatusNotFound {
			return "", fmt.Errorf("github %s/%s: %w", s.owner, s.name, ErrNoInstallation)
		}
		if err != nil {
			return "", redact.RedactError(fmt.Errorf("github %s/%s: find the GitHub App installation: %w", s.owner, s.name, said(err)))
		}
		if inst.GetID() == 0 {
			return "", fmt.Errorf("github %s/%s: the GitHub App installation has no id", s.owner, s.name)
		}
		s.installationID = inst.GetID()
	}
	// A second token minted by a retry is harmless.
	tok, _, err := s.apps.Apps.CreateInstallationToken(withRetrySafe(ctx), s.installationID, nil)
	if err != nil {
		return "", redact.RedactError(fmt.Errorf("github %s/%s: installation %d: create an access token: %w",
			s.owner, s.name, s.installationID, said(err)))
	}
	if tok.GetToken() == "" {
		return "", fmt.Errorf("github %s/%s: installation %d: empty access token", s.owner, s.name, s.installationID)
	}
	redact.AddSecret(tok.GetToken())
	s.current = tok.GetToken()
	s.expires = tok.GetExpiresAt().Time
	if s.expires.IsZero() {
		// GitHub documents one hour; do not trust a token forever.
		s.expires = time.Now().Add(time.Hour)
	}
	return s.current, nil
}
