package githubtest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-github/v66/github"

	"github.com/mcp-registry/updater/gitops/internal/gittree"
)

func (s *Server) getRepository(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, &github.Repository{
		ID:            github.Int64(1),
		Name:          github.String(s.Repo),
		FullName:      github.String(s.Owner + "/" + s.Repo),
		Owner:         &github.User{Login: github.String(s.Owner)},
		DefaultBranch: github.String(s.opts.DefaultBranch),
		CloneURL:      github.String(s.CloneURL),
		HTMLURL:       github.String(s.URL + "/" + s.Owner + "/" + s.Repo),
		Private:       github.Bool(false),
	})
}

// validSHA reports a full lowercase hex object name.
func validSHA(sha string) bool {
	if len(sha) != 40 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *Server) commitExistsLocked(sha string) bool {
	if !validSHA(sha) {
		return false
	}
	_, err := s.gitRepo.Git().CommitObject(plumbing.NewHash(sha))
	return err == nil
}

// isAncestorLocked reports whether commit a is b or one of its ancestors.
func (s *Server) isAncestorLocked(a, b string) bool {
	repo := s.gitRepo.Git()
	ca, err := repo.CommitObject(plumbing.NewHash(a))
	if err != nil {
		return false
	}
	cb, err := repo.CommitObject(plumbing.NewHash(b))
	if err != nil {
		return false
	}
	ok, err := ca.IsAncestor(cb)
	return err == nil && ok
}

// refJSON is GitHub's reference object.
func refJSON(name, sha string) *github.Reference {
	return &github.Reference{
		Ref:    github.String(name),
		Object: &github.GitObject{Type: github.String("commit"), SHA: github.String(sha)},
	}
}

// refName turns the {ref...} path value ("heads/x") into a full name, or
// "" when it does not name a branch or tag.
func refName(v string) string {
	if !strings.HasPrefix(v, "heads/") && !strings.HasPrefix(v, "tags/") {
		return ""
	}
	name := plumbing.ReferenceName("refs/" + v)
	if name.Validate() != nil {
		return ""
	}
	return name.String()
}

func (s *Server) lookupRefLocked(name string) string {
	ref, err := s.gitRepo.Git().Reference(plumbing.ReferenceName(name), true)
	if err != nil {
		return ""
	}
	return ref.Hash().String()
}

func (s *Server) setRefLocked(name, sha string) {
	s.gitRepo.SetRef(name, sha)
	s.refsMoved = true
}

func (s *Server) getRef(w http.ResponseWriter, r *http.Request) {
	name := refName(r.PathValue("ref"))
	sha := ""
	if name != "" {
		sha = s.lookupRefLocked(name)
	}
	if sha == "" {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, refJSON(name, sha))
}

type refBody struct {
	Ref   string `json:"ref"`
	SHA   string `json:"sha"`
	Force bool   `json:"force"`
}

func (s *Server) createRef(w http.ResponseWriter, r *http.Request) {
	var in refBody
	if !decodeBody(w, r, &in) {
		return
	}
	name := refName(strings.TrimPrefix(in.Ref, "refs/"))
	if !strings.HasPrefix(in.Ref, "refs/") || name == "" {
		unprocessableMessage(w, "Reference name is invalid")
		return
	}
	if !s.commitExistsLocked(in.SHA) {
		unprocessableMessage(w, "Object does not exist")
		return
	}
	if s.lookupRefLocked(name) != "" {
		unprocessableMessage(w, "Reference already exists")
		return
	}
	s.setRefLocked(name, in.SHA)
	s.syncPullsLocked()
	writeJSON(w, http.StatusCreated, refJSON(name, in.SHA))
}

func (s *Server) updateRef(w http.ResponseWriter, r *http.Request) {
	name := refName(r.PathValue("ref"))
	var in refBody
	if !decodeBody(w, r, &in) {
		return
	}
	cur := ""
	if name != "" {
		cur = s.lookupRefLocked(name)
	}
	if cur == "" {
		unprocessableMessage(w, "Reference does not exist")
		return
	}
	if !s.commitExistsLocked(in.SHA) {
		unprocessableMessage(w, "Object does not exist")
		return
	}
	if !in.Force && !s.isAncestorLocked(cur, in.SHA) {
		unprocessableMessage(w, "Update is not a fast forward")
		return
	}
	s.setRefLocked(name, in.SHA)
	s.syncPullsLocked()
	writeJSON(w, http.StatusOK, refJSON(name, in.SHA))
}

func (s *Server) deleteRef(w http.ResponseWriter, r *http.Request) {
	name := refName(r.PathValue("ref"))
	if name == "" || s.lookupRefLocked(name) == "" {
		unprocessableMessage(w, "Reference does not exist")
		return
	}
	s.gitRepo.DeleteRef(name)
	s.refsMoved = true
	s.syncPullsLocked()
	w.WriteHeader(http.StatusNoContent)
}

