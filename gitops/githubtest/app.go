package githubtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-github/v66/github"
)

// NewAppKey generates a GitHub App private key: the key for Options.AppKey
// (its public half) and the PEM the client is configured with.
func NewAppKey(t testing.TB) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("githubtest: generate key: %v", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return key, pemBytes
}

// maxJWTLifetime is GitHub's limit (10 minutes) plus its allowance for
// clock drift on the issue time.
const maxJWTLifetime = 11 * time.Minute

// validJWT verifies an App JWT: RS256 signed by AppKey, issued by AppID,
// not expired and not living longer than GitHub allows.
func (s *Server) validJWT(raw string) bool {
	if s.opts.AppKey == nil || raw == "" {
		return false
	}
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.opts.AppKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(strconv.FormatInt(s.opts.AppID, 10)),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.opts.Now),
	)
	if err != nil || claims.IssuedAt == nil {
		return false
	}
	return claims.ExpiresAt.Sub(claims.IssuedAt.Time) <= maxJWTLifetime
}

func (s *Server) getInstallation(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, &github.Installation{
		ID:    github.Int64(s.opts.InstallationID),
		AppID: github.Int64(s.opts.AppID),
	})
}

func (s *Server) createInstallationToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id != s.opts.InstallationID {
		notFound(w)
		return
	}
	buf := make([]byte, 18)
	_, _ = rand.Read(buf)
	tok := "ghs_" + hex.EncodeToString(buf)
	exp := s.opts.Now().Add(s.opts.TokenTTL)
	s.installTok[tok] = exp
	writeJSON(w, http.StatusCreated, &github.InstallationToken{
		Token:     github.String(tok),
		ExpiresAt: &github.Timestamp{Time: exp},
	})
}

// InstallationTokens counts the installation tokens minted so far.
func (s *Server) InstallationTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.installTok)
}
