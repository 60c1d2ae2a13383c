package githubtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v66/github"
)

// PullRequest is the emulator's record of a pull request.
type PullRequest struct {
	Number    int
	State     string // open or closed
	Merged    bool
	Title     string
	Body      string
	Head      string // branch of the registry repository
	Base      string
	HeadSHA   string // follows the branch while the PR is open
	Labels    []string
	Reviewers []string // requested: logins, and org/team for teams
	Assignees []string
	User      string // creator's login
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  time.Time
	MergedAt  time.Time
	ClosedBy  string // login of who closed it ("" while open, or when a deleted branch closed it)

	Draft       bool
	Unmergeable bool   // GitHub answers mergeable: false (conflicts)
	MergeMethod string // how the API merged it: squash, merge or rebase
}

func (p *PullRequest) clone() PullRequest {
	c := *p
	c.Labels = slices.Clone(p.Labels)
	c.Reviewers = slices.Clone(p.Reviewers)
	c.Assignees = slices.Clone(p.Assignees)
	return c
}

// syncPullsLocked makes open pull requests follow their head branches, as
// GitHub does: a push moves the head SHA, a deleted branch closes the PR.
func (s *Server) syncPullsLocked() {
	if !s.refsMoved {
		return
	}
	s.refsMoved = false
	for _, pr := range s.pulls {
		if pr.State != "open" {
			continue
		}
		tip := s.gitRepo.Head(pr.Head)
		switch {
		case tip == "":
			pr.State, pr.ClosedAt, pr.UpdatedAt = "closed", s.opts.Now(), s.opts.Now()
		case tip != pr.HeadSHA:
			pr.HeadSHA, pr.UpdatedAt = tip, s.opts.Now()
		}
	}
}

func (s *Server) pullByNumber(w http.ResponseWriter, r *http.Request) *PullRequest {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err == nil {
		for _, pr := range s.pulls {
			if pr.Number == n {
				return pr
			}
		}
	}
	notFound(w)
	return nil
}

func (s *Server) pullJSON(pr *PullRequest) *github.PullRequest {
	full := s.Owner + "/" + s.Repo
	repo := &github.Repository{
		Name: github.String(s.Repo), FullName: github.String(full),
		Owner: &github.User{Login: github.String(s.Owner)},
	}
	out := &github.PullRequest{
		Number:    github.Int(pr.Number),
		State:     github.String(pr.State),
		Title:     github.String(pr.Title),
		Body:      github.String(pr.Body),
		User:      &github.User{Login: github.String(pr.User)},
		HTMLURL:   github.String(fmt.Sprintf("%s/%s/pull/%d", s.URL, full, pr.Number)),
		Merged:    github.Bool(pr.Merged),
		CreatedAt: &github.Timestamp{Time: pr.CreatedAt},
		UpdatedAt: &github.Timestamp{Time: pr.UpdatedAt},
		Head: &github.PullRequestBranch{
			Ref: github.String(pr.Head), SHA: github.String(pr.HeadSHA),
			Label: github.String(s.Owner + ":" + pr.Head), Repo: repo,
		},
		Base: &github.PullRequestBranch{
			Ref: github.String(pr.Base), SHA: github.String(s.gitRepo.Head(pr.Base)),
			Label: github.String(s.Owner + ":" + pr.Base), Repo: repo,
		},
	}
	if pr.Draft {
		out.Draft = github.Bool(true)
	}
	if pr.State == "open" {
		out.Mergeable = github.Bool(!pr.Unmergeable)
	}
	if !pr.ClosedAt.IsZero() {
		out.ClosedAt = &github.Timestamp{Time: pr.ClosedAt}
	}
	if pr.Merged {
		out.MergedAt = &github.Timestamp{Time: pr.MergedAt}
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, &github.Label{Name: github.String(l)})
	}
	return out
}

