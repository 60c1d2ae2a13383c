package registry

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mcp-registry/updater/registry/valid"
)

// Validate applies the schema and pin rules to a loaded file: a known type;
// a locally built server pinned to a full lowercase SHA; source URLs that
// are https (http and git only on loopback hosts, for tests and local
// mirrors) and carry no credentials; a branch that is a valid git ref name;
// directory and dockerfile that stay inside the repository; no unknown
// key where the schema is closed (schema.go). Loading checks (size,
// UTF-8, YAML, duplicate keys, name) are Parse's. It returns nil for a
// valid file.
func Validate(f *File) []*FileError {
	var errs []*FileError
	// The tree gives the problems their lines; a valid file, the usual
	// case, never parses it.
	var root *yaml.Node
	add := func(keyPath string, err error) {
		if root == nil {
			root = f.tree()
		}
		errs = append(errs, &FileError{Path: f.Path, Line: lineOf(root, keyPath), Err: err})
	}
	s := &f.Server
	switch s.Type {
	case TypeServer, TypeRemote, TypePOCI:
	case "":
		add("type", errors.New("type is missing (want server, remote or poci)"))
	default:
		add("type", fmt.Errorf("type %s is not one of server, remote, poci", quote(s.Type)))
	}
	validateClosedKeys(f, add)
	if s.Source != nil {
		validateSource(f, add)
	}
	return errs
}

func validateSource(f *File, add func(keyPath string, err error)) {
	src := f.Server.Source
	for _, k := range f.sourceKeys {
		if !isSourceKey(k) {
			if near := DidYouMean(k, sourceKeys); near != "" {
				add("source."+k, fmt.Errorf("source.%s is not a source key: did you mean %s?", quoteKey(k), near))
				continue
			}
			add("source."+k, fmt.Errorf("source.%s is not a source key (want %s)", quoteKey(k), strings.Join(sourceKeys, ", ")))
		}
	}
	switch {
	case src.Commit != "" && !ValidCommit(src.Commit):
		add("source.commit", fmt.Errorf("source.commit %s is not a 40-hex SHA", quote(src.Commit)))
	case src.Commit == "" && f.LocallyBuilt():
		add("source", errors.New("source.commit is missing: a locally built server must be pinned"))
	}
	for _, u := range []struct{ key, value string }{{"project", src.Project}, {"upstream", src.Upstream}} {
		if u.value == "" {
			continue
		}
		if err := valid.RepoURL(u.value); err != nil {
			add("source."+u.key, fmt.Errorf("source.%s %s: %w", u.key, quote(valid.RedactURL(u.value)), err))
		}
	}
	if src.Branch != "" && !valid.RefName(src.Branch) {
		add("source.branch", fmt.Errorf("source.branch %s is not a valid git branch or tag name", quote(src.Branch)))
	}
	for _, p := range []struct{ key, value string }{{"directory", src.Directory}, {"dockerfile", src.Dockerfile}} {
		if p.value != "" && !validRelPath(p.value) {
			add("source."+p.key, fmt.Errorf("source.%s %s must be a relative path inside the repository", p.key, quote(p.value)))
		}
	}
	if src.BuildTarget != "" && !buildTargetRE.MatchString(src.BuildTarget) {
		add("source.buildTarget", fmt.Errorf("source.buildTarget %s is not a Dockerfile stage name", quote(src.BuildTarget)))
	}
}

func isSourceKey(k string) bool {
	for _, s := range sourceKeys {
		if k == s {
			return true
		}
	}
	return false
}

var (
	// nameRE admits the corpus's upper-case "SQLite" beside the usual
	// lower-case names; ValidName adds what a pattern says badly.
	nameRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	buildTargetRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// maxNameLen bounds a server name; it becomes part of branch names and
// paths.
const maxNameLen = 100

// ValidName reports whether name can be a server: letters, digits, '.',
// '_' and '-', starting with a letter or digit, no "..", at most 100 bytes.
// Such a name is safe as a directory and inside a git branch name.
func ValidName(name string) bool {
	return len(name) <= maxNameLen && nameRE.MatchString(name) && !strings.Contains(name, "..") &&
		!strings.HasSuffix(name, ".lock") && !strings.HasSuffix(name, ".")
}

// ValidCommit reports whether sha is a full commit SHA-1: exactly 40
// lowercase hex digits. Abbreviations and upper case are refused so that
// a pin means one commit and compares equal to what git prints.
func ValidCommit(sha string) bool {
	if len(sha) != 40 {
		return false
	}
	for i := 0; i < len(sha); i++ {
		if c := sha[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validRelPath accepts a slash-separated relative path that cannot leave
// the repository: not absolute, no ".." element, no backslashes or control
// characters.
func validRelPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsFunc(p, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

// plainKeyRE matches a mapping key that prints as is in a message.
var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// quoteKey prints a key that may be hostile: as written when it is a plain
// word, else like any hostile value.
func quoteKey(k string) string {
	if plainKeyRE.MatchString(k) {
		return k
	}
	return quote(k)
}

// quote prints a hostile value for a message: quoted, escaped and cut to a
// readable length.
func quote(s string) string {
	const maxLen = 80
	if len(s) > maxLen {
		return fmt.Sprintf("%q...", s[:maxLen])
	}
	return fmt.Sprintf("%q", s)
}
