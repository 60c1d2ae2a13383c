package upstream

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcp-registry/updater/gitops/gittest"
)

// A failure retried by the resolver names the operation and the project
// once, however many layers saw it.
func TestResolveErrorSaysItOnce(t *testing.T) {
	s := gittest.NewServer(t)
	s.NewRepo("flaky", "main")
	project := s.RepoURL("flaky")
	failFirst(s, 100, http.StatusServiceUnavailable)
	r := NewResolver(ResolverOptions{Mode: ResolveGit, Timeout: 5 * time.Second, Attempts: 2, Backoff: time.Millisecond})
	_, err := r.Resolve(context.Background(), Upstream{Project: project})
	if err == nil {
		t.Fatal("resolved a closed port")
	}
	if n := strings.Count(err.Error(), "list refs "+project); n != 1 {
		t.Errorf("%q names the operation and project %d times, want once", err, n)
	}
}
