package review

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Behaviour rules: what the added code does rather than where it points.
// They read the added lines of a code file (after reveal has undone cheap
// obfuscation) and follow values a few steps: a line that reads the whole
// environment, a credential file or decoded data taints the variable it
// assigns; a line built from a tainted variable taints its own target; a
// network call or an eval whose arguments carry taint is a flow. This is
// not a data-flow analysis, only enough of one that renaming a variable
// or splitting a call over lines does not hide a plant.

// taint is what a value carries.
type taint uint8

const (
	taintEnv     taint = 1 << iota // the whole environment, dotenv contents
	taintCred                      // a credential file or its path
	taintDecoded                   // data decoded from base64, hex, char codes
	taintRemote                    // data fetched over the network
)

var (
	// envWhole is the whole environment: process.env as a value (not one
	// variable of it), os.environ as a mapping, os.Environ().
	envWhole = regexp.MustCompile(`\bprocess\s*(?:\.\s*env\b(?:\s*(?:[^\s.\[?]|$)|\s*\.\s*(?:toObject)\b)|\[)|` +
		`(?:Object\.(?:keys|entries|values|assign|fromEntries)|JSON\.stringify)\s*\([^)]*\bprocess\s*\.\s*env\s*[),]|` +
		`\.\.\.\s*process\s*\.\s*env\b|` +
		`\bos\.environ\b(?:\s*(?:[^\s.\[]|$)|\s*\.\s*(?:copy|items|keys|values)\s*\()|\bdict\s*\(\s*(?:os\.)?environ\b|\*\*\s*(?:os\.)?environ\b|` +
		`\bos\.Environ\s*\(\)|\bsyscall\.Environ\s*\(\)|\bDeno\.env\.toObject\s*\(|\bdotenv_values\s*\(|\bdotenv\.parse\s*\(|\bconfig\s*\([^)]*\)\s*\.parsed\b|` +
		`["'` + "`" + `/]\.env(?:\.local|\.production)?["'` + "`" + `]|\bgetattr\s*\(\s*os\s*,`)

	// secretNameList is a literal list of environment variable names with
	// a secret among them: code that collects the secrets by name rather
	// than the whole environment.
	secretNameList = regexp.MustCompile(`["'][A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASS|PASSWORD|CREDENTIALS?)[A-Z0-9_]*["']\s*,\s*["'][A-Z][A-Z0-9_]{2,}["']|` +
		`["'][A-Z][A-Z0-9_]{2,}["']\s*,\s*["'][A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASS|PASSWORD|CREDENTIALS?)[A-Z0-9_]*["']`)

	// spawnEnv is a line handing the environment to a child process, the
	// common legitimate use of it.
	spawnEnv = regexp.MustCompile(`(?i)\benv\s*:|\benv\s*=[^=]|\.Env\s*=|\w+env\s*:?=[^=]`)

	// credentialPath names files and stores that hold credentials.
	credentialPath = regexp.MustCompile(`(?i)["'` + "`" + `/~\\]\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|["'` + "`" + `/\\]\.aws\b|aws/credentials|\.npmrc\b|\.pypirc\b|\.netrc\b|` +
		`\.git-credentials\b|\.docker/config\.json|["']\.docker["']|\.gnupg\b|\.config/gh\b|["']gh["']\s*,\s*["']hosts\.yml|` +
		`\bLogin Data\b|\bcookies\.sqlite\b|\blogins\.json\b|\bkey[34]\.db\b|\bLocal State\b|User Data[/\\]Default|\.mozilla/firefox|Application Support/(?:Google/Chrome|BraveSoftware|Firefox)|` +
		`Library/Keychains|find-(?:generic|internet)-password|\bkeytar\b|secret-tool\s+lookup|\bwallet\.dat\b|\bkeychain\b|` +
		`application_default_credentials|\.config/gcloud|["'/\\]\.azure\b|\.terraform\.d/credentials|\.cargo/credentials|\.gem/credentials|\.vault-token\b|\.(?:bash|zsh)_history\b`)

	decodeSource = regexp.MustCompile(`(?i)\b(?:atob|b64decode|b32decode|a85decode|urlsafe_b64decode|unhexlify|fromhex|fromCharCode|decompress|inflate\w*|gunzip\w*)\s*\(|` +
		`Buffer\.from\s*\([^)]*["'](?:base64|hex)["']|codecs\.decode|\.DecodeString\s*\(|hex\.Decode|\bchr\s*\(`)

	// dynamicExec runs code or resolves a callable chosen at run time.
	// dangerousName is a literal naming something that runs code: built
	// from pieces or decoded, it is a call the author did not want seen.
	dangerousName = regexp.MustCompile(`["'` + "`" + `](?:eval|exec|execSync|execFile|spawn|spawnSync|system|popen|Popen|child_process|subprocess|__import__|Function|compile|os|builtins|require|env|environ|getenv)["'` + "`" + `]`)

	// assignTarget is the variable a line assigns: JS/TS declarations,
	// Python and Go assignments, including element and field targets.
	assignTarget = regexp.MustCompile(`^\s*(?:(?:export\s+)?(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)(?:\s*:\s*[^=]{1,40}?)?(?:\[[^\]]*\]|\.[A-Za-z_$][\w$]*)*\s*(?::=|\+=|=)[^=]`)
	tupleTarget  = regexp.MustCompile(`^\s*(?:(?:const|let|var)\s+[\[{]?\s*)?([A-Za-z_$][\w$]*)\s*,\s*([A-Za-z_$][\w$]*)\s*[\]}]?\s*:?=[^=]`)
	forTarget    = regexp.MustCompile(`^\s*for\s+\(?\s*(?:(?:const|let|var)\s+)?\[?\s*([A-Za-z_$][\w$]*)(?:\s*,\s*([A-Za-z_$][\w$]*))?`)
	mergeTarget  = regexp.MustCompile(`\b([A-Za-z_$][\w$]*)\s*\.\s*(?:update|extend|push|append)\s*\(|Object\.assign\s*\(\s*([A-Za-z_$][\w$]*)`)
	identifier   = regexp.MustCompile(`[A-Za-z_$][\w$]*`)
)

