package review

import (
	"path"
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Shell behaviour: the behaviour rules' three questions asked of shell
// scripts in scope and of Dockerfile RUN instructions (shellread.go cuts
// them into statements). A statement reading the environment, a
// credential file or a secret-named variable taints the variables and
// files it writes; a sender (curl/wget, nc, socat, /dev/tcp, ssh, DNS
// look-ups, mail) whose statement carries taint is a flow; an eval, a
// source, an interpreter's -c or a pipe into a shell fed from a download
// or a decoder is dynamic execution. curl | sh in build scripts and
// Dockerfiles stays install-hook's.

const (
	taintSecretVar taint = 1 << 5 // a secret-named variable: $GITHUB_TOKEN, ${AWS_SECRET_ACCESS_KEY}
	taintAdded     taint = 1 << 6 // written by a new added line
)

// shellCmd matches the command word at a command position: the start of
// a statement or pipeline stage, a substitution, a group, or a -c string,
// after keywords, wrappers and assignments.
var shellCmd = regexp.MustCompile(`(?:^|[|(` + "`" + `{!]|\$\(|<\(|-c\s+["'])\s*(?:(?:if|then|do|else|elif|while|until|exec|sudo|nohup|command|time|xargs|env|timeout\s+\S+)(?:\s+-\S+)*\s+)*(?:[A-Za-z_]\w*=\S*\s+)*(?:\S*/)?([A-Za-z0-9_.\[-]+)`)

var (
	// shellEnvDump prints the whole environment or reads another process's.
	shellEnvDump = regexp.MustCompile(`(?:^|[|(` + "`" + `{!]|\$\(|<\()\s*(?:(?:env|printenv)(?:\s+-0)?|export\s+-p|declare\s+-[a-z]*[px][a-z]*|compgen\s+-[ev])\s*(?:$|[|;&)>` + "`" + `}"])|` +
		`(?:^|[|(` + "`" + `{!]|\$\(|<\()\s*set\s*[|>]|/proc/[^/\s]+/environ\b`)
	// shellDotenv reads a dotenv file.
	shellDotenv = regexp.MustCompile(`(?:\bcat|\bsource|^\.|<)\s+["']?(?:\S*/)?\.env(?:\.[a-z]+)?(?:$|[\s"'|;)])`)
	// shellVarRef is a variable reference: $NAME or ${NAME…}.
	shellVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	// secretVarName names a variable holding a secret.
	secretVarName = regexp.MustCompile(`^[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)[A-Z0-9_]*$|^[A-Z0-9_]+_(?:KEY|PASS|PAT)(?:_[A-Z0-9_]+)?$`)
	// shellAuthOption is a credential handed to the request's own host as
	// authentication (a header, basic auth): the common legitimate use.
	shellAuthOption = regexp.MustCompile(`(?:\s-H|--header[= ]|\s-u|--user[= ]|--oauth2-bearer[= ]|--proxy-user[= ]|--(?:http-)?password[= ])\s*(?:"[^"]*"|'[^']*'|\S+)`)
	// shellRedirectOut is an output redirection and its target.
	shellRedirectOut = regexp.MustCompile(`(?:^|[^<&0-9])[0-9]?>>?\|?\s*["']?([^\s;&|<>"')]+)`)
	shellTee         = regexp.MustCompile(`\btee\s+(?:-\S+\s+)*["']?([^\s;&|<>"')]+)`)
	shellDownloadTo  = regexp.MustCompile(`(?:\s-[a-zA-Z]*[oO]\s*|\s--output[= ]|--output-document[= ])["']?([^\s;&|<>"')-][^\s;&|<>"')]*)`)
	shellAssign      = regexp.MustCompile(`^(?:(?:export|local|readonly|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)\+?=`)
	shellReadVar     = regexp.MustCompile(`\bread\s+(?:-\S+\s+)*([A-Za-z_]\w*)|^for\s+([A-Za-z_]\w*)\s+in\b`)
	// shellDecode decodes base64 or hex, or prints escaped bytes.
	shellDecode = regexp.MustCompile(`\bbase64\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b|\bxxd\s+(?:-\S+\s+)*-r|\bopenssl\s+(?:enc|base64)\b[^|;&]*\s-d\b|\bprintf\s+["']?(?:%b\s+["']?)?\\(?:x[0-9a-fA-F]{2}|[0-7]{3})|\$'(?:\\x[0-9a-fA-F]{2}){3}`)
	// shellChecksum verifies a download.
	shellChecksum = regexp.MustCompile(`\b(?:sha(?:1|224|256|384|512)sum|shasum|md5sum|b2sum)\b[^;&]*(?:\s-c\b|--check\b|\bgrep\b)|\bgpg\s+(?:--\S+\s+)*--verify\b|\bcosign\s+verify|\bminisign\s+-V`)
	// shellLocalHost is a loopback or wildcard address.
	shellLocalHost = regexp.MustCompile(`\blocalhost\b|\b127\.0\.0\.1\b|\[::1\]|\b0\.0\.0\.0\b`)
	shellURLHost   = regexp.MustCompile(`://([^/\s"':?#]+)`)
	// shellDNSBuilt is a name with a variable or substitution as a label
	// of a literal domain: $(…).x.example.net.
	shellDNSBuilt = regexp.MustCompile(`(?:\$\{?\w+\}?|\$\([^)]*\)|` + "`[^`]*`" + `)["']?\.[A-Za-z0-9-]+\.[A-Za-z]{2,}`)
	// shellRunStdin is a pipe into an interpreter reading its program
	// from the pipe (no script argument).
	shellRunStdin = regexp.MustCompile(`\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*/)?(?:(?:ba|z|da|k|a)?sh|python[0-9.]*|node|perl|ruby|php)(?:\s+-[^\s|]*)*(?:\s+--(?:\s[^|]*)?)?\s*(?:$|\|)`)
	// shellRunArg is an interpreter given its program as -c/-e text or a
	// process substitution.
	shellRunArg = regexp.MustCompile(`(?:^|[\s;&|(])(?:(?:ba|z|da|k|a)?sh|python[0-9.]*|node|perl|ruby|php)\s+(?:-\w+\s+)*-[ce]\s+["']?(?:\$|` + "`" + `)|(?:^|[\s;&|(])(?:source|\.|(?:ba|z|da|k|a)?sh|python[0-9.]*|node|perl|ruby)\s+<\(`)
)

var (
	shellSenders = map[string]bool{"curl": true, "wget": true, "nc": true, "ncat": true, "netcat": true, "socat": true, "telnet": true,
		"ssh": true, "scp": true, "sftp": true, "ftp": true, "tftp": true, "mail": true, "mailx": true, "sendmail": true, "mutt": true}
	shellResolvers = map[string]bool{"dig": true, "nslookup": true, "host": true, "drill": true}
	shellFetchers  = map[string]bool{"curl": true, "wget": true}
	// shellNoRead are commands that name a credential path without reading it.
	shellNoRead = map[string]bool{"mkdir": true, "chmod": true, "chown": true, "touch": true, "rm": true, "ln": true,
		"ssh-keyscan": true, "ssh-keygen": true, "test": true, "[": true, "[[": true, "echo": true, "printf": true, "install": true}
	shellInterpreters = map[string]bool{"sh": true, "bash": true, "zsh": true, "dash": true, "ksh": true, "ash": true, "source": true, ".": true,
		"python": true, "python3": true, "node": true, "perl": true, "ruby": true, "php": true}
)

// shellFacts are the taint facts of one file's statements.
type shellFacts struct {
	stmts    []shellStmt
	cmds     [][]string // per statement: its command words
	in       []taint    // per statement: what it reads, directly or through a variable or file
	files    map[string]taint
	verified map[int]bool // units with a checksum verification
}

// analyseShell computes the taint facts of stmts.
func analyseShell(stmts []shellStmt) *shellFacts {
	sf := &shellFacts{stmts: stmts, cmds: make([][]string, len(stmts)), in: make([]taint, len(stmts)),
		files: map[string]taint{}, verified: map[int]bool{}}
	own := make([]taint, len(stmts))
	vars := map[string]taint{}
	for i, s := range stmts {
		for _, m := range shellCmd.FindAllStringSubmatch(s.text, -1) {
			sf.cmds[i] = append(sf.cmds[i], m[1])
		}
		own[i] = shellTaintOf(s.text, sf.cmds[i])
		if s.added {
			own[i] |= taintAdded
		}
		if shellChecksum.MatchString(s.text) {
			sf.verified[s.unit] = true
		}
	}
	// Two passes let a value travel through two assignments in any order.
	for range 2 {
		for i, s := range stmts {
			sent := shellAuthOption.ReplaceAllString(s.text, " ")
			t := own[i]
			for _, m := range shellVarRef.FindAllStringSubmatch(sent, -1) {
				t |= vars[m[1]]
			}
			for name, ft := range sf.files {
				if strings.Contains(s.text, name) && !isTargetOnly(s.text, name) {
					t |= ft
				}
			}
			sf.in[i] = t
			if t&^taintAdded == 0 {
				continue
			}
			if m := shellAssign.FindStringSubmatch(s.text); m != nil {
				vars[m[1]] |= t
			}
			if m := shellReadVar.FindStringSubmatch(s.text); m != nil {
				vars[m[1]+m[2]] |= t
			}
			if len(sf.files) < 64 {
				for _, re := range []*regexp.Regexp{shellRedirectOut, shellTee, shellDownloadTo} {
					for _, m := range re.FindAllStringSubmatch(s.text, 4) {
						if !strings.HasPrefix(m[1], "/dev/") && !strings.HasPrefix(m[1], "&") && !strings.Contains(m[1], "://") {
							sf.files[m[1]] |= t
						}
					}
				}
			}
		}
	}
	return sf
}

// isTargetOnly reports a file named in a statement only as where its
// output goes.
func isTargetOnly(text, name string) bool {
	rest := shellRedirectOut.ReplaceAllString(text, " ")
	rest = shellDownloadTo.ReplaceAllString(rest, " ")
	return !strings.Contains(rest, name)
}

// shellTaintOf is what a statement reads directly.
func shellTaintOf(text string, cmds []string) taint {
	var t taint
	if shellEnvDump.MatchString(text) || shellDotenv.MatchString(text) {
		t |= taintEnv
	}
	if shellReadsCredential(text, cmds) {
		t |= taintCred
	}
	for _, m := range shellVarRef.FindAllStringSubmatch(shellAuthOption.ReplaceAllString(text, " "), -1) {
		if secretVarName.MatchString(m[1]) {
			t |= taintSecretVar
			break
		}
	}
	if shellDecode.MatchString(text) {
		t |= taintDecoded
	}
	for _, c := range cmds {
		if shellFetchers[c] {
			t |= taintRemote
		}
	}
	return t
}

// shellReadsCredential reports a statement reading a credential store:
// the shared credential paths, named other than as an output target or
// by a command that only creates or tests them.
func shellReadsCredential(text string, cmds []string) bool {
	lower := appendLower(nil, text)
	if !credHints.in(lower) {
		return false
	}
	if len(cmds) > 0 && shellNoRead[cmds[0]] && len(cmds) == 1 {
		return false
	}
	return credentialPath.MatchString(shellRedirectOut.ReplaceAllString(text, " "))
}

// sends reports a statement that can carry data off the machine, and
// whether it is a DNS look-up.
func (sf *shellFacts) sends(i int) (send, dns bool) {
	for _, c := range sf.cmds[i] {
		if shellSenders[c] {
			send = true
		}
		if shellResolvers[c] {
			dns = true
		}
	}
	text := sf.stmts[i].text
	if strings.Contains(text, "/dev/tcp/") || strings.Contains(text, "/dev/udp/") {
		send = true
	}
	return send, dns
}

// localOnly reports a statement whose only destinations are loopback
// URLs. Senders that take no URL (nc, socat, /dev/tcp, ssh, dig) are never
// local by this test: a "localhost" elsewhere on the line says nothing of
// where they send.
func localOnly(text string) bool {
	hosts := shellURLHost.FindAllStringSubmatch(text, -1)
	if len(hosts) == 0 {
		return false
	}
	for _, m := range hosts {
		if !shellLocalHost.MatchString(m[1]) {
			return false
		}
	}
	return true
}

// runsRemote reports a statement running downloaded or decoded code.
func (sf *shellFacts) runsRemote(i int) bool {
	s, t := sf.stmts[i], sf.in[i]
	if t&(taintRemote|taintDecoded) == 0 {
		return false
	}
	cmds := sf.cmds[i]
	if shellRunArg.MatchString(s.text) || shellRunStdin.MatchString(s.text) {
		return true
	}
	for _, c := range cmds {
		if c == "eval" {
			return true
		}
	}
	if sf.verified[s.unit] {
		return false
	}
	// A file written from a download or a decoder, then run.
	for name, ft := range sf.files {
		if ft&(taintRemote|taintDecoded) == 0 || !strings.Contains(s.text, name) || isTargetOnly(s.text, name) {
			continue
		}
		base := path.Base(name)
		for _, c := range cmds {
			if c == base || shellInterpreters[c] && shellRunsFile(s.text, name) {
				return true
			}
		}
	}
	return false
}

// shellRunsFile reports an interpreter given name as its script.
func shellRunsFile(text, name string) bool {
	i := strings.Index(text, name)
	before := strings.Fields(text[:i])
	for j := len(before) - 1; j >= 0; j-- {
		w := strings.Trim(before[j], `"'`)
		if strings.HasPrefix(w, "-") {
			continue
		}
		return shellInterpreters[path.Base(w)]
	}
	return false
}

// shellFiles calls check with the statements of each shell script and
// Dockerfile in the server's scope that the range adds to.
func shellFiles(r *ranges.Range, check func(f *ranges.FileChange, sf *shellFacts) []Finding) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || f.New == nil || len(f.AddedLines) == 0 {
			continue
		}
		sf := shellOf(r, f)
		if sf == nil || len(sf.stmts) == 0 {
			continue
		}
		findings = append(findings, weighBehaviour(r, f, check(f, sf))...)
	}
	return findings
}

