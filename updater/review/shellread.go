package review

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Reading shell: the scripts an image or a package runs (`.sh`, `.bash`,
// entrypoint scripts, files with a shell shebang) and the bodies of a
// Dockerfile's RUN instructions, cut into statements the shell behaviour
// rules (rule_shell.go) read. Pure and bounded: no regexps on whole files,
// quotes and $( ) nesting followed by a byte scanner.

// shellStmt is one statement: a pipeline with its command substitutions,
// ended by ;, &&, ||, & or the end of a logical line.
type shellStmt struct {
	no    int    // 1-based line where its logical line starts
	text  string // the statement as written, continuations joined
	added bool   // one of its lines is a new added line of the range
	unit  int    // the script (0) or the RUN instruction (1-based) it belongs to
}

// maxShellStmts bounds the statements read from one file.
const maxShellStmts = 5000

// isShellScript reports a file the shell runs: by extension, by the
// entrypoint names images use, or by a shell shebang on an extensionless file.
func isShellScript(f *ranges.FileChange) bool {
	b := strings.ToLower(path.Base(f.Path))
	switch path.Ext(b) {
	case ".sh", ".bash", ".ksh", ".zsh":
		return true
	case "":
	default:
		return false
	}
	if b == "entrypoint" || b == "docker-entrypoint" {
		return true
	}
	return shellShebang(f.New)
}

// shellShebang reports a first line naming sh, bash, dash, ash, ksh or zsh,
// directly or through env.
func shellShebang(content []byte) bool {
	if !bytes.HasPrefix(content, []byte("#!")) {
		return false
	}
	first, _, _ := bytes.Cut(content[2:min(len(content), 128)], []byte("\n"))
	fields := strings.Fields(string(first))
	if len(fields) == 0 {
		return false
	}
	prog := path.Base(fields[0])
	if prog == "env" {
		for _, w := range fields[1:] {
			if !strings.HasPrefix(w, "-") {
				prog = w
				break
			}
		}
	}
	switch prog {
	case "sh", "bash", "dash", "ash", "ksh", "zsh", "busybox":
		return true
	}
	return false
}

// addedSet is the numbers of a file's new added lines (moved lines left out).
func addedSet(f *ranges.FileChange) map[int]bool {
	moved := removedSet(f)
	s := make(map[int]bool, len(f.AddedLines))
	for _, l := range f.AddedLines {
		if strings.TrimSpace(l.Text) != "" && moved.novel(l.Text) {
			s[l.No] = true
		}
	}
	return s
}

// scriptStatements cuts a shell script into statements: comments
// dropped, continuation lines joined.
func scriptStatements(content []byte, added map[int]bool) []shellStmt {
	return lineStatements(nil, bytes.Split(content, []byte("\n")), 0, added, 0)
}

// lineStatements appends the statements of lines, the first of which is
// line offset+1 of its file.
func lineStatements(out []shellStmt, lines [][]byte, offset int, added map[int]bool, unit int) []shellStmt {
	var cur strings.Builder
	start, isAdded := 0, false
	for i, raw := range lines {
		no := offset + i + 1
		t := strings.TrimSpace(strings.TrimRight(string(raw), "\r"))
		if cur.Len() == 0 {
			if t == "" || t[0] == '#' {
				continue
			}
			start, isAdded = no, false
		}
		isAdded = isAdded || added[no]
		if strings.HasSuffix(t, `\`) && i < len(lines)-1 {
			cur.WriteString(t[:len(t)-1])
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(t)
		out = splitStatements(out, cur.String(), start, isAdded, unit)
		cur.Reset()
		if len(out) > maxShellStmts {
			return out[:maxShellStmts]
		}
	}
	return out
}

// runStatements cuts the RUN instructions of a Dockerfile into statements,
// each RUN a unit of its own. A RUN counts as added when a line it spans is.
func runStatements(content []byte, added map[int]bool) []shellStmt {
	if len(content) > maxDockerfileBytes {
		content = content[:maxDockerfileBytes]
	}
	instructions, _ := dockerInstructions(content)
	lines := bytes.Split(content, []byte("\n"))
	var out []shellStmt
	for i, ins := range instructions {
		kw, rest := cutWord(ins.text)
		if !strings.EqualFold(kw, "RUN") {
			continue
		}
		end := len(lines)
		if i+1 < len(instructions) {
			end = instructions[i+1].line - 1
		}
		isAdded := false
		for n := ins.line; n <= end && !isAdded; n++ {
			isAdded = added[n]
		}
		first := len(out)
		body := runBody(rest)
		out = splitStatements(out, body, ins.line, isAdded, i+1)
		// Statements come in line order: each is looked for from where
		// the one before it starts, a bounded window ahead, so a RUN of
		// many lines costs linear time, not statements x lines.
		next := ins.line
		for k := first; k < len(out); k++ {
			out[k].no = lineHolding(lines, next, min(end, next+lineWindow), out[k].text)
			next = out[k].no
		}
		if from, to, ok := shellHeredoc(lines, ins.line, end, body); ok {
			out = lineStatements(out, lines[from-1:to-1], from-1, added, i+1)
		}
		if len(out) > maxShellStmts {
			return out[:maxShellStmts]
		}
	}
	return out
}

// runBody is the shell text of a RUN instruction: its --flags dropped,
// the JSON (exec) form joined into one command line.
func runBody(rest string) string {
	for strings.HasPrefix(rest, "--") {
		_, rest = cutWord(rest)
	}
	if strings.HasPrefix(rest, "[") {
		var argv []string
		if json.Unmarshal([]byte(rest), &argv) == nil {
			return strings.Join(argv, " ")
		}
	}
	return rest
}

// splitStatements appends the statements of one logical line: it cuts at
// ;, &&, || and & outside quotes and $( ), backticks and ( ) groups.
func splitStatements(out []shellStmt, line string, no int, added bool, unit int) []shellStmt {
	var quote byte
	depth, last := 0, 0
	emit := func(end int) {
		if s := strings.TrimSpace(line[last:end]); s != "" {
			out = append(out, shellStmt{no: no, text: s, added: added, unit: unit})
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			i++
		case quote == '"' && c == '"':
			quote = 0
		case c == '"' || (c == '\'' && quote == 0):
			quote = c
		// Brackets group only outside quotes; inside double quotes only a
		// command substitution $( … ) opens one.
		case (c == '(' || c == '{') && (quote == 0 || c == '(' && i > 0 && line[i-1] == '$'):
			depth++
		case (c == ')' || c == '}') && (quote == 0 || c == ')' && depth > 0):
			depth = max(0, depth-1)
		case quote == 0 && depth == 0 && (c == ';' || c == '&' || (c == '|' && i+1 < len(line) && line[i+1] == '|')):
			if c == '&' && i > 0 && (line[i-1] == '>' || line[i-1] == '<') || c == '&' && i+1 < len(line) && line[i+1] == '>' {
				continue // 2>&1, &>file
			}
			emit(i)
			if i+1 < len(line) && (line[i+1] == '&' || line[i+1] == '|' || line[i+1] == ';') {
				i++
			}
			last = i + 1
		}
	}
	emit(len(line))
	return out
}

// lineWindow is how many lines ahead of the statement before it a
// statement of a continued RUN is looked for.
const lineWindow = 64

// lineHolding returns the line from..to (1-based) where a statement of a
// continued instruction starts, so evidence points at it; from when the
// statement's start is not found on one line.
func lineHolding(lines [][]byte, from, to int, stmt string) int {
	head := stmt[:min(len(stmt), 24)]
	if i := strings.IndexByte(head, ' '); i > 0 && i < len(head)-1 {
		head = head[:strings.LastIndexByte(head, ' ')]
	}
	for n := from; n <= to && n <= len(lines); n++ {
		if bytes.Contains(lines[n-1], []byte(head)) {
			return n
		}
	}
	return from
}

// heredocShell is a RUN whose heredoc is its script: `RUN <<EOF` or a
// shell reading one (`RUN bash <<EOF`).
var heredocShell = regexp.MustCompile(`^<<|(?:^|[\s;&|])(?:ba|da|z|k|a)?sh\s+(?:-\S+\s+)*<<`)

// shellHeredoc returns the lines from..to (to exclusive, 1-based) of the
// script a RUN instruction's first heredoc holds.
func shellHeredoc(lines [][]byte, from, end int, body string) (int, int, bool) {
	terms := heredocTerminators(body)
	if len(terms) == 0 || !heredocShell.MatchString(body) {
		return 0, 0, false
	}
	for n := from; n <= end && n <= len(lines); n++ {
		if !bytes.Contains(lines[n-1], []byte("<<")) {
			continue
		}
		for m := n + 1; m <= len(lines); m++ {
			if strings.TrimLeft(strings.TrimRight(string(lines[m-1]), "\r"), "\t") == terms[0] {
				return n + 1, m, true
			}
		}
		return 0, 0, false
	}
	return 0, 0, false
}