// networkSend matches a call that can carry data off the machine. Each
// pattern is guarded by a lower-case literal it contains, so a line runs
// only the few patterns whose literal it holds.
var networkSend = guardedPatterns{
	{"fetch", `\bfetch\s*\(`},
	{"axios", `\baxios\b`},
	{"http", `\bhttps?\s*\.\s*(?:request|get)\s*\(|\bhttp\.(?:Post|PostForm|Get|NewRequest\w*)\s*\(|XMLHttpRequest|\bhttpx\b`},
	{"request", `\.request\s*\(|\brequests\s*\.\s*\w+\s*\(|\burllib\.request\b`},
	{"beacon", `sendBeacon`},
	{"websocket", `new\s+WebSocket\b`},
	{"got", `\bgot(?:\.\w+)?\s*\(`},
	{"needle", `\bneedle\s*\(`},
	{"superagent", `\bsuperagent\b`},
	{"undici", `\bundici\b`},
	{"net", `\bnet\.connect\s*\(|\bnet\.Dial\w*\s*\(`},
	{".p", `\.(?:post|put|patch)\s*\(`},
	{"dns", `\bdns\s*\.\s*(?:resolve\w*|lookup)\s*\(`},
	{"sendmail", `\bsendMail\s*\(`},
	{"urlopen", `\burlopen\s*\(`},
	{"aiohttp", `\baiohttp\b`},
	{"socket", `\bsocket\s*\.\s*(?:socket|create_connection)\b`},
	{".send", `\.send(?:all)?\s*\(`},
	{"smtp", `\bsmtplib\b|\bsmtp\.SendMail\s*\(`},
	{".do", `\.Do\s*\(`},
	{"client", `\b\w*[cC]lient\s*\.\s*(?:get|post|put|patch|delete|request|stream|send)\s*\(`},
	{"session", `\b\w*[sS]ession\s*\.\s*(?:get|post|put|patch|delete|request)\s*\(`},
	{"curl", `\bcurl\b`},
	{"wget", `\bwget\b`},
	{"webrequest", `Invoke-WebRequest|Invoke-RestMethod`},
}.compile()