// shellStatementsOf returns the statements of f, or nil when f is neither
// a shell script nor a Dockerfile, or lies outside the server's scope.
func shellStatementsOf(r *ranges.Range, f *ranges.FileChange) []shellStmt {
	dockerfile := isDockerfile(f.Path)
	if !dockerfile && !isShellScript(f) || !inScope(r, f) {
		return nil
	}
	added := addedSet(f)
	if len(added) == 0 {
		return nil
	}
	if dockerfile {
		return runStatements(f.New, added)
	}
	return scriptStatements(f.New, added)
}

func checkShellExfiltration(r *ranges.Range) []Finding {
	return shellFiles(r, func(f *ranges.FileChange, sf *shellFacts) []Finding {
		var files, secrets evidence
		var what taint
		for i, s := range sf.stmts {
			t := sf.in[i]
			if t&taintAdded == 0 || t&(taintEnv|taintCred|taintSecretVar) == 0 && !shellDNSBuilt.MatchString(s.text) {
				continue
			}
			send, dns := sf.sends(i)
			if !send && !dns || localOnly(s.text) {
				continue
			}
			if !send && t&(taintEnv|taintCred|taintSecretVar) == 0 && !shellDNSBuilt.MatchString(s.text) {
				continue
			}
			if t&(taintEnv|taintCred) != 0 {
				files.addLine(f.Path, s.no)
				what |= t
			} else {
				secrets.addLine(f.Path, s.no)
			}
		}
		where := shellWhere(f)
		out := files.finding(Finding{
			Severity: Critical,
			Blocks:   true,
			Title:    where + " sends " + taintNames(what) + " off the machine: " + f.Path,
			Detail: "Added shell commands send " + taintNames(what) + " (read in the same command, or through a variable or a file written earlier) " +
				"with curl/wget, nc, socat, /dev/tcp, ssh or DNS look-ups: this is how an image steals its user's secrets.",
			Recommendation: "Do not merge until the upstream explains it; check which host receives the data.",
		})
		return append(out, secrets.finding(Finding{
			Severity: High,
			Title:    where + " sends a secret variable or builds a DNS name from data: " + f.Path,
			Detail: "Added shell commands put a secret-named variable ($…TOKEN, $…KEY, $…SECRET) in a request's data or address, " +
				"or look up a name built from a variable (DNS exfiltration); authentication headers are not counted.",
			Recommendation: "Check which host receives the value and that the user configured that host.",
		})...)
	})
}

