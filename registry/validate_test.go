package registry_test

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/registry"
)

// pinnedServer is a valid locally built server; cases edit its source.
func pinnedServer(source string) string {
	return "name: demo\nimage: mcp/demo\ntype: server\nsource:\n" + source
}

const goodSource = "  project: https://github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		want []string // the problems, as printed, in order
	}{
		{name: "pinned server", raw: pinnedServer(goodSource + "  branch: refs/pull/7/merge\n  directory: src/demo\n  dockerfile: ./build/Dockerfile\n  buildTarget: final-stage\n  upstream: https://github.com/upstream/demo\n")},
		{name: "remote without source", raw: "name: demo\ntype: remote\nremote:\n  transport_type: sse\n  url: https://example.com/sse\n"},
		{name: "remote with unpinned source", raw: "name: demo\ntype: remote\nsource:\n  project: https://github.com/example/demo\n"},
		{name: "poci", raw: "name: demo\ntype: poci\ntools:\n  - name: curl\n    container: {image: alpine/curl, command: ['{{args|into}}']}\n"},
		{name: "server from an image, no source", raw: "name: demo\nimage: mcp/demo\ntype: server\n"},
		{name: "loopback http", raw: pinnedServer("  project: http://127.0.0.1:8080/repo.git\n  commit: 0123456789abcdef0123456789abcdef01234567\n")},
		{name: "loopback git", raw: pinnedServer("  project: git://localhost/repo\n  commit: 0123456789abcdef0123456789abcdef01234567\n")},
		{name: "loopback ipv6", raw: pinnedServer("  project: http://[::1]:9418/repo\n  commit: 0123456789abcdef0123456789abcdef01234567\n")},

		{name: "type missing", raw: "name: demo\n", want: []string{"servers/demo/server.yaml: type is missing (want server, remote or poci)"}},
		{name: "type unknown", raw: "name: demo\ntype: lambda\n", want: []string{`servers/demo/server.yaml:2: type "lambda" is not one of server, remote, poci`}},
		{name: "commit missing", raw: pinnedServer("  project: https://github.com/example/demo\n"), want: []string{
			"servers/demo/server.yaml:4: source.commit is missing: a locally built server must be pinned"}},
		{name: "commit short", raw: pinnedServer("  project: https://github.com/example/demo\n  commit: abc\n"), want: []string{
			`servers/demo/server.yaml:6: source.commit "abc" is not a 40-hex SHA`}},
		{name: "commit upper case", raw: pinnedServer("  project: https://github.com/example/demo\n  commit: 0123456789ABCDEF0123456789ABCDEF01234567\n"), want: []string{
			`servers/demo/server.yaml:6: source.commit "0123456789ABCDEF0123456789ABCDEF01234567" is not a 40-hex SHA`}},
		{name: "commit on a remote", raw: "name: demo\ntype: remote\nsource:\n  project: https://github.com/a/b\n  commit: main\n", want: []string{
			`servers/demo/server.yaml:5: source.commit "main" is not a 40-hex SHA`}},
		{name: "commit very long", raw: pinnedServer("  project: https://github.com/example/demo\n  commit: " + strings.Repeat("a", 200) + "\n"), want: []string{
			`servers/demo/server.yaml:6: source.commit "` + strings.Repeat("a", 80) + `"... is not a 40-hex SHA`}},
		{name: "project http", raw: pinnedServer("  project: http://github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "http://github.com/example/demo": is http://, allowed only for loopback hosts; use https://`}},
		{name: "project git remote host", raw: pinnedServer("  project: git://github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "git://github.com/example/demo": is git://, allowed only for loopback hosts; use https://`}},
		{name: "project ssh", raw: pinnedServer("  project: ssh://git@github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "ssh://***@github.com/example/demo": scheme "ssh" is not allowed: use https://`}},
		{name: "project scp-like", raw: pinnedServer("  project: git@github.com:example/demo.git\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "***@github.com:example/demo.git": is not a URL: local paths and scp-like addresses are not allowed`}},
		{name: "project with token", raw: pinnedServer("  project: https://x-access-token:ghs_secret@github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://***@github.com/example/demo": must not carry credentials`}},
		{name: "project password with a slash", raw: pinnedServer("  project: https://user:pa/ss@github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://***@github.com/example/demo": is not a URL`}},
		{name: "project credentials, no scheme", raw: pinnedServer("  project: user:ghs_secret@github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "***@github.com/example/demo": is not a URL: local paths and scp-like addresses are not allowed`}},
		{name: "project credentials before a fake scheme", raw: pinnedServer("  project: ghs_secret@x://github.com/example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "***@x://github.com/example/demo": is not a URL`}},
		{name: "project token in the query", raw: pinnedServer("  project: https://github.com/a/b?private_token=ghs_secret#x\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://github.com/a/b?***": must not have a query or fragment`}},
		{name: "project token in the fragment", raw: pinnedServer("  project: https://github.com/a/b#ghs_secret\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://github.com/a/b#***": must not have a query or fragment`}},
		{name: "project no host", raw: pinnedServer("  project: https:///example/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https:///example/demo": has no host`}},
		{name: "project no path", raw: pinnedServer("  project: https://github.com/\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://github.com/": has no repository path`}},
		{name: "project query", raw: pinnedServer("  project: https://github.com/a/b?ref=x\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "https://github.com/a/b?***": must not have a query or fragment`}},
		{name: "project local path", raw: pinnedServer("  project: /srv/git/demo\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "/srv/git/demo": is not a URL: local paths and scp-like addresses are not allowed`}},
		{name: "project option injection", raw: pinnedServer("  project: --upload-pack=touch /tmp/x\n  commit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			`servers/demo/server.yaml:5: source.project "--upload-pack=touch /tmp/x": contains spaces or control characters`}},
		{name: "upstream file scheme", raw: pinnedServer(goodSource + "  upstream: file:///etc/passwd\n"), want: []string{
			`servers/demo/server.yaml:7: source.upstream "file:///etc/passwd": scheme "file" is not allowed: use https://`}},
		{name: "branch bad", raw: pinnedServer(goodSource + "  branch: -delete\n"), want: []string{
			`servers/demo/server.yaml:7: source.branch "-delete" is not a valid git branch or tag name`}},
		{name: "branch dots", raw: pinnedServer(goodSource + "  branch: a..b\n"), want: []string{
			`servers/demo/server.yaml:7: source.branch "a..b" is not a valid git branch or tag name`}},
		{name: "directory escapes", raw: pinnedServer(goodSource + "  directory: src/../../etc\n  dockerfile: /Dockerfile\n"), want: []string{
			`servers/demo/server.yaml:7: source.directory "src/../../etc" must be a relative path inside the repository`,
			`servers/demo/server.yaml:8: source.dockerfile "/Dockerfile" must be a relative path inside the repository`}},
		{name: "dockerfile backslash", raw: pinnedServer(goodSource + "  dockerfile: ..\\Dockerfile\n"), want: []string{
			`servers/demo/server.yaml:7: source.dockerfile "..\\Dockerfile" must be a relative path inside the repository`}},
		{name: "build target", raw: pinnedServer(goodSource + "  buildTarget: --target\n"), want: []string{
			`servers/demo/server.yaml:7: source.buildTarget "--target" is not a Dockerfile stage name`}},
		{name: "misspelt source key", raw: pinnedServer(goodSource + "  comit: 0123456789abcdef0123456789abcdef01234567\n"), want: []string{
			"servers/demo/server.yaml:7: source.comit is not a source key: did you mean commit?"}},
		{name: "source key in another case", raw: pinnedServer(goodSource + "  Branch: main\n"), want: []string{
			"servers/demo/server.yaml:7: source.Branch is not a source key: did you mean branch?"}},
		{name: "source key far from any", raw: pinnedServer(goodSource + "  image: x\n"), want: []string{
			"servers/demo/server.yaml:7: source.image is not a source key (want project, upstream, branch, commit, directory, dockerfile, buildTarget)"}},
		{name: "source key with an escape sequence", raw: pinnedServer(goodSource + "  \"\\e[2Jcommit\": x\n"), want: []string{
			`servers/demo/server.yaml:7: source."\x1b[2Jcommit" is not a source key (want project, upstream, branch, commit, directory, dockerfile, buildTarget)`}},
		{name: "several problems", raw: "name: demo\ntype: servr\nsource:\n  project: http://example.com/x\n  commit: HEAD\n", want: []string{
			`servers/demo/server.yaml:2: type "servr" is not one of server, remote, poci`,
			`servers/demo/server.yaml:5: source.commit "HEAD" is not a 40-hex SHA`,
			`servers/demo/server.yaml:4: source.project "http://example.com/x": is http://, allowed only for loopback hosts; use https://`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := registry.Parse("servers/demo/server.yaml", []byte(tc.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, e := range registry.Validate(f) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"github-official":        true,
		"SQLite":                 true,
		"a":                      true,
		"0x":                     true,
		"node.js_v2":             true,
		"":                       false,
		".hidden":                false,
		"-flag":                  false,
		"_x":                     false,
		"a/b":                    false,
		"a..b":                   false,
		"..":                     false,
		"a b":                    false,
		"a\\b":                   false,
		"x.lock":                 false,
		"trailing.":              false,
		"ünï":                    false,
		"a\n":                    false,
		strings.Repeat("a", 100): true,
		strings.Repeat("a", 101): false,
	} {
		if got := registry.ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValidCommit(t *testing.T) {
	for sha, want := range map[string]bool{
		"0123456789abcdef0123456789abcdef01234567":  true,
		"0123456789ABCDEF0123456789abcdef01234567":  false,
		"0123456789abcdef0123456789abcdef0123456":   false,
		"0123456789abcdef0123456789abcdef012345678": false,
		"0123456789abcdef0123456789abcdef0123456g":  false,
		" 123456789abcdef0123456789abcdef01234567":  false,
		"": false,
	} {
		if got := registry.ValidCommit(sha); got != want {
			t.Errorf("ValidCommit(%q) = %v, want %v", sha, got, want)
		}
	}
}
