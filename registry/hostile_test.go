package registry_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mcp-registry/updater/registry"
)

// Hostile registry input: every file and every name in the registry may
// come from a pull request. Each case below must end in a clear error
// (naming the file, and the line where there is one), within bounded time
// and memory, for the loader and for the pin rewrite alike.

const pin = "0123456789abcdef0123456789abcdef01234567"

// validDemo is a server.yaml both Parse and SetPin accept.
const validDemo = "name: demo\ntype: server\nsource:\n  project: https://github.com/example/demo\n  commit: " + pin + "\n"

// Bounds for one Parse or SetPin of at most registry.MaxFileSize bytes.
// The worst input found so far, half a million one-letter list entries,
// costs 148 MiB of short-lived allocations (yaml.v3 builds its whole node
// tree before the node cap can refuse it) and 3s under -race (under a
// second without): linear in the capped size. The bounds leave room for
// -race on a loaded machine; an exponential or quadratic blow-up
// overshoots them by orders of magnitude.
const (
	maxParseTime  = 30 * time.Second
	maxParseAlloc = 256 << 20
)

// server is the head of a valid server.yaml up to its commit value.
const server = "name: demo\ntype: server\nsource:\n  project: https://github.com/example/demo\n  commit: "

// measure runs fn and returns its time and the bytes it allocated. The
// tests using it are not parallel, so the allocations are fn's own.
func measure(fn func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return took, after.TotalAlloc - before.TotalAlloc
}

// hostileCase is a server.yaml text that must be refused: parse says
// what Parse (or Validate, for a well-formed file) must answer; pin what
// SetPin must ("" any error; "ok" when it may succeed, the hostile part
// being the commit value it replaces; "-" not asked, when SetPin would
// only repeat Parse's work twice over).
type hostileCase struct{ name, raw, parse, pin string }

