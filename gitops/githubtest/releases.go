package githubtest

import (
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Release is a GitHub release of any repository the emulator answers for
// (an upstream's, fed by the test).
type Release struct {
	Tag, Name, Body string
}

func releaseKey(owner, repo string) string { return strings.ToLower(owner + "/" + repo) }

// AddRelease publishes a release of owner/repo.
func (s *Server) AddRelease(owner, repo string, r Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.releases == nil {
		s.releases = map[string][]Release{}
	}
	k := releaseKey(owner, repo)
	s.releases[k] = append(s.releases[k], r)
}

func (s *Server) releaseJSON(owner, repo string, id int, r Release) *github.RepositoryRelease {
	return &github.RepositoryRelease{
		ID: github.Int64(int64(id + 1)), TagName: github.String(r.Tag), Name: github.String(r.Name), Body: github.String(r.Body),
		HTMLURL: github.String(s.URL + "/" + owner + "/" + repo + "/releases/tag/" + r.Tag),
	}
}

// listReleases answers newest first, as GitHub does.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	all := s.releases[releaseKey(owner, repo)]
	start, end, ok := pageBounds(w, r, len(all))
	if !ok {
		return
	}
	out := []*github.RepositoryRelease{}
	for i := len(all) - 1 - start; i >= len(all)-end; i-- {
		out = append(out, s.releaseJSON(owner, repo, i, all[i]))
	}
	writePage(w, r, out, len(all))
}

func (s *Server) getReleaseByTag(w http.ResponseWriter, r *http.Request) {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	for i, rel := range s.releases[releaseKey(owner, repo)] {
		if rel.Tag == r.PathValue("tag") {
			writeJSON(w, http.StatusOK, s.releaseJSON(owner, repo, i, rel))
			return
		}
	}
	notFound(w)
}
