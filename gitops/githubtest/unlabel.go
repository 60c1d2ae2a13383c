package githubtest

import "slices"

// RemoveLabel takes label off pull request n as a human would.
func (s *Server) RemoveLabel(n int, label string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPullLocked(n)
	pr.Labels = slices.DeleteFunc(pr.Labels, func(l string) bool { return l == label })
}