func checkShellCredentialAccess(r *ranges.Range) []Finding {
	return shellFiles(r, func(f *ranges.FileChange, sf *shellFacts) []Finding {
		var ev evidence
		for i, s := range sf.stmts {
			if s.added && shellReadsCredential(s.text, sf.cmds[i]) && !seenBefore(f, s.text) {
				ev.addLine(f.Path, s.no)
			}
		}
		return ev.finding(Finding{
			Severity:       High,
			Title:          shellWhere(f) + " reads credential stores: " + f.Path,
			Detail:         "Added shell commands read SSH keys, cloud or package-registry credentials, Docker auth or keychains.",
			Recommendation: "An MCP server's image has rarely any reason to open these; find out what is read and where it goes.",
		})
	})
}

func checkShellDynamicExec(r *ranges.Range) []Finding {
	return shellFiles(r, func(f *ranges.FileChange, sf *shellFacts) []Finding {
		installHookOwns := isBuildScript(f.Path)
		var ev evidence
		for i, s := range sf.stmts {
			if sf.in[i]&taintAdded == 0 || !sf.runsRemote(i) {
				continue
			}
			if installHookOwns && pipeToShell.MatchString(s.text) {
				continue // curl | sh: install-hook reports it
			}
			ev.addLine(f.Path, s.no)
		}
		return ev.finding(Finding{
			Severity: High,
			Title:    shellWhere(f) + " runs downloaded or decoded code: " + f.Path,
			Detail: "Added shell commands run what a download or a decoder produced (eval, source <(…), an interpreter's -c, " +
				"a pipe into a shell, or a fetched file run without a checksum): what runs is not in the diff.",
			Recommendation: "Fetch or decode the payload by hand and read it; ask for a pinned, verified download or vendored code.",
		})
	})
}

