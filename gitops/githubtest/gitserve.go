package githubtest

import (
	"net/http"
	"strings"
)

// isReceivePack reports a git push request (either of its two phases).
func isReceivePack(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/git-receive-pack") ||
		r.URL.Query().Get("service") == "git-receive-pack"
}

// serveGit serves the registry repository over smart HTTP. Pushes need
// Basic auth with a valid token as the password (the user name is ignored,
// as on GitHub, where "x-access-token" is customary); fetches are
// anonymous, but credentials that are sent must be valid.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/git/"+s.Owner+"/"+s.Repo+".git/") {
		http.Error(w, "Repository not found.", http.StatusNotFound)
		return
	}
	push := isReceivePack(r)
	_, password, hasAuth := r.BasicAuth()
	if (push || hasAuth) && !(hasAuth && s.validToken(password)) {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
		http.Error(w, "Invalid username or token. Password authentication is not supported for Git operations.", http.StatusUnauthorized)
		return
	}
	s.git.ServeHTTP(w, r)
	if push && r.Method == http.MethodPost {
		// The push wrote refs and objects behind go-git's back.
		s.mu.Lock()
		defer s.mu.Unlock()
		s.gitRepo.Reload()
		s.refsMoved = true
		s.syncPullsLocked()
	}
}