// dynamicExec matches code that runs code or resolves a callable chosen
// at run time.
var dynamicExec = guardedPatterns{
	{"eval", `(?:^|[^.\w$])eval\s*\(`},
	{"exec", `(?:^|[^.\w$])(?:exec|execfile)\s*\(`},
	{"compile", `(?:^|[^.\w$])compile\s*\(`},
	{"function", `\bnew\s+Function\s*\(|(?:^|[^.\w$])Function\s*\(`},
	{"vm", `\bvm\s*\.\s*(?:runIn\w+|Script|compileFunction)\b`},
	{"require", `\brequire\s*\(\s*[^"'` + "`" + `\s)]`},
	{"import", `\bimport\s*\(\s*[^"'` + "`" + `\s)]|\bimportlib\s*\.\s*import_module\s*\(\s*[^"'\s)]|\b__import__\s*\(`},
	{"getattr", `\bgetattr\s*\(\s*(?:builtins|__builtins__|os|subprocess|sys\.modules\[[^\]]*\])\s*,`},
	{"globals", `\bglobals\s*\(\s*\)\s*\[`},
	{"loads", `\b(?:marshal|pickle)\s*\.\s*loads\s*\(`},
	{"plugin", `\bplugin\.Open\s*\(`},
	{"yaegi", `\byaegi\b`},
}.compile()

// guardedPatterns are regexps each guarded by a lower-case literal.
type guardedPatterns []struct{ guard, pattern string }

type guardedSet []guardedRe

type guardedRe struct {
	guard []byte
	re    *regexp.Regexp
}

func (g guardedPatterns) compile() guardedSet {
	out := make(guardedSet, len(g))
	for i, p := range g {
		out[i] = guardedRe{[]byte(p.guard), regexp.MustCompile(p.pattern)}
	}
	return out
}

// match reports whether text (lower its lower-cased form) matches one of
// the patterns.
func (gs guardedSet) match(text string, lower []byte) bool {
	_, ok := gs.index(text, lower)
	return ok
}

// index returns where the first matching pattern matches text.
func (gs guardedSet) index(text string, lower []byte) ([]int, bool) {
	for _, g := range gs {
		if bytes.Contains(lower, g.guard) {
			if loc := g.re.FindStringIndex(text); loc != nil {
				return loc, true
			}
		}
	}
	return nil, false
}

// MatchString matches text alone (lower-casing it first).
func (gs guardedSet) MatchString(text string) bool { return gs.match(text, appendLower(nil, text)) }

// codeLine is one added line of a code file with what reveal found in it.
type codeLine struct {
	no       int
	text     string // the line as written
	revealed string // the line and what its literals decode to
	lower    []byte // revealed, lower-cased, for the hints
	send     bool   // the line makes a network call
}

// Hints guarding the behaviour regexps: a line containing none of a
// regexp's hints cannot match it, so it is not run.
var (
	envHints       = newHints("env", "process[", "process [", "getattr")
	credHints      = newHints("gcloud", "azure", "terraform", "cargo", "gem/", "vault", "_history", "ssh", "id_", "aws", "npmrc", "pypirc", "netrc", "git-cred", "docker", "gnupg", "gh", "login data", "cookies", "logins", "key3", "key4", "local state", "user data", "mozilla", "application support", "keychain", "-password", "keytar", "secret-tool", "wallet")
	decodeHints    = newHints("atob", "b64", "b32", "a85", "hexlify", "fromhex", "fromcharcode", "decompress", "inflate", "gunzip", "buffer.from", "codecs", "decodestring", "hex.decode", "chr(")
	recipientHints = newHints("cc", "recipient", "forward", "redirect", "to:", "to =", "to=", "\"to\"", "'to'")
)

func (l codeLine) has(h hints) bool { return h.in(l.lower) }

// addedCode returns the new added lines of f that are code, not comments.
func addedCode(f *ranges.FileChange) []codeLine {
	moved := removedSet(f)
	out := make([]codeLine, 0, len(f.AddedLines))
	for _, l := range f.AddedLines {
		t := strings.TrimSpace(l.Text)
		if t == "" || isCommentLine(t) || !moved.novel(l.Text) {
			continue
		}
		if len(l.Text) > 4*longLine {
			continue // minified output: the blob rule owns it
		}
		rv := reveal(l.Text)
		cl := codeLine{no: l.No, text: l.Text, revealed: rv, lower: appendLower(nil, rv)}
		cl.send = networkSend.match(cl.text, appendLower(nil, cl.text))
		out = append(out, cl)
	}
	return out
}