// parseHead splits the head parameter, "owner:branch" or "branch".
func (s *Server) parseHead(head string) (branch string, ok bool) {
	owner, branch, hasOwner := strings.Cut(head, ":")
	if !hasOwner {
		return head, head != ""
	}
	return branch, strings.EqualFold(owner, s.Owner) && branch != ""
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		unprocessable(w, ValidationError{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	var headBranch string
	if h := q.Get("head"); h != "" {
		b, ok := s.parseHead(h)
		if !ok {
			writePage(w, r, []*github.PullRequest{}, 0)
			return
		}
		headBranch = b
	}
	var matched []*PullRequest
	for _, pr := range s.pulls {
		if (state == "all" || pr.State == state) &&
			(headBranch == "" || pr.Head == headBranch) &&
			(q.Get("base") == "" || pr.Base == q.Get("base")) {
			matched = append(matched, pr)
		}
	}
	desc := q.Get("direction") != "asc"
	sortBy := q.Get("sort")
	sort.SliceStable(matched, func(i, j int) bool {
		a, b := matched[i], matched[j]
		c := a.Number - b.Number
		if sortBy == "updated" {
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	start, end, ok := pageBounds(w, r, len(matched))
	if !ok {
		return
	}
	out := []*github.PullRequest{}
	for _, pr := range matched[start:end] {
		out = append(out, s.pullJSON(pr))
	}
	writePage(w, r, out, len(matched))
}

type newPullBody struct {
	Title string `json:"title"`
	Head  string `json:"head"`
	Base  string `json:"base"`
	Body  string `json:"body"`
}

func (s *Server) createPull(w http.ResponseWriter, r *http.Request) {
	var in newPullBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Title == "" {
		unprocessable(w, ValidationError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	}
	if !bodyFits(w, in.Body) {
		return
	}
	head, ok := s.parseHead(in.Head)
	headTip := ""
	if ok {
		headTip = s.gitRepo.Head(head)
	}
	if headTip == "" {
		unprocessable(w, ValidationError{Resource: "PullRequest", Field: "head", Code: "invalid"})
		return
	}
	baseTip := s.gitRepo.Head(in.Base)
	if baseTip == "" {
		unprocessable(w, ValidationError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	}
	for _, pr := range s.pulls {
		if pr.State == "open" && pr.Head == head {
			unprocessable(w, ValidationError{Resource: "PullRequest", Code: "custom",
				Message: "A pull request already exists for " + s.Owner + ":" + head + "."})
			return
		}
	}
	if s.isAncestorLocked(headTip, baseTip) {
		unprocessable(w, ValidationError{Resource: "PullRequest", Code: "custom",
			Message: "No commits between " + in.Base + " and " + head})
		return
	}
	now := s.opts.Now()
	pr := &PullRequest{
		Number: s.nextIssueNumberLocked(), State: "open", Title: in.Title, Body: in.Body,
		Head: head, Base: in.Base, HeadSHA: headTip, User: s.opts.BotLogin,
		CreatedAt: now, UpdatedAt: now,
	}
	s.pulls = append(s.pulls, pr)
	writeJSON(w, http.StatusCreated, s.pullJSON(pr))
}

// maxBodyChars is GitHub's limit on a pull request body.
const maxBodyChars = 65536

// bodyFits answers 422 as GitHub does for a body over the limit.
func bodyFits(w http.ResponseWriter, body string) bool {
	if utf8.RuneCountInString(body) <= maxBodyChars {
		return true
	}
	unprocessable(w, ValidationError{Resource: "Issue", Field: "body", Code: "custom",
		Message: "body is too long (maximum is 65536 characters)"})
	return false
}

// nextIssueNumberLocked numbers pull requests and issues like GitHub: 1, 2, 3...
func (s *Server) nextIssueNumberLocked() int { return len(s.pulls) + len(s.issues) + 1 }

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	if pr := s.pullByNumber(w, r); pr != nil {
		writeJSON(w, http.StatusOK, s.pullJSON(pr))
	}
}

type editPullBody struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
	State *string `json:"state"`
	Base  *string `json:"base"`
}

func (s *Server) editPull(w http.ResponseWriter, r *http.Request) {
	pr := s.pullByNumber(w, r)
	if pr == nil {
		return
	}
	var in editPullBody
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Body != nil && !bodyFits(w, *in.Body) {
		return
	}
	now := s.opts.Now()
	if in.State != nil {
		switch *in.State {
		case "closed":
			if pr.State == "open" {
				pr.State, pr.ClosedAt, pr.ClosedBy = "closed", now, s.opts.BotLogin
			}
		case "open":
			if pr.State == "closed" && !pr.Merged {
				if s.gitRepo.Head(pr.Head) == "" {
					unprocessable(w, ValidationError{Resource: "PullRequest", Field: "state", Code: "invalid"})
					return
				}
				for _, other := range s.pulls {
					if other != pr && other.State == "open" && other.Head == pr.Head {
						unprocessable(w, ValidationError{Resource: "PullRequest", Code: "custom",
							Message: "A pull request already exists for " + s.Owner + ":" + pr.Head + "."})
						return
					}
				}
				pr.State, pr.ClosedAt, pr.ClosedBy = "open", time.Time{}, ""
				s.refsMoved = true
				s.syncPullsLocked()
			}
		default:
			unprocessable(w, ValidationError{Resource: "PullRequest", Field: "state", Code: "invalid"})
			return
		}
	}
	if in.Base != nil {
		if s.gitRepo.Head(*in.Base) == "" {
			unprocessable(w, ValidationError{Resource: "PullRequest", Field: "base", Code: "invalid"})
			return
		}
		pr.Base = *in.Base
	}
	if in.Title != nil {
		pr.Title = *in.Title
	}
	if in.Body != nil {
		pr.Body = *in.Body
	}
	pr.UpdatedAt = now
	writeJSON(w, http.StatusOK, s.pullJSON(pr))
}