func hostileYAML() []hostileCase {
	var laughs strings.Builder
	laughs.WriteString(server + pin + "\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	prev := "a"
	for _, n := range "bcdefghijklm" {
		fmt.Fprintf(&laughs, "%c: &%c [%s*%s]\n", n, n, strings.Repeat("*"+prev+",", 8), prev)
		prev = string(n)
	}
	// Aliases without expansion: one anchor referred to from 80,000
	// places is quadratic for a naive resolver (a quarter of the size cap
	// shows it; the cap itself is the list-entries case's).
	var aliases strings.Builder
	aliases.WriteString(server + pin + "\nx: &x 1\nys: [")
	for aliases.Len() < registry.MaxFileSize/4 {
		aliases.WriteString("*x,")
	}
	aliases.WriteString("*x]\n")

	// fill repeats unit to just under the size cap, with room for SetPin
	// to lengthen the commit value.
	fill := func(prefix, unit, suffix string) string {
		n := (registry.MaxFileSize - 64 - len(prefix) - len(suffix)) / len(unit)
		return prefix + strings.Repeat(unit, n) + suffix
	}
	utf16le := func(s string) string {
		var b strings.Builder
		b.WriteString("\xff\xfe")
		for _, u := range utf16.Encode([]rune(s)) {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
		return b.String()
	}
	return []hostileCase{
		// YAML bombs.
		{"billion laughs", laughs.String(), "anchors and aliases are not allowed", "anchors and aliases"},
		{"80,000 aliases", aliases.String(), "anchors and aliases are not allowed", "anchors and aliases"},
		{"merge key", server + pin + "\nbase: {a: 1}\nabout:\n  <<: {title: x}\n", "merge keys", "merge keys"},
		{"deep flow nesting", fill(server+pin+"\nx: ", "[", "\n"), "exceeded max depth", ""},
		{"deep block nesting", server + pin + "\nx:\n" + strings.Repeat("- ", 20000) + "a\n", "exceeded max depth", ""},
		{"deep mapping nesting", server + pin + "\n" + strings.Repeat("a: {", 15000) + strings.Repeat("}", 15000) + "\n", "exceeded max depth", ""},
		// Huge scalars, keys and files.
		{"one byte over the limit", server + pin + "\n#" + strings.Repeat("x", registry.MaxFileSize-len(server+pin+"\n#")) + "\n", "over the 1048576-byte limit", "over the 1048576-byte limit"},
		{"huge plain scalar as the commit", fill(server, "a", "\n"), "is not a 40-hex SHA", "ok"},
		{"huge quoted scalar", fill(server+"1\nabout:\n  title: \"", "\\u0041", "\"\n"), "is not a 40-hex SHA", "ok"},
		{"huge key", fill(server+pin+"\n", "k", ": v\n"), "could not find expected ':'", ""},
		{"huge block scalar as the commit", fill(server+"|\n", "    "+pin+"\n", ""), "is not a 40-hex SHA", "block scalar"},
		{"half a million list entries", fill(server+"1\nmeta:\n  tags: [", "a,", "a]\n"), "more than 10000 YAML nodes", "-"},
		// Duplicate keys, however spelled.
		{"duplicate commit", server + pin + "\n  commit: " + pin + "\n", `key "commit" appears twice`, "appears twice"},
		{"duplicate commit, one quoted", server + pin + "\n  \"commit\": " + pin + "\n", `key "commit" appears twice`, "appears twice"},
		{"duplicate commit, one escaped", server + pin + "\n  \"\\x63ommit\": " + pin + "\n", `key "commit" appears twice`, "appears twice"},
		{"duplicate commit in a flow mapping", "name: demo\ntype: server\nsource: {commit: " + pin + ", 'commit': " + pin + "}\n", `key "commit" appears twice`, "appears twice"},
		{"duplicate source", server + pin + "\nsource:\n  commit: " + pin + "\n", `key "source" appears twice`, "appears twice"},
		{"duplicate name", "name: demo\n" + server + pin + "\n", `key "name" appears twice`, "appears twice"},
		// Not UTF-8, or not text.
		{"UTF-16 with a BOM", utf16le(server + pin + "\n"), "invalid UTF-8", "invalid UTF-8"},
		{"Latin-1", server + pin + "\nabout:\n  title: caf\xe9\n", "invalid UTF-8 (byte 0xe9)", "invalid UTF-8"},
		{"overlong slash", server + pin + "\n  directory: \xc0\xaf\n", "invalid UTF-8", "invalid UTF-8"},
		{"surrogate half", server + pin + "\nabout:\n  title: \xed\xa0\x80\n", "invalid UTF-8", "invalid UTF-8"},
		{"truncated sequence", server + pin + "\xe2\x82\n", "invalid UTF-8", "invalid UTF-8"},
		{"NUL byte", server + pin + "\x00\n", "control character U+0000", "control character"},
		{"escape sequence to the terminal", server + pin + "\nabout:\n  title: \x1b]0;pwned\x07\n", "control character U+001B", "control character"},
		{"C1 control", server + pin + "\nabout:\n  title: \u009b31m\n", "control character U+009B", "control character"},
	}
}

// deepBlock is a block sequence nested depth levels deep.
func deepBlock(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("-\n")
	}
	return b.String()
}

func TestHostileYAMLIsRefused(t *testing.T) {
	const path = "servers/demo/server.yaml"
	for _, tc := range hostileYAML() {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			if len(raw) > registry.MaxFileSize+2 {
				t.Fatalf("case is %d bytes: it would test the size cap, not the parser", len(raw))
			}
			var err error
			var f *registry.File
			took, alloc := measure(func() { f, err = registry.Parse(path, raw) })
			if err == nil {
				// Well-formed, but not a valid server: Validate says so.
				if problems := registry.Validate(f); len(problems) > 0 {
					err = problems[0]
				}
			}
			checkRefusal(t, "Parse", err, tc.parse, path, took, alloc)

			if tc.pin == "-" {
				return
			}
			var out []byte
			took, alloc = measure(func() { out, err = registry.SetPin(raw, registry.Pin{Commit: strings.Repeat("f", 40)}) })
			if tc.pin == "ok" {
				// SetPin parses its input and its output.
				if err != nil || took > 2*maxParseTime || alloc > 2*maxParseAlloc {
					t.Errorf("SetPin: %v in %s and %d MiB", err, took, alloc>>20)
				}
				return
			}
			checkRefusal(t, "SetPin", err, tc.pin, "", took, alloc)
			if out != nil {
				t.Error("SetPin returned output beside its error")
			}
		})
	}
}

// checkRefusal asserts err is the clear, bounded refusal a case wants:
// the expected words, the file named, no raw control characters (they
// would reach terminals and logs), short enough to read.
func checkRefusal(t *testing.T, op string, err error, want, path string, took time.Duration, alloc uint64) {
	t.Helper()
	if err == nil {
		t.Errorf("%s accepted it", op)
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("%s: %q, want it to say %q", op, msg, want)
	}
	if path != "" {
		var fe *registry.FileError
		if !errors.As(err, &fe) || fe.Path != path || !strings.HasPrefix(msg, path) {
			t.Errorf("%s: %T %q does not name %s", op, err, msg, path)
		}
	}
	if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
		t.Errorf("%s: the error carries raw control or invalid characters: %q", op, msg)
	}
	if len(msg) > 400 {
		t.Errorf("%s: a %d-byte error is not a clear one: %.200q...", op, len(msg), msg)
	}
	if took > maxParseTime || alloc > maxParseAlloc {
		t.Errorf("%s took %s and allocated %d MiB, over %s and %d MiB", op, took, alloc>>20, maxParseTime, maxParseAlloc>>20)
	}
}