func isCommentLine(t string) bool {
	return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*") ||
		(strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "#!") && !strings.HasPrefix(t, "#include"))
}

// revealedDanger reports a dangerous name that only reveal found: built
// from pieces or decoded, not written as such.
func revealedDanger(l codeLine) bool {
	if l.revealed == l.text {
		return false
	}
	for _, m := range dangerousName.FindAllString(l.revealed[len(l.text):], -1) {
		if !strings.Contains(l.text, m) {
			return true
		}
	}
	return false
}

// isSend reports a network call on the line.
func (l codeLine) isSend() bool { return l.send }

// taintOf returns what a line reads directly.
func taintOf(l codeLine) taint {
	var t taint
	if l.has(envHints) && envWhole.MatchString(l.revealed) || secretNameList.MatchString(l.text) {
		t |= taintEnv
	}
	if l.has(credHints) && credentialPath.MatchString(l.revealed) {
		t |= taintCred
	}
	if l.has(decodeHints) && decodeSource.MatchString(l.text) || revealedDanger(l) {
		t |= taintDecoded
	}
	if l.isSend() && (strings.Contains(l.text, ".text") || strings.Contains(l.text, ".read(") ||
		strings.Contains(l.text, ".json(") || strings.Contains(l.text, ".content") || strings.Contains(l.text, ".data")) {
		t |= taintRemote
	}
	return t
}

// flowFacts are the taint facts of one file's added code.
type flowFacts struct {
	lines []codeLine
	own   []taint          // per line: what it reads directly
	vars  map[string]taint // variables assigned from tainted lines
}

func analyseFlow(lines []codeLine) *flowFacts {
	ff := &flowFacts{lines: lines, own: make([]taint, len(lines)), vars: map[string]taint{}}
	for i, l := range lines {
		ff.own[i] = taintOf(l)
	}
	// Two passes let a value travel through two assignments in any order
	// (a helper defined below its use).
	for range 2 {
		for i, l := range lines {
			t := ff.own[i] | ff.carried(l.text)
			if t == 0 {
				continue
			}
			for _, v := range targetsOf(l.text) {
				ff.vars[v] |= t
			}
		}
	}
	return ff
}

// carried is the taint of the variables a piece of code mentions.
func (ff *flowFacts) carried(text string) taint {
	if len(ff.vars) == 0 {
		return 0
	}
	var t taint
	for _, id := range identifier.FindAllString(text, -1) {
		t |= ff.vars[id]
	}
	return t
}

