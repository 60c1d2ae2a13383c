package review

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// What a Dockerfile reads from its build context. The registry builds
// `project#commit:directory` with `-f dockerfile`, so the context is
// source.directory (the repository root when unset) and every COPY, ADD
// and RUN --mount=type=bind source is a path inside it: Docker cleans
// "../x" back to "x" at the context root. The reader is pure and treats
// its input as hostile: bounded, no recursion, no regexps on whole lines.

// maxDockerfileBytes bounds what is parsed; a longer Dockerfile is read
// as reading its whole context (the truthful superset).
const maxDockerfileBytes = 256 << 10

// maxDockerReads bounds the sources listed; past it the whole context counts.
const maxDockerReads = 2000

// dockerReadKind is how an instruction reads a context path.
type dockerReadKind string

const (
	readCopied  dockerReadKind = "copied"
	readAdded   dockerReadKind = "added"
	readMounted dockerReadKind = "mounted"
	// readUnknown: the build may read anything, by rules the reader cannot
	// follow (a custom syntax frontend, an ONBUILD base image).
	readUnknown dockerReadKind = "may be read"
)

// dockerRead is one context path a build instruction reads. Prefix is
// context-relative and clean; a source holding a glob or an unresolved
// variable reads everything under its static prefix (Dir true), and ""
// with Dir true is the whole context.
type dockerRead struct {
	Line   int // 1-based line of the instruction
	Kind   dockerReadKind
	Prefix string
	Dir    bool
}

// covers reports whether the read includes the context-relative path p.
func (d dockerRead) covers(p string) bool {
	if d.Prefix == "" {
		return true
	}
	return p == d.Prefix || strings.HasPrefix(p, d.Prefix+"/")
}

// dockerRemote is a build input fetched from elsewhere: ADD of a URL or
// a git repository, which the pinned commit does not pin.
type dockerRemote struct {
	Line   int
	Source string
}

// dockerInputs is what a Dockerfile's build reads.
type dockerInputs struct {
	Reads   []dockerRead
	Remotes []dockerRemote
}

// readsAll reports whether the build reads the whole context.
func (in dockerInputs) readsAll() bool {
	for _, r := range in.Reads {
		if r.Prefix == "" {
			return true
		}
	}
	return false
}

// dockerInstruction is one logical instruction: continuation lines
// joined, heredoc bodies dropped.
type dockerInstruction struct {
	line int
	text string
}

// parseDockerInputs lists the context paths and remote sources content
// reads. It never fails: what it cannot read counts as reading all.
func parseDockerInputs(content []byte) dockerInputs {
	var in dockerInputs
	if len(content) > maxDockerfileBytes {
		in.Reads = append(in.Reads, dockerRead{Line: 1, Kind: readCopied, Dir: true})
		content = content[:maxDockerfileBytes]
	}
	instructions, frontend := dockerInstructions(content)
	if frontend != "" && !isDockerFrontend(frontend) {
		in.Reads = append(in.Reads, dockerRead{Line: 1, Kind: readUnknown, Dir: true})
	}
	for _, ins := range instructions {
		kw, rest := cutWord(ins.text)
		switch strings.ToUpper(kw) {
		case "FROM":
			if strings.Contains(strings.ToLower(rest), "onbuild") {
				in.Reads = append(in.Reads, dockerRead{Line: ins.line, Kind: readUnknown, Dir: true})
			}
		case "COPY":
			in.addCopy(ins.line, readCopied, rest)
		case "ADD":
			in.addCopy(ins.line, readAdded, rest)
		case "RUN":
			in.addMounts(ins.line, rest)
		}
		if len(in.Reads) > maxDockerReads {
			in.Reads = append(in.Reads[:maxDockerReads], dockerRead{Line: ins.line, Kind: readCopied, Dir: true})
			break
		}
	}
	return in
}