type blobBody struct {
	Content  *string `json:"content"`
	Encoding string  `json:"encoding"`
}

// decodeContent decodes a blob or tree entry content in its encoding.
func decodeContent(content, encoding string) ([]byte, bool) {
	switch encoding {
	case "", "utf-8":
		return []byte(content), true
	case "base64":
		b, err := base64.StdEncoding.DecodeString(content)
		return b, err == nil
	}
	return nil, false
}

func (s *Server) createBlob(w http.ResponseWriter, r *http.Request) {
	var in blobBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Content == nil {
		unprocessable(w, ValidationError{Resource: "Blob", Field: "content", Code: "missing_field"})
		return
	}
	data, ok := decodeContent(*in.Content, in.Encoding)
	if !ok {
		unprocessable(w, ValidationError{Resource: "Blob", Field: "encoding", Code: "invalid"})
		return
	}
	h, err := gittree.WriteBlob(s.gitRepo.Git().Storer, data)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, &github.Blob{SHA: github.String(h.String())})
}

type treeEntryBody struct {
	Path    string          `json:"path"`
	Mode    string          `json:"mode"`
	Type    string          `json:"type"`
	SHA     json.RawMessage `json:"sha"` // null deletes the path
	Content *string         `json:"content"`
}

type treeBody struct {
	BaseTree string          `json:"base_tree"`
	Tree     []treeEntryBody `json:"tree"`
}

var treeModes = map[string]filemode.FileMode{
	"100644": filemode.Regular, "100755": filemode.Executable, "120000": filemode.Symlink,
}

func (s *Server) createTree(w http.ResponseWriter, r *http.Request) {
	var in treeBody
	if !decodeBody(w, r, &in) {
		return
	}
	store := s.gitRepo.Git().Storer
	base := plumbing.ZeroHash
	if in.BaseTree != "" {
		if !validSHA(in.BaseTree) {
			unprocessable(w, ValidationError{Resource: "Tree", Field: "base_tree", Code: "invalid"})
			return
		}
		if _, err := object.GetTree(store, plumbing.NewHash(in.BaseTree)); err != nil {
			unprocessable(w, ValidationError{Resource: "Tree", Field: "base_tree", Code: "invalid"})
			return
		}
		base = plumbing.NewHash(in.BaseTree)
	}
	var edits []gittree.Edit
	for _, e := range in.Tree {
		mode, ok := treeModes[e.Mode]
		if !ok || e.Type != "blob" || gittree.ValidPath(e.Path) != nil {
			unprocessable(w, ValidationError{Resource: "Tree", Field: "tree", Code: "invalid"})
			return
		}
		edit := gittree.Edit{Path: e.Path, Mode: mode}
		switch {
		case e.Content != nil:
			h, err := gittree.WriteBlob(store, []byte(*e.Content))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			edit.Hash = h
		case string(e.SHA) == "null":
			// deletion: zero hash
		default:
			var sha string
			if json.Unmarshal(e.SHA, &sha) != nil || !validSHA(sha) {
				unprocessable(w, ValidationError{Resource: "Tree", Field: "sha", Code: "invalid"})
				return
			}
			if _, err := object.GetBlob(store, plumbing.NewHash(sha)); err != nil {
				unprocessable(w, ValidationError{Resource: "Tree", Field: "sha", Code: "invalid"})
				return
			}
			edit.Hash = plumbing.NewHash(sha)
		}
		edits = append(edits, edit)
	}
	h, err := gittree.EditTree(store, base, edits)
	if err != nil {
		unprocessable(w, ValidationError{Resource: "Tree", Field: "tree", Code: "invalid", Message: err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, &github.Tree{SHA: github.String(h.String())})
}

type signatureBody struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Date  time.Time `json:"date"`
}

type commitBody struct {
	Message   string         `json:"message"`
	Tree      string         `json:"tree"`
	Parents   []string       `json:"parents"`
	Author    *signatureBody `json:"author"`
	Committer *signatureBody `json:"committer"`
}

func (s *Server) createCommit(w http.ResponseWriter, r *http.Request) {
	var in commitBody
	if !decodeBody(w, r, &in) {
		return
	}
	store := s.gitRepo.Git().Storer
	if in.Message == "" || !validSHA(in.Tree) {
		unprocessable(w, ValidationError{Resource: "Commit", Field: "tree", Code: "invalid"})
		return
	}
	if _, err := object.GetTree(store, plumbing.NewHash(in.Tree)); err != nil {
		unprocessable(w, ValidationError{Resource: "Commit", Field: "tree", Code: "invalid"})
		return
	}
	var parents []plumbing.Hash
	for _, p := range in.Parents {
		if !s.commitExistsLocked(p) {
			unprocessable(w, ValidationError{Resource: "Commit", Field: "parents", Code: "invalid"})
			return
		}
		parents = append(parents, plumbing.NewHash(p))
	}
	// Without an author GitHub commits as the token's identity and signs
	// the commit: the point of --commit-via api.
	verified := in.Author == nil && in.Committer == nil
	now := s.opts.Now().UTC().Truncate(time.Second)
	sig := func(b *signatureBody) object.Signature {
		if b == nil {
			return object.Signature{Name: s.opts.BotLogin, Email: s.opts.BotLogin + "@users.noreply.github.com", When: now}
		}
		when := b.Date
		if when.IsZero() {
			when = now
		}
		return object.Signature{Name: b.Name, Email: b.Email, When: when}
	}
	author := sig(in.Author)
	committer := author
	if in.Committer != nil {
		committer = sig(in.Committer)
	}
	c := &object.Commit{Author: author, Committer: committer, Message: in.Message,
		TreeHash: plumbing.NewHash(in.Tree), ParentHashes: parents}
	obj := store.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h, err := store.SetEncodedObject(obj)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := s.gitCommitJSON(h.String())
	out.Verification = &github.SignatureVerification{Verified: github.Bool(verified), Reason: github.String("valid")}
	if !verified {
		out.Verification.Reason = github.String("unsigned")
	}
	writeJSON(w, http.StatusCreated, out)
}

// gitCommitJSON is the Git Data API view of a commit (nil when absent).
func (s *Server) gitCommitJSON(sha string) *github.Commit {
	if !validSHA(sha) {
		return nil
	}
	c, err := s.gitRepo.Git().CommitObject(plumbing.NewHash(sha))
	if err != nil {
		return nil
	}
	out := &github.Commit{
		SHA:       github.String(sha),
		Message:   github.String(c.Message),
		Tree:      &github.Tree{SHA: github.String(c.TreeHash.String())},
		Author:    &github.CommitAuthor{Name: github.String(c.Author.Name), Email: github.String(c.Author.Email), Date: &github.Timestamp{Time: c.Author.When}},
		Committer: &github.CommitAuthor{Name: github.String(c.Committer.Name), Email: github.String(c.Committer.Email), Date: &github.Timestamp{Time: c.Committer.When}},
	}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, &github.Commit{SHA: github.String(p.String())})
	}
	return out
}