func targetsOf(text string) []string {
	var out []string
	if m := assignTarget.FindStringSubmatch(text); m != nil {
		out = append(out, m[1])
	}
	if m := tupleTarget.FindStringSubmatch(text); m != nil {
		out = append(out, m[1], m[2])
	}
	if m := forTarget.FindStringSubmatch(text); m != nil {
		out = append(out, m[1])
		if m[2] != "" {
			out = append(out, m[2])
		}
	}
	for _, m := range mergeTarget.FindAllStringSubmatch(text, 4) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// region is the text of the call starting at line i: the line and the
// added lines right after it, up to a few, as a multi-line options object
// spreads over them.
func (ff *flowFacts) region(i int) (text string, own taint) {
	var b strings.Builder
	depth := 0
	if loc, ok := networkSend.index(ff.lines[i].text, appendLower(nil, ff.lines[i].text)); ok {
		depth = parenDepth(ff.lines[i].text[loc[0]:])
	}
	for j := i; j < len(ff.lines) && j < i+8; j++ {
		if j > i && depth <= 0 {
			break
		}
		if j > i && ff.lines[j].no != ff.lines[j-1].no+1 {
			break
		}
		if j > i && ff.lines[j].isSend() {
			break // the next call
		}
		b.WriteString(ff.lines[j].text)
		b.WriteByte('\n')
		own |= ff.own[j]
		if j > i {
			depth += parenDepth(ff.lines[j].text)
		}
	}
	return b.String(), own
}

// insideSend reports whether line idx of a file lies inside the arguments
// of a network call that starts on one of the eight lines before it.
func insideSend(lines []string, idx int) bool {
	if idx <= 0 || idx >= len(lines) {
		return false
	}
	for start := idx - 1; start >= max(0, idx-8); start-- {
		lower := appendLower(nil, lines[start])
		loc, ok := networkSend.index(lines[start], lower)
		if !ok {
			continue
		}
		depth := parenDepth(lines[start][loc[0]:])
		for j := start + 1; j < idx && depth > 0; j++ {
			depth += parenDepth(lines[j])
		}
		return depth > 0
	}
	return false
}

// parenDepth is the count of opening minus closing brackets in s.
func parenDepth(s string) int {
	d := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{', '[':
			d++
		case ')', '}', ']':
			d--
		}
	}
	return d
}

// RuleExfiltration and friends are the behaviour rules' ids.
const (
	RuleExfiltration     = "exfiltration"
	RuleCredentialAccess = "credential-access"
	RuleDynamicExec      = "dynamic-exec"
	RuleHiddenRecipient  = "hidden-recipient"
	RuleExposure         = "exposure"
)

// codeCache keeps the added code lines and their flow facts of one range
// while Review runs the behaviour rules over it: all five read the same
// lines, and revealing and tainting them once is most of their cost.
type codeCache struct {
	mu    sync.Mutex
	files map[*ranges.FileChange]*fileCode
	shell map[*ranges.FileChange]*shellFacts // rule_shell.go
}

type fileCode struct {
	lines []codeLine
	flow  *flowFacts
}

// reviewCaches maps a *ranges.Range under review to its *codeCache.
var reviewCaches sync.Map

// withCodeCache runs fn with a code cache for r.
func withCodeCache(r *ranges.Range, fn func()) {
	reviewCaches.Store(r, &codeCache{files: map[*ranges.FileChange]*fileCode{}})
	defer reviewCaches.Delete(r)
	fn()
}

// codeOf returns the added code of f, from the cache when Review set one up.
func codeOf(r *ranges.Range, f *ranges.FileChange) *fileCode {
	v, ok := reviewCaches.Load(r)
	if !ok {
		return &fileCode{lines: addedCode(f)}
	}
	c := v.(*codeCache)
	c.mu.Lock()
	defer c.mu.Unlock()
	fc := c.files[f]
	if fc == nil {
		fc = &fileCode{lines: addedCode(f)}
		c.files[f] = fc
	}
	return fc
}

// flowOf returns the flow facts of f's added code, computed once.
func (fc *fileCode) flowFacts() *flowFacts {
	if fc.flow == nil {
		fc.flow = analyseFlow(fc.lines)
	}
	return fc.flow
}

// behaviourFiles calls check for each added or modified code file in the
// server's scope. Code outside it (another package of a monorepo) is not
// what the server runs, and its findings could count at most low: the
// behaviour rules skip it, which keeps monorepo ranges fast.
func behaviourFiles(r *ranges.Range, check func(f *ranges.FileChange, fc *fileCode) []Finding) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || !isCode(f.Path) || len(f.AddedLines) == 0 || !inScope(r, f) {
			continue
		}
		fc := codeOf(r, f)
		lines := fc.lines
		if len(lines) == 0 {
			continue
		}
		findings = append(findings, weighBehaviour(r, f, check(f, fc))...)
	}
	return findings
}

// weighBehaviour weighs a behaviour rule's findings in f for where f
// sits; only a finding still critical keeps blocking.
func weighBehaviour(r *ranges.Range, f *ranges.FileChange, fs []Finding) []Finding {
	for j := range fs {
		fs[j].Severity = weighDocs(r, f, fs[j].Severity)
		fs[j].Blocks = fs[j].Blocks && fs[j].Severity == Critical
	}
	return fs
}