// dockerInstructions splits content into logical instructions and
// returns the `# syntax=` frontend, if any. The escape character is `\`
// unless a leading `# escape=` directive says "`". Comment lines inside a
// continuation are skipped, as Docker does.
func dockerInstructions(content []byte) (out []dockerInstruction, frontend string) {
	escape := byte('\\')
	var cur strings.Builder
	start := 0
	var heredocs []string // terminators still to consume
	directives := true
	lines := bytes.Split(content, []byte("\n"))
	for i, raw := range lines {
		line := strings.TrimRight(string(raw), "\r")
		if len(heredocs) > 0 {
			if strings.TrimLeft(line, "\t") == heredocs[0] {
				heredocs = heredocs[1:]
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if directives {
			if d, ok := strings.CutPrefix(trimmed, "#"); ok {
				k, v, found := strings.Cut(d, "=")
				if found && strings.EqualFold(strings.TrimSpace(k), "escape") && strings.TrimSpace(v) == "`" {
					escape = '`'
				}
				if found && strings.EqualFold(strings.TrimSpace(k), "syntax") {
					frontend = strings.TrimSpace(v)
				}
				if found {
					continue
				}
			}
			directives = false
		}
		if cur.Len() == 0 && (trimmed == "" || trimmed[0] == '#') {
			continue
		}
		// Inside a continued instruction Docker skips comment and empty
		// lines alike: an empty line does not end it.
		if cur.Len() > 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if len(trimmed) > 0 && trimmed[len(trimmed)-1] == escape {
			cur.WriteString(trimmed[:len(trimmed)-1])
			cur.WriteByte(' ')
			if i < len(lines)-1 {
				continue
			}
		} else {
			cur.WriteString(trimmed)
		}
		text := cur.String()
		cur.Reset()
		out = append(out, dockerInstruction{line: start, text: text})
		if opensHeredocs(text) {
			heredocs = heredocTerminators(text)
		}
	}
	return out, frontend
}

// isDockerFrontend reports Docker's own Dockerfile frontend, whose rules
// the reader follows; any other frontend may read what it likes.
func isDockerFrontend(ref string) bool {
	ref = strings.TrimPrefix(strings.ToLower(ref), "docker.io/")
	name, _, _ := strings.Cut(ref, "@")
	name, _, _ = strings.Cut(name, ":")
	return name == "docker/dockerfile" || name == "docker/dockerfile-upstream"
}

// opensHeredocs reports the instructions BuildKit reads heredocs for
// (RUN, COPY, ADD, and ONBUILD of them): `CMD cat <<X` is plain text, and
// reading it as a heredoc would skip the instructions after it.
func opensHeredocs(text string) bool {
	kw, rest, _ := strings.Cut(text, " ")
	kw = strings.ToUpper(kw)
	if kw == "ONBUILD" {
		kw, _, _ = strings.Cut(strings.TrimSpace(rest), " ")
		kw = strings.ToUpper(kw)
	}
	return kw == "RUN" || kw == "COPY" || kw == "ADD"
}

// heredocTerminators lists the words of `<<EOF`, `<<-EOF` and `<<"EOF"`
// heredocs an instruction opens, in order.
func heredocTerminators(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		w, ok := strings.CutPrefix(f, "<<")
		if !ok || strings.HasPrefix(w, "<") {
			continue
		}
		w = strings.TrimPrefix(w, "-")
		w = strings.Trim(w, `"'`)
		if w != "" && isHeredocWord(w) {
			out = append(out, w)
		}
		if len(out) == 8 {
			break
		}
	}
	return out
}

func isHeredocWord(w string) bool {
	for _, c := range w {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// addCopy records the sources of a COPY or ADD: flags first (--from
// names a stage or an image, not the context), then the sources, the
// last word being the destination; JSON-array form too.
func (in *dockerInputs) addCopy(line int, kind dockerReadKind, rest string) {
	var words []string
	for {
		w, r := cutWord(rest)
		if !strings.HasPrefix(w, "--") {
			break
		}
		if name, _, _ := strings.Cut(strings.ToLower(w), "="); name == "--from" {
			return
		}
		rest = r
	}
	if strings.HasPrefix(rest, "[") {
		if json.Unmarshal([]byte(rest), &words) != nil {
			words = strings.Fields(rest)
		}
	} else {
		words = strings.Fields(rest)
	}
	if len(words) < 2 {
		return
	}
	for _, src := range words[:len(words)-1] {
		src = strings.Trim(src, `"'`)
		switch {
		case strings.HasPrefix(src, "<<"):
			continue // heredoc: the content is in the Dockerfile
		case kind == readAdded && isRemoteSource(src):
			in.Remotes = append(in.Remotes, dockerRemote{Line: line, Source: src})
			continue
		}
		in.Reads = append(in.Reads, contextRead(line, kind, src))
	}
}

// addMounts records RUN --mount=type=bind sources without from= (bind
// is the default type; source defaults to the whole context).
func (in *dockerInputs) addMounts(line int, rest string) {
	for {
		w, r := cutWord(rest)
		if !strings.HasPrefix(w, "--") {
			return
		}
		rest = r
		spec, ok := strings.CutPrefix(w, "--mount=")
		if !ok {
			continue
		}
		typ, src, from := "bind", ".", ""
		for _, kv := range strings.Split(spec, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch strings.ToLower(k) {
			case "type":
				typ = strings.ToLower(v)
			case "source", "src":
				src = v
			case "from":
				from = v
			}
		}
		if typ == "bind" && from == "" {
			in.Reads = append(in.Reads, contextRead(line, readMounted, src))
		}
	}
}

// contextRead turns a source as written into a context-relative read: a
// glob or variable reads everything under its static prefix.
func contextRead(line int, kind dockerReadKind, src string) dockerRead {
	d := dockerRead{Line: line, Kind: kind}
	if i := strings.IndexAny(src, "*?[$\\{"); i >= 0 {
		d.Dir = true
		src = src[:i]
		if j := strings.LastIndexByte(src, '/'); j >= 0 {
			src = src[:j]
		} else {
			src = ""
		}
	}
	src = strings.Trim(path.Clean("/"+src), "/")
	if src == "." {
		src = ""
	}
	d.Prefix = src
	if src == "" {
		d.Dir = true
	}
	return d
}

// isRemoteSource reports an ADD source fetched over the network.
func isRemoteSource(src string) bool {
	l := strings.ToLower(src)
	for _, p := range []string{"http://", "https://", "ftp://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return strings.HasSuffix(l, ".git") && strings.Contains(l, "/") && !strings.HasPrefix(l, "./")
}

// addMissedRemotes adds to ev the new remote ADD sources of f that the
// line pattern cannot see: an instruction continued over lines, or in
// JSON form (`ADD ["https://…", "/x"]`). A source the old side already
// ADDed is not new.
func addMissedRemotes(f *ranges.FileChange, ev *evidence) {
	if f.New == nil {
		return
	}
	before := map[string]bool{}
	for _, r := range parseDockerInputs(f.Old).Remotes {
		before[r.Source] = true
	}
	added := map[int]bool{}
	for _, l := range f.AddedLines {
		added[l.No] = true
	}
	lines := strings.Split(string(f.New), "\n")
	for _, r := range parseDockerInputs(f.New).Remotes {
		if before[r.Source] || r.Line > len(lines) {
			continue
		}
		if text := lines[r.Line-1]; dockerAddURL.MatchString(text) && added[r.Line] {
			continue // the line pattern reported it
		}
		ev.addLine(f.Path, r.Line)
	}
}
