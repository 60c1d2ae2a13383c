package valid

import (
	"strings"
	"testing"
)

func TestRepoURL(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://github.com/a/b", ""},
		{"HTTPS://github.com/a/b.git", ""},
		{"http://127.0.0.1:8080/a.git", ""},
		{"git://localhost/a.git", ""},
		{"http://[::1]:9/a.git", ""},
		{"http://github.com/a/b", "allowed only for loopback hosts"},
		{"git://github.com/a/b", "allowed only for loopback hosts"},
		{"https://user:tok@github.com/a/b", "must not carry credentials"},
		{"http://user@127.0.0.1/a.git", "must not carry credentials"},
		{"ssh://git@github.com/a/b", `scheme "ssh" is not allowed`},
		{"file:///etc/passwd", `scheme "file" is not allowed`},
		{"git@github.com:a/b.git", "scp-like"},
		{"/srv/git/a", "scp-like"},
		{"https://github.com/", "no repository path"},
		{"https:///a/b", "no host"},
		{"https://github.com/a/b?x=1", "query or fragment"},
		{"https://github.com/a/b?", "query or fragment"},
		{"https://github.com/a/b\u00a0", "spaces or control"},
		{"https://github.com/a/b\n", "spaces or control"},
		{"https://github.com/" + strings.Repeat("a", MaxRepoURLLen), "longer than"},
		{"", "empty"},
	} {
		err := RepoURL(tc.url)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("RepoURL(%q) = %v, want nil", tc.url, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("RepoURL(%q) = %v, want an error containing %q", tc.url, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "tok"):
			t.Errorf("RepoURL(%q) repeats the credentials: %v", tc.url, err)
		}
	}
}