func checkExfiltration(r *ranges.Range) []Finding {
	return behaviourFiles(r, func(f *ranges.FileChange, fc *fileCode) []Finding {
		lines, ff := fc.lines, fc.flowFacts()
		var flow, near evidence
		var what taint
		sourceSeen, sendSeen := false, false
		var newLines []string // the new file, split when a source needs it
		for i, l := range lines {
			t := ff.own[i] & (taintEnv | taintCred)
			if t == 0 || spawnEnv.MatchString(l.text) {
				continue
			}
			sourceSeen = true
			// A source added inside a request the diff left unchanged
			// (a new body: line in an existing fetch call).
			if newLines == nil {
				newLines = strings.Split(string(f.New), "\n")
			}
			if insideSend(newLines, l.no-1) {
				flow.addLine(f.Path, l.no)
				what |= t
			}
		}
		for i, l := range lines {
			if !l.isSend() {
				continue
			}
			sendSeen = true
			text, own := ff.region(i)
			if t := (own | ff.carried(text)) & (taintEnv | taintCred); t != 0 {
				flow.addLine(f.Path, l.no)
				what |= t
				continue
			}
			if sourceSeen {
				near.addLine(f.Path, l.no)
			}
		}
		if sourceSeen && !sendSeen && flow.empty() && networkSend.MatchString(string(f.New)) {
			// The requests were there before; the source is new.
			for i, l := range lines {
				if ff.own[i]&(taintEnv|taintCred) != 0 && !spawnEnv.MatchString(l.text) {
					near.addLine(f.Path, l.no)
				}
			}
		}
		switch {
		case !flow.empty():
			return []Finding{{
				Severity: Critical,
				Blocks:   true,
				Title:    "Network request carries " + taintNames(what) + " in " + f.Path,
				Evidence: flow.items,
				Detail: "Added code sends " + taintNames(what) + " (read in this file, directly or through a variable) in a network request: " +
					"this is how a server steals its user's secrets." + flow.note(),
				Recommendation: "Do not merge until the upstream explains it; check which host receives the data.",
			}}
		case !near.empty():
			return []Finding{{
				Severity:       High,
				Title:          "Environment or credential files read next to a network request in " + f.Path,
				Evidence:       near.items,
				Detail:         "Added code in this file reads the whole environment or a credential file and makes network requests; the review could not follow the value, so check by hand that one does not reach the other." + near.note(),
				Recommendation: "Read the file around these lines and follow what the request sends.",
			}}
		}
		return nil
	})
}

func taintNames(t taint) string {
	var parts []string
	if t&taintEnv != 0 {
		parts = append(parts, "the environment")
	}
	if t&taintCred != 0 {
		parts = append(parts, "credential files")
	}
	return strings.Join(parts, " and ")
}

func checkCredentialAccess(r *ranges.Range) []Finding {
	return behaviourFiles(r, func(f *ranges.FileChange, fc *fileCode) []Finding {
		return codeLineFindings(f, fc.lines, func(l codeLine) bool {
			return l.has(credHints) && credentialPath.MatchString(l.revealed) && !seenBefore(f, strings.TrimSpace(l.text))
		}, Finding{
			Severity:       High,
			Title:          "Code reads credential stores in " + f.Path,
			Detail:         "Added code names SSH keys, cloud or package-registry credentials, Docker auth, keychains or browser profiles.",
			Recommendation: "An MCP server has rarely any reason to open these; find out what is read and where it goes.",
		})
	})
}

// codeLineFindings reports the lines of f that match as one finding built
// from tmpl (the caller weighs it).
func codeLineFindings(f *ranges.FileChange, lines []codeLine, match func(codeLine) bool, tmpl Finding) []Finding {
	var ev evidence
	for _, l := range lines {
		if match(l) {
			ev.addLine(f.Path, l.no)
		}
	}
	return ev.finding(tmpl)
}

