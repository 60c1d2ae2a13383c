package githubtest

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Label is a repository label. GitHub matches label names without regard
// to case, and creates a label with its default colour and no description
// when one is added to an issue before it exists.
type Label struct {
	Name, Color, Description string
}

// DefaultLabelColor is the colour GitHub gives a label created implicitly.
const DefaultLabelColor = "ededed"

var labelColorRE = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

func (s *Server) labelLocked(name string) *Label {
	return s.repoLabels[strings.ToLower(name)]
}

func (s *Server) putLabelLocked(l Label) {
	if s.repoLabels == nil {
		s.repoLabels = map[string]*Label{}
	}
	s.repoLabels[strings.ToLower(l.Name)] = &l
}

// implicitLabelLocked creates name as GitHub does when it is added to an
// issue without existing: grey, undescribed.
func (s *Server) implicitLabelLocked(name string) {
	if s.labelLocked(name) == nil {
		s.putLabelLocked(Label{Name: name, Color: DefaultLabelColor})
	}
}

func labelJSON(l *Label) *github.Label {
	return &github.Label{Name: github.String(l.Name), Color: github.String(l.Color), Description: github.String(l.Description)}
}

func (s *Server) getRepoLabel(w http.ResponseWriter, r *http.Request) {
	l := s.labelLocked(r.PathValue("name"))
	if l == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, labelJSON(l))
}

func (s *Server) createRepoLabel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        *string `json:"name"`
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Name == nil || *in.Name == "" || len(*in.Name) > 50 {
		unprocessable(w, ValidationError{Resource: "Label", Field: "name", Code: "invalid"})
		return
	}
	l := Label{Name: *in.Name, Color: DefaultLabelColor}
	if in.Color != nil {
		if !labelColorRE.MatchString(*in.Color) {
			unprocessable(w, ValidationError{Resource: "Label", Field: "color", Code: "invalid"})
			return
		}
		l.Color = strings.ToLower(*in.Color)
	}
	if in.Description != nil {
		if len(*in.Description) > 100 {
			unprocessable(w, ValidationError{Resource: "Label", Field: "description", Code: "invalid"})
			return
		}
		l.Description = *in.Description
	}
	if s.labelLocked(l.Name) != nil {
		unprocessable(w, ValidationError{Resource: "Label", Field: "name", Code: "already_exists"})
		return
	}
	s.putLabelLocked(l)
	writeJSON(w, http.StatusCreated, labelJSON(&l))
}

// RepoLabel returns the repository label of that name, if any.
func (s *Server) RepoLabel(name string) (Label, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.labelLocked(name); l != nil {
		return *l, true
	}
	return Label{}, false
}

// CreateLabel makes a repository label as a maintainer would.
func (s *Server) CreateLabel(l Label) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLabelLocked(l)
}