// shellMailCopy is a copy recipient a mail command is given as a literal
// address: mail -b/-c, curl --mail-rcpt, a Bcc:/Cc: header line.
var shellMailCopy = regexp.MustCompile(`(?i)(?:\s-[bc]\s*|--mail-rcpt[= ]|(?:\\n|[^a-z]|^)(?:bcc|cc):\s*)["']?[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+`)

var shellMailers = map[string]bool{"mail": true, "mailx": true, "sendmail": true, "mutt": true, "msmtp": true, "curl": true, "swaks": true}

func checkShellHiddenRecipient(r *ranges.Range) []Finding {
	return shellFiles(r, func(f *ranges.FileChange, sf *shellFacts) []Finding {
		var ev evidence
		for i, s := range sf.stmts {
			if !s.added || !shellMailCopy.MatchString(s.text) {
				continue
			}
			for _, c := range sf.cmds[i] {
				if shellMailers[c] {
					ev.addLine(f.Path, s.no)
					break
				}
			}
		}
		return ev.finding(Finding{
			Severity:       High,
			Title:          shellWhere(f) + " copies mail to a fixed address: " + f.Path,
			Detail:         "Added shell commands send mail with a BCC/CC or extra SMTP recipient written into the script: every message can be copied to someone.",
			Recommendation: "Find out who the address is; recipients must come from the user's request only.",
		})
	})
}