func checkDynamicExec(r *ranges.Range) []Finding {
	return behaviourFiles(r, func(f *ranges.FileChange, fc *fileCode) []Finding {
		lines, ff := fc.lines, fc.flowFacts()
		js := isJSLike(f.Path)
		var hidden, plain evidence
		for i, l := range lines {
			computedName := revealedDanger(l)
			dyn := dynamicExec.match(l.revealed, l.lower)
			if js && dyn && !jsDynamic(l.revealed) {
				dyn = false // exec( in JavaScript is child_process, reported as process execution
			}
			proc := l.has(processExecHints) && processExec.MatchString(l.text)
			carried := ff.own[i] | ff.carried(l.text)
			switch {
			case computedName, dyn && carried&(taintDecoded|taintRemote) != 0, proc && carried&taintDecoded != 0,
				dyn && strongDynamic.MatchString(l.revealed):
				hidden.addLine(f.Path, l.no)
			case dyn && !literalArgument.MatchString(l.text):
				plain.addLine(f.Path, l.no)
			}
		}
		out := hidden.finding(Finding{
			Severity: High,
			Title:    "Code runs decoded, downloaded or computed code in " + f.Path,
			Detail: "Added code evaluates or imports something whose name or text is decoded, fetched or assembled at run time " +
				"(eval/exec/Function, getattr on builtins, computed imports): what runs is not what the diff shows.",
			Recommendation: "Decode or compute the value by hand and read what runs; ask for plain source.",
		})
		return append(out, plain.finding(Finding{
			Severity:       Medium,
			Title:          "Dynamic code execution in " + f.Path,
			Detail:         "Added code evaluates a string or imports a module chosen at run time.",
			Recommendation: "Check that no tool input or remote data reaches it.",
		})...)
	})
}

var (
	strongDynamic   = regexp.MustCompile(`\bgetattr\s*\(\s*(?:builtins|__builtins__)|\bglobals\s*\(\s*\)\s*\[|\b(?:marshal|pickle)\s*\.\s*loads|\b__import__\s*\(\s*[^"'\s)]`)
	literalArgument = regexp.MustCompile(`(?:eval|exec|compile|Function|require|import|import_module|__import__)\s*\(\s*["'` + "`" + `][^"'` + "`" + `+$]*["'` + "`" + `]\s*[,)]`)
	jsDynamicCall   = regexp.MustCompile(`(?:^|[^.\w$])eval\s*\(|\bnew\s+Function\s*\(|(?:^|[^.\w$])Function\s*\(|\bvm\s*\.|\brequire\s*\(\s*[^"'` + "`" + `\s)]|\bimport\s*\(\s*[^"'` + "`" + `\s)]`)
)

func jsDynamic(s string) bool { return jsDynamicCall.MatchString(s) }

func isJSLike(p string) bool {
	switch strings.ToLower(p[strings.LastIndexByte(p, '.')+1:]) {
	case "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx":
		return true
	}
	return false
}