// The largest file that is still valid stays cheap: the bounds above are
// not met by refusing early only. It is as large as the size cap and holds
// almost as many nodes as the node cap: as many list items as fit, each as
// long as fills the file.
func TestLargestValidFileIsCheap(t *testing.T) {
	var b strings.Builder
	b.WriteString(validDemo + "meta:\n  tags:\n")
	const items = registry.MaxNodes - 20 // validDemo and meta.tags take 13
	itemLen := (registry.MaxFileSize-64-b.Len())/items - len("    - \n")
	for i := range items {
		tag := fmt.Sprintf("tag%d-", i)
		fmt.Fprintf(&b, "    - %s%s\n", tag, strings.Repeat("x", itemLen-len(tag)))
	}
	raw := []byte(b.String())
	if len(raw) > registry.MaxFileSize || len(raw) < registry.MaxFileSize-64-items {
		t.Fatalf("the file is %d bytes, not just under the %d-byte cap", len(raw), registry.MaxFileSize)
	}
	var err error
	took, alloc := measure(func() { _, err = registry.Parse("servers/demo/server.yaml", raw) })
	if err != nil || took > maxParseTime || alloc > maxParseAlloc {
		t.Errorf("Parse of a %d-byte valid file: %v, %s, %d MiB", len(raw), err, took, alloc>>20)
	}
	took, alloc = measure(func() { _, err = registry.SetPin(raw, registry.Pin{Commit: strings.Repeat("f", 40)}) })
	if err != nil || took > maxParseTime || alloc > maxParseAlloc {
		t.Errorf("SetPin of a %d-byte valid file: %v, %s, %d MiB", len(raw), err, took, alloc>>20)
	}
}

// Server names come from directory names (a PR adds a directory) and
// from git trees (the daemon lists the base branch): each that could
// escape its directory, hide, or reach a terminal is refused by name,
// before any file is read.
func TestHostileServerNames(t *testing.T) {
	for _, name := range []string{
		"..", ".", "...", "a..b", ".hidden", ".git", "-rf", "a b", "a\nb", "a\x1b[2Jb", "a\x00b", "nul\u202eexe",
		"a:b", "a\\b", "x.lock", "trailing.", "ünïcode", "a/b", strings.Repeat("a", 101), "",
	} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			if registry.ValidName(name) {
				t.Fatalf("ValidName(%q) = true", name)
			}
			// The directory is where the name comes from; whichever check
			// refuses it, none may print it raw.
			p := "servers/" + name + "/server.yaml"
			_, err := registry.Parse(p, []byte(strings.Replace(validDemo, "name: demo", fmt.Sprintf("name: %q", name), 1)))
			if err == nil {
				t.Errorf("Parse(%q) accepted it", p)
			} else if strings.ContainsFunc(err.Error(), func(r rune) bool { return !unicode.IsPrint(r) }) {
				t.Errorf("the error repeats unprintable characters: %q", err)
			}
			if _, err := registry.LoadFile(t.TempDir(), name); err == nil {
				t.Errorf("LoadFile(%q) accepted the name", name)
			}
		})
	}
}

// On disk, a registry a PR shaped cannot make Load read outside its root:
// a server directory named like a traversal cannot exist, and the links
// that would do it are refused (see TestLoad); here, names that the file
// system allows but the registry does not are refused one by one, and the
// good servers still load.
func TestLoadRefusesHostileDirectories(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "servers/good/server.yaml", serverYAML("good"))
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("name: good\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := []string{"...", "-rf", ".git", "a b", "a\x1bb", "x.lock", "bad\xffname"}
	for _, name := range bad {
		writeFile(t, root, "servers/"+name+"/server.yaml", serverYAML("good"))
	}
	// A hard link to a file outside the root reads the same bytes; it is a
	// regular file, so only its name stops it.
	if err := os.Mkdir(filepath.Join(root, "servers", ".link"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(secret, filepath.Join(root, "servers", ".link", "server.yaml")); err != nil {
		t.Fatal(err)
	}
	files, errs := registry.Load(root)
	if len(files) != 1 || files[0].Name != "good" {
		t.Errorf("loaded %d files, want only good", len(files))
	}
	if len(errs) != len(bad)+1 {
		t.Errorf("%d errors, want %d: %v", len(errs), len(bad)+1, errs)
	}
	for _, err := range errs {
		var fe *registry.FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "not a valid server name") {
			t.Errorf("error %T %q, want a FileError refusing the name", err, err)
		}
		if !utf8.ValidString(err.Error()) || strings.ContainsFunc(err.Error(), unicode.IsControl) {
			t.Errorf("the error repeats raw bytes of the name: %q", err)
		}
	}
}

// A project URL with credentials is refused without repeating them: the
// message goes to logs, the report and the step summary.
func TestCredentialsInURLsAreNotRepeated(t *testing.T) {
	for _, url := range []string{
		"https://user:s3cr3t-pass@github.com/a/b",
		"https://s3cr3t-pass@github.com/a/b",
		"https://user:s3cr3t-pass@github.com/a/b?x=1",
		"http://user:s3cr3t-pass@127.0.0.1:80/a.git",
		"https://user:s3cr3t-pass@[::1/a",
	} {
		raw := strings.Replace(validDemo, "https://github.com/example/demo", url, 1)
		f, err := registry.Parse("servers/demo/server.yaml", []byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		problems := registry.Validate(f)
		if len(problems) == 0 {
			t.Errorf("%s: accepted", url)
			continue
		}
		for _, p := range problems {
			if strings.Contains(p.Error(), "s3cr3t") {
				t.Errorf("%s: the error repeats the credentials: %s", url, p)
			}
		}
	}
}
