package githubtest

import (
	"net/http"
	"strings"
)

// auth says which credentials an endpoint takes.
type auth int

const (
	authToken auth = iota // the configured token or an installation token
	authJWT               // a GitHub App JWT
)

// scope says which repositories an endpoint serves.
type scope int

const (
	registryOnly scope = iota // 404 for any repository but the registry
	anyRepo                   // e.g. dispatches to a reviewer's repository
)

func (s *Server) routes() {
	const repo = "/repos/{owner}/{repo}"
	s.handle("GET "+repo, authToken, registryOnly, s.getRepository)
	s.handle("GET "+repo+"/installation", authJWT, registryOnly, s.getInstallation)
	s.handle("POST /app/installations/{id}/access_tokens", authJWT, anyRepo, s.createInstallationToken)

	s.handle("GET "+repo+"/pulls", authToken, registryOnly, s.listPulls)
	s.handle("POST "+repo+"/pulls", authToken, registryOnly, s.createPull)
	s.handle("GET "+repo+"/pulls/{number}", authToken, registryOnly, s.getPull)
	s.handle("GET "+repo+"/pulls/{number}/files", authToken, registryOnly, s.listPullFiles)
	s.handle("PATCH "+repo+"/pulls/{number}", authToken, registryOnly, s.editPull)
	s.handle("PUT "+repo+"/pulls/{number}/merge", authToken, registryOnly, s.mergePull)
	s.handle("POST "+repo+"/pulls/{number}/requested_reviewers", authToken, registryOnly, s.requestReviewers)
	s.handle("POST "+repo+"/issues/{number}/assignees", authToken, registryOnly, s.addAssignees)

	s.handle("GET "+repo+"/issues/{number}", authToken, registryOnly, s.getIssue)
	s.handle("GET "+repo+"/issues", authToken, registryOnly, s.listIssues)
	s.handle("POST "+repo+"/issues", authToken, registryOnly, s.createIssue)
	s.handle("PATCH "+repo+"/issues/{number}", authToken, registryOnly, s.editIssue)
	s.handle("GET "+repo+"/collaborators/{user}/permission", authToken, registryOnly, s.getPermission)
	s.handleGraphQL()
	s.handle("GET "+repo+"/issues/{number}/comments", authToken, registryOnly, s.listComments)
	s.handle("POST "+repo+"/issues/{number}/comments", authToken, registryOnly, s.createComment)
	s.handle("PATCH "+repo+"/issues/comments/{id}", authToken, registryOnly, s.editComment)
	s.handle("GET "+repo+"/issues/{number}/labels", authToken, registryOnly, s.listLabels)
	s.handle("POST "+repo+"/issues/{number}/labels", authToken, registryOnly, s.addLabels)
	s.handle("DELETE "+repo+"/issues/{number}/labels/{name}", authToken, registryOnly, s.removeLabel)
	s.handle("GET "+repo+"/labels/{name}", authToken, registryOnly, s.getRepoLabel)
	s.handle("POST "+repo+"/labels", authToken, registryOnly, s.createRepoLabel)
	s.handle("GET "+repo+"/releases", authToken, anyRepo, s.listReleases)
	s.handle("GET "+repo+"/releases/tags/{tag}", authToken, anyRepo, s.getReleaseByTag)

	s.handle("POST "+repo+"/check-runs", authToken, registryOnly, s.createCheckRun)
	s.handle("PATCH "+repo+"/check-runs/{id}", authToken, registryOnly, s.updateCheckRun)
	s.handle("GET "+repo+"/commits/{sha}/check-runs", authToken, registryOnly, s.listCheckRuns)
	s.handle("POST "+repo+"/statuses/{sha}", authToken, registryOnly, s.createStatus)
	s.handle("GET "+repo+"/commits/{sha}/statuses", authToken, registryOnly, s.listStatuses)
	s.handle("GET "+repo+"/branches/{branch}/protection/required_status_checks", authToken, registryOnly, s.getRequiredChecks)
	s.handle("POST "+repo+"/dispatches", authToken, anyRepo, s.createDispatch)

	s.handle("GET "+repo+"/git/ref/{ref...}", authToken, registryOnly, s.getRef)
	s.handle("POST "+repo+"/git/refs", authToken, registryOnly, s.createRef)
	s.handle("PATCH "+repo+"/git/refs/{ref...}", authToken, registryOnly, s.updateRef)
	s.handle("DELETE "+repo+"/git/refs/{ref...}", authToken, registryOnly, s.deleteRef)
	s.handle("POST "+repo+"/git/blobs", authToken, registryOnly, s.createBlob)
	s.handle("POST "+repo+"/git/trees", authToken, registryOnly, s.createTree)
	s.handle("POST "+repo+"/git/commits", authToken, registryOnly, s.createCommit)
	s.handle("GET "+repo+"/git/commits/{sha}", authToken, registryOnly, s.getGitCommit)
	s.handle("GET "+repo+"/commits/{ref...}", authToken, registryOnly, s.getCommit)
	s.handle("GET "+repo+"/contents/{path...}", authToken, registryOnly, s.getContents)

	s.api.HandleFunc(APIPrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(w, r, authToken) {
			notFound(w)
		}
	})
}

// handle registers an endpoint: pattern is "METHOD /path" under APIPrefix.
// The handler runs with the emulator's lock held and pull requests synced
// with the branches they track.
func (s *Server) handle(pattern string, a auth, sc scope, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.api.HandleFunc(method+" "+APIPrefix+path, func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, a) {
			return
		}
		if sc == registryOnly && r.PathValue("owner") != "" &&
			(!strings.EqualFold(r.PathValue("owner"), s.Owner) || !strings.EqualFold(r.PathValue("repo"), s.Repo)) {
			notFound(w)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.syncPullsLocked()
		h(w, r)
	})
}

// authorized checks the Authorization header and answers 401 like GitHub
// when it does not hold what the endpoint takes.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, a auth) bool {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	ok := false
	if strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "token") {
		switch a {
		case authToken:
			ok = s.validToken(cred)
		case authJWT:
			ok = s.validJWT(cred)
		}
	}
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": docsURL})
	}
	return ok
}

// validToken accepts the configured token and unexpired installation
// tokens.
func (s *Server) validToken(tok string) bool {
	if tok == "" {
		return false
	}
	if tok == s.Token {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.installTok[tok]
	return ok && s.opts.Now().Before(exp)
}