var (
	// recipientField is a hidden or extra recipient being set.
	recipientField = regexp.MustCompile(`(?i)(?:^|[^\w])(bcc|cc|to|recipients?|forward_?to|auto_?forward|redirect_?to_?email)["']?\s*(?:\]\s*)?[:=]\s*|["'](bcc|cc)["']\s*,\s*`)
	// parameterRoot names values that come from the tool call or the
	// operator's configuration rather than from the code.
	parameterRoot = regexp.MustCompile(`^(?:args|arguments|params|parameters|input|inputs|request|req|body|kwargs|options|opts|props|data|payload|message|msg|email|mail|draft|tool_?input|ctx|cfg|config|settings)\b|` +
		`process\.env|os\.environ|getenv|os\.Getenv|^(?:undefined|null|None|nil|\[\]|\{\}|""|''|\[\s*\]|false|False)\b`)
	emailLiteral = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+`)
	mailDomain   = regexp.MustCompile(`["'` + "`" + `}]@[A-Za-z0-9-]+\.[A-Za-z]{2,}`)
	atJoin       = regexp.MustCompile(`["'` + "`" + `]@["'` + "`" + `]`)
	parameterUse = regexp.MustCompile(`\b(?:args|arguments|params|input|request|req|body|kwargs|options|opts)\s*[.\[]|\.\.\.\s*\w|\*\w`)
)

func checkHiddenRecipient(r *ranges.Range) []Finding {
	return behaviourFiles(r, func(f *ranges.FileChange, fc *fileCode) []Finding {
		lines := fc.lines
		var ev evidence
		for _, l := range lines {
			if !l.has(recipientHints) {
				continue
			}
			// Each field's value runs up to the next field on the line.
			ms := recipientField.FindAllStringSubmatchIndex(l.text, 8)
			for k, m := range ms {
				end := len(l.text)
				if k+1 < len(ms) {
					end = ms[k+1][0]
				}
				field := l.text[max(m[2], m[4]):max(m[3], m[5])]
				if hiddenRecipientValue(f, field, strings.TrimSpace(l.text[m[1]:end])) {
					ev.addLine(f.Path, l.no)
					break
				}
			}
		}
		if ev.empty() {
			return nil
		}
		return []Finding{{
			Severity: High,
			Title:    "Hidden or extra email recipient set in code in " + f.Path,
			Evidence: ev.items,
			Detail: "Added code sets a BCC, CC or forwarding address to a value the code itself supplies (a constant, or one " +
				"assembled or decoded at run time) rather than to the tool's parameters: every message can be copied to someone." + ev.note(),
			Recommendation: "Find out who the address is; recipients must come from the user's request only.",
		}}
	})
}

// hiddenRecipientValue reports a recipient value the code supplies: an
// address written, assembled or decoded in the code, directly or through
// a variable assigned in the new file. For "to" fields only an address
// added next to the caller's own recipients counts.
func hiddenRecipientValue(f *ranges.FileChange, field, value string) bool {
	value = strings.TrimRight(value, ",;) ")
	lf := strings.ToLower(field)
	if lf == "to" || strings.HasPrefix(lf, "recipient") {
		return parameterUse.MatchString(value) && codeAddress(value)
	}
	if value == "" || parameterRoot.MatchString(value) {
		return false
	}
	if codeAddress(value) {
		return true
	}
	name := identifier.FindString(value)
	if name == "" || strings.EqualFold(name, field) || !strings.HasPrefix(value, name) {
		return false // bcc: bcc, the parameter of the same name
	}
	def := regexp.MustCompile(`(?m)\b` + regexp.QuoteMeta(name) + `\s*(?::[^=\n]{1,40})?\s*:?=\s*(.+)$`).FindSubmatch(f.New)
	if def == nil {
		return false
	}
	rhs := strings.TrimSpace(string(def[1]))
	return !parameterRoot.MatchString(rhs) && codeAddress(rhs)
}

// codeAddress reports an email address or mail domain the code spells
// out, possibly in pieces or encoded.
func codeAddress(value string) bool {
	v := reveal(value)
	if emailLiteral.MatchString(v) || mailDomain.MatchString(v) || decodeSource.MatchString(value) {
		return true
	}
	// "['ops', 'corp.io'].join('@')" and "user + '@' + host".
	return atJoin.MatchString(value)
}

var (
	exposure = regexp.MustCompile(`(?i)access-control-allow-origin["']?\s*[,:]\s*["']\*|\borigins?\s*[:=]\s*(?:\[\s*)?["']\*["']|allow_origins\s*=\s*\[\s*["']\*|AllowedOrigins\s*:\s*\[\]string\{\s*"\*"|` +
		`\bcors\s*\(\s*\)|` +
		`(?:host|hostname|addr|address|bind)\s*[:=]\s*["']0\.0\.0\.0|["']0\.0\.0\.0:?\d*["']|` +
		`\b(?:no_?auth|skip_?auth|disable_?auth\w*|auth_?disabled|bypass_?auth\w*|allow_?anonymous|insecure_?skip_?verify)\b\s*[:=]\s*(?:true|True|1|["']?true)|` +
		`\b(?:skipAuth|disableAuth|noAuth|bypassAuth|allowAnonymous|InsecureSkipVerify)\b\s*[:=]\s*(?:true|True)|rejectUnauthorized\s*:\s*false|\bverify\s*=\s*False\b|NODE_TLS_REJECT_UNAUTHORIZED|--no-auth\b|--disable-auth\b`)
	exposureHints = newHints("access-control", "origin", "cors", "0.0.0.0", "auth", "verify", "reject", "node_tls")
)

func checkExposure(r *ranges.Range) []Finding {
	return behaviourFiles(r, func(f *ranges.FileChange, fc *fileCode) []Finding {
		return codeLineFindings(f, fc.lines, func(l codeLine) bool {
			return l.has(exposureHints) && exposure.MatchString(l.text)
		}, Finding{
			Severity:       Medium,
			Title:          "Server opened up: wildcard CORS, all-interface listener or authentication/TLS checks off in " + f.Path,
			Detail:         "Added code lets any web page or host reach the server, or turns off an authentication or certificate check.",
			Recommendation: "Check that this is opt-in and documented; a local MCP server should listen on loopback only.",
		})
	})
}
