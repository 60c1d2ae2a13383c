package review

import (
	"fmt"
	"strings"
	"testing"
)

func readsString(in dockerInputs) string {
	var b strings.Builder
	for _, r := range in.Reads {
		fmt.Fprintf(&b, "%d:%s:%q", r.Line, r.Kind, r.Prefix)
		if r.Dir {
			b.WriteString("/")
		}
		b.WriteString(" ")
	}
	for _, r := range in.Remotes {
		fmt.Fprintf(&b, "%d:remote:%s ", r.Line, r.Source)
	}
	return strings.TrimSpace(b.String())
}

func TestParseDockerInputs(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain copy", "FROM node:20\nCOPY package.json tsconfig.json ./\nCOPY src ./src\n",
			`2:copied:"package.json" 2:copied:"tsconfig.json" 3:copied:"src"`},
		{"parent is clamped to the context", "COPY ../shared /app/shared\nCOPY /etc/x /x\n",
			`1:copied:"shared" 2:copied:"etc/x"`},
		{"flags and stages", "COPY --chown=1000:1000 --chmod=755 scripts/entrypoint.sh /entrypoint.sh\nCOPY --from=builder /app/dist /dist\nCOPY --from=ghcr.io/x/y:1 /bin/y /y\n",
			`1:copied:"scripts/entrypoint.sh"`},
		{"json form", `COPY ["bin/run it.sh", "/x/"]` + "\n", `1:copied:"bin/run it.sh"`},
		{"continuation", "COPY \\\n  lib/a.py \\\n  # a comment\n  lib/b.py /app/\nRUN true\n",
			`1:copied:"lib/a.py" 1:copied:"lib/b.py"`},
		{"escape directive", "# escape=`\nFROM x\nCOPY a `\n  b c:\\\n", `3:copied:"a" 3:copied:"b"`},
		{"heredoc body is not read", "COPY <<EOF /etc/x\nCOPY secret /y\nEOF\nCOPY real /z\n", `4:copied:"real"`},
		{"heredoc in run", "RUN <<-'SH' bash\n\tCOPY evil /x\n\tSH\nADD tail /t\n", `4:added:"tail"`},
		{"glob and arg", "ARG SRC=x\nCOPY ${SRC}/a /a\nCOPY src/*.ts /b\nCOPY lib/$NAME /c\n",
			`2:copied:""/ 3:copied:"src"/ 4:copied:"lib"/`},
		{"whole context", "COPY . .\n", `1:copied:""/`},
		{"remote add", "ADD https://example.com/x.tgz /x\nADD git@github.com:o/r.git /r\nADD https://github.com/o/r.git#v1 /s\nADD local.tgz /l\n",
			`4:added:"local.tgz" 1:remote:https://example.com/x.tgz 2:remote:git@github.com:o/r.git 3:remote:https://github.com/o/r.git#v1`},
		{"run mounts", "RUN --mount=type=cache,target=/root/.npm --mount=type=bind,source=tools,target=/t make\nRUN --mount=target=/src go build\nRUN --mount=type=bind,from=builder,source=/out,target=/o ls\nRUN --mount=type=secret,id=x cat\n",
			`1:mounted:"tools" 2:mounted:""/`},
		{"lowercase and crlf", "from x\r\ncopy a.sh /a\r\n", `2:copied:"a.sh"`},
		{"onbuild is not this build", "ONBUILD COPY . /app\n", ``},
		// Only RUN, COPY and ADD open heredocs: CMD's "<<X" is text, and
		// must not hide the instructions after it.
		{"no heredoc outside run, copy, add", "FROM x\nCMD cat <<NEVER\nCOPY secret /app\n", `3:copied:"secret"`},
		{"an empty line does not end a continuation", "COPY a \\\n\n  secret /app\n", `1:copied:"a" 1:copied:"secret"`},
		{"docker's frontend", "# syntax=docker/dockerfile:1.7@sha256:abc\nFROM node\nCOPY a /a\n", `3:copied:"a"`},
		{"a custom frontend may read anything", "# syntax=ghcr.io/evil/frontend:1\nFROM node\nCOPY a /a\n", `1:may be read:""/ 3:copied:"a"`},
		{"an onbuild base image copies for us", "FROM node:8-onbuild\nCOPY a /a\n", `1:may be read:""/ 2:copied:"a"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := readsString(parseDockerInputs([]byte(c.in))); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// A Dockerfile past the size cap reads its whole context: what was not
// parsed cannot narrow the scope.
func TestParseDockerInputsBounded(t *testing.T) {
	big := strings.Repeat("COPY a /a\n", maxDockerfileBytes/10+10)
	if in := parseDockerInputs([]byte(big)); !in.readsAll() {
		t.Fatal("an oversized Dockerfile must read the whole context")
	}
	many := strings.Repeat("COPY a b c d e f g h /x\n", maxDockerReads/7+5)
	in := parseDockerInputs([]byte(many))
	if !in.readsAll() || len(in.Reads) > maxDockerReads+1 {
		t.Fatalf("too many sources must read all, bounded: %d reads", len(in.Reads))
	}
}

// FuzzDockerInputs: hostile Dockerfiles never panic the reader, every
// read is clean and context-relative, and line numbers exist.
func FuzzDockerInputs(f *testing.F) {
	f.Add("COPY --from=a b c\nADD https://x /y\nRUN --mount=type=bind,source=../../x,target=/ ls\n")
	f.Add("COPY <<EOF <<-\"E2\" /x\nEOF\n\tE2\nCOPY [\"a\",\n")
	f.Add("# escape=`\nCOPY a `\n")
	f.Add("COPY \\\n\\\n\\")
	f.Fuzz(func(t *testing.T, content string) {
		in := parseDockerInputs([]byte(content))
		lines := strings.Count(content, "\n") + 1
		for _, r := range in.Reads {
			if strings.HasPrefix(r.Prefix, "/") || strings.HasPrefix(r.Prefix, "../") || r.Prefix == ".." || r.Prefix == "." {
				t.Fatalf("read %q escapes or is not clean", r.Prefix)
			}
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("read at line %d of %d", r.Line, lines)
			}
		}
	})
}