func (s *Server) getGitCommit(w http.ResponseWriter, r *http.Request) {
	c := s.gitCommitJSON(r.PathValue("sha"))
	if c == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// resolveLocked resolves a branch, tag or full SHA to a commit SHA.
func (s *Server) resolveLocked(ref string) string {
	if validSHA(ref) && s.commitExistsLocked(ref) {
		return ref
	}
	for _, name := range []string{"refs/heads/" + ref, "refs/tags/" + ref} {
		if plumbing.ReferenceName(name).Validate() != nil {
			continue
		}
		if sha := s.lookupRefLocked(name); sha != "" {
			if t, err := s.gitRepo.Git().TagObject(plumbing.NewHash(sha)); err == nil {
				return t.Target.String()
			}
			return sha
		}
	}
	return ""
}

// getCommit serves GET /repos/{o}/{r}/commits/{ref}: with the sha media
// type it answers the bare SHA and honours If-None-Match (304), which is
// how GetCommitSHA1 checks a pin for free.
func (s *Server) getCommit(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	sha := s.resolveLocked(ref)
	if sha == "" {
		unprocessableMessage(w, "No commit found for SHA: "+ref)
		return
	}
	etag := `"` + sha + `"`
	w.Header().Set("ETag", etag)
	if strings.Contains(r.Header.Get("Accept"), ".sha") {
		if inm := r.Header.Get("If-None-Match"); inm == etag || inm == "W/"+etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
		_, _ = w.Write([]byte(sha))
		return
	}
	c := s.gitCommitJSON(sha)
	writeJSON(w, http.StatusOK, &github.RepositoryCommit{SHA: c.SHA, Commit: c, Parents: c.Parents})
}

func (s *Server) getContents(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		ref = s.opts.DefaultBranch
	}
	sha := s.resolveLocked(ref)
	path := r.PathValue("path")
	if sha == "" || gittree.ValidPath(path) != nil {
		notFound(w)
		return
	}
	data, err := gittree.ReadFile(s.gitRepo.Git().Storer, plumbing.NewHash(sha), path, 1<<20)
	if err != nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, &github.RepositoryContent{
		Type: github.String("file"), Encoding: github.String("base64"),
		Name: github.String(path[strings.LastIndex(path, "/")+1:]), Path: github.String(path),
		Size: github.Int(len(data)), Content: github.String(base64.StdEncoding.EncodeToString(data)),
	})
}