// shellWhere names what holds the commands, for a finding's title.
func shellWhere(f *ranges.FileChange) string {
	if isDockerfile(f.Path) {
		return "A Dockerfile RUN instruction"
	}
	return "A shell script"
}

// withShell runs a code rule and its shell counterpart as one rule.
func withShell(code, shell func(*ranges.Range) []Finding) func(*ranges.Range) []Finding {
	return func(r *ranges.Range) []Finding { return append(code(r), shell(r)...) }
}

// shellOf returns the shell facts of f (nil for other files), from the
// review's cache when Review set one up: three rules read them.
func shellOf(r *ranges.Range, f *ranges.FileChange) *shellFacts {
	v, ok := reviewCaches.Load(r)
	if !ok {
		return newShellFacts(r, f)
	}
	c := v.(*codeCache)
	c.mu.Lock()
	defer c.mu.Unlock()
	if sf, ok := c.shell[f]; ok {
		return sf
	}
	if c.shell == nil {
		c.shell = map[*ranges.FileChange]*shellFacts{}
	}
	sf := newShellFacts(r, f)
	c.shell[f] = sf
	return sf
}

func newShellFacts(r *ranges.Range, f *ranges.FileChange) *shellFacts {
	stmts := shellStatementsOf(r, f)
	if len(stmts) == 0 {
		return nil
	}
	return analyseShell(stmts)
}
