package review

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// The MCP tool surface: what the server offers the model. Tools are found
// by the registration patterns of the official SDKs (TypeScript
// server.tool / registerTool and tool lists with inputSchema, Python
// FastMCP @mcp.tool and Tool(...), Go mcp.NewTool), in the old and new
// contents of the changed files in scope, and compared by name.

// Capability is something a tool's code does that a reviewer weighs.
type Capability string

const (
	CapFiles       Capability = "reads or writes files"
	CapProcesses   Capability = "runs processes"
	CapNetwork     Capability = "sends network requests"
	CapCredentials Capability = "touches credentials or the environment"
)

// ToolChangeKind says how a tool changed.
type ToolChangeKind string

const (
	ToolAdded   ToolChangeKind = "added"
	ToolRemoved ToolChangeKind = "removed"
	ToolChanged ToolChangeKind = "changed"
)

// ToolChange is one tool added, removed or changed between Base and Head.
type ToolChange struct {
	Kind           ToolChangeKind `json:"kind"`
	Name           string         `json:"name"`
	Location       string         `json:"location"` // path:line in the new file (old for removals)
	OldDescription string         `json:"old_description,omitempty"`
	NewDescription string         `json:"new_description,omitempty"`
	AddedParams    []string       `json:"added_params,omitempty"`
	RemovedParams  []string       `json:"removed_params,omitempty"`
	// NewCapabilities are what the tool's code does now and did not before.
	NewCapabilities []Capability `json:"new_capabilities,omitempty"`
}

// tool is one registration found in a file.
type tool struct {
	name, description, location string
	params                      []string
	caps                        []Capability
}

var (
	tsToolCall   = regexp.MustCompile(`\.(?:tool|registerTool)\s*\(\s*`)
	tsToolList   = regexp.MustCompile(`\bname\s*:\s*["'` + "`" + `]([\w.-]+)["'` + "`" + `]\s*,`)
	pyToolDeco   = regexp.MustCompile(`@[\w.]*\btool\b\s*(\([^)]*\))?\s*\n(?:\s*@[^\n]*\n)*\s*(?:async\s+)?def\s+(\w+)\s*\(([^)]*)\)[^:]*:`)
	pyToolCtor   = regexp.MustCompile(`\bTool\s*\(\s*name\s*=\s*["']([\w.-]+)["']`)
	goNewTool    = regexp.MustCompile(`\bmcp\.NewTool\s*\(\s*"([\w.-]+)"`)
	descKey      = regexp.MustCompile(`\bdescription\s*[:=]\s*|\bWithDescription\s*\(\s*`)
	zodParam     = regexp.MustCompile(`\b(\w+)\s*:\s*z\s*\.`)
	schemaParam  = regexp.MustCompile(`["']?(\w+)["']?\s*:\s*\{\s*["']?type["']?\s*:`)
	goParam      = regexp.MustCompile(`\bmcp\.With(?:String|Number|Boolean|Array|Object|Integer)\s*\(\s*"(\w+)"`)
	pyParamName  = regexp.MustCompile(`(?:^|,)\s*\*{0,2}(\w+)`)
	fileAccess   = regexp.MustCompile(`\b(?:readFile\w*|writeFile\w*|createReadStream|createWriteStream|readdir\w*|unlink\w*|rmSync|rm\s*\(|open\s*\(|os\.(?:ReadFile|WriteFile|Open|Create|Remove\w*|ReadDir)|Path\s*\(|shutil\.|pathlib)`)
	toolNameText = regexp.MustCompile(`^[\w.-]{1,80}$`)
)

// toolsIn returns the tools registered in content, keyed by name.
func toolsIn(p string, content []byte) map[string]tool {
	if len(content) == 0 || !isCode(p) {
		return nil
	}
	s := string(content)
	type start struct {
		at   int
		name string
		desc string
		par  []string
	}
	var starts []start
	switch {
	case isJSLike(p) && (strings.Contains(s, "tool(") || strings.Contains(s, "Tool(") || strings.Contains(s, "inputSchema")):
		for _, loc := range tsToolCall.FindAllStringIndex(s, -1) {
			name, rest, ok := stringLiteral(s[loc[1]:])
			if !ok {
				continue
			}
			st := start{at: loc[0], name: name}
			after := strings.TrimLeft(rest, " \t\r\n,")
			if d, _, ok := stringLiteral(after); ok {
				st.desc = d
			}
			starts = append(starts, st)
		}
		for _, m := range tsToolList.FindAllStringSubmatchIndex(s, -1) {
			window := s[m[0]:min(len(s), m[0]+2000)]
			if !strings.Contains(window, "inputSchema") && !strings.Contains(window, "input_schema") {
				continue
			}
			starts = append(starts, start{at: m[0], name: s[m[2]:m[3]]})
		}
	case strings.HasSuffix(p, ".py") && (strings.Contains(s, "tool") || strings.Contains(s, "Tool(")):
		for _, m := range pyToolDeco.FindAllStringSubmatchIndex(s, -1) {
			st := start{at: m[0], name: s[m[4]:m[5]]}
			if m[2] >= 0 {
				if n := regexp.MustCompile(`name\s*=\s*["']([\w.-]+)["']`).FindStringSubmatch(s[m[2]:m[3]]); n != nil {
					st.name = n[1]
				}
			}
			for _, pm := range pyParamName.FindAllStringSubmatch(s[m[6]:m[7]], -1) {
				if pm[1] != "self" && pm[1] != "ctx" && pm[1] != "context" {
					st.par = append(st.par, pm[1])
				}
			}
			if d, _, ok := stringLiteral(strings.TrimLeft(s[m[1]:], " \t\r\n")); ok {
				st.desc = d
			}
			starts = append(starts, st)
		}
		for _, m := range pyToolCtor.FindAllStringSubmatchIndex(s, -1) {
			starts = append(starts, start{at: m[0], name: s[m[2]:m[3]]})
		}
	case strings.HasSuffix(p, ".go") && strings.Contains(s, "NewTool"):
		for _, m := range goNewTool.FindAllStringSubmatchIndex(s, -1) {
			starts = append(starts, start{at: m[0], name: s[m[2]:m[3]]})
		}
	}
	if len(starts) == 0 {
		return nil
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].at < starts[j].at })
	out := make(map[string]tool, len(starts))
	for i, st := range starts {
		if !toolNameText.MatchString(st.name) {
			continue
		}
		end := len(s)
		if i+1 < len(starts) {
			end = starts[i+1].at
		}
		end = min(end, st.at+20000)
		body := s[st.at:end]
		t := tool{name: st.name, description: st.desc, params: st.par,
			location: p + ":" + strconv.Itoa(strings.Count(s[:st.at], "\n")+1)}
		if t.description == "" {
			if loc := descKey.FindStringIndex(body); loc != nil && loc[0] < 3000 {
				t.description, _, _ = stringLiteral(body[loc[1]:])
			}
		}
		if t.params == nil {
			for _, re := range []*regexp.Regexp{zodParam, goParam, schemaParam} {
				for _, m := range re.FindAllStringSubmatch(body, 64) {
					t.params = appendUnique(t.params, m[1])
				}
			}
		}
		sort.Strings(t.params)
		t.caps = capabilitiesOf(body)
		if _, dup := out[t.name]; !dup {
			out[t.name] = t
		}
	}
	return out
}

func capabilitiesOf(body string) []Capability {
	var caps []Capability
	if fileAccess.MatchString(body) {
		caps = append(caps, CapFiles)
	}
	if processExec.MatchString(body) {
		caps = append(caps, CapProcesses)
	}
	if networkSend.MatchString(body) {
		caps = append(caps, CapNetwork)
	}
	if credentialPath.MatchString(body) || envWhole.MatchString(body) {
		caps = append(caps, CapCredentials)
	}
	return caps
}

// stringLiteral parses the string literal s starts with (single, double,
// back or triple quotes, joined with + or by adjacency to following ones)
// and returns its text and the rest of s.
func stringLiteral(s string) (text, rest string, ok bool) {
	var b strings.Builder
	for {
		one, r, found := oneLiteral(s)
		if !found {
			break
		}
		ok = true
		b.WriteString(one)
		s = r
		t := strings.TrimLeft(s, " \t\r\n")
		if strings.HasPrefix(t, "+") {
			t = strings.TrimLeft(t[1:], " \t\r\n")
		}
		if _, _, next := oneLiteral(t); !next {
			break
		}
		s = t
	}
	return b.String(), s, ok
}

func oneLiteral(s string) (text, rest string, ok bool) {
	if len(s) == 0 {
		return "", s, false
	}
	for _, q := range []string{`"""`, `'''`} {
		if strings.HasPrefix(s, q) {
			end := strings.Index(s[3:], q)
			if end < 0 {
				return "", s, false
			}
			return strings.TrimSpace(s[3 : 3+end]), s[6+end:], true
		}
	}
	q := s[0]
	if q != '"' && q != '\'' && q != '`' {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s) && i < 20000; i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && q != '`':
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\n' && q != '`':
			return "", s, false
		default:
			b.WriteByte(c)
		}
	}
	return "", s, false
}

// toolChanges compares the tools registered in the changed files in scope.
func toolChanges(r *ranges.Range) []ToolChange {
	before, after := map[string]tool{}, map[string]tool{}
	for i := range r.Files {
		f := &r.Files[i]
		if f.Binary || !inScope(r, f) || isDocOrTest(f.Path) {
			continue
		}
		for n, t := range toolsIn(f.Path, f.Old) {
			before[n] = t
		}
		for n, t := range toolsIn(f.Path, f.New) {
			after[n] = t
		}
	}
	var out []ToolChange
	for n, t := range after {
		o, had := before[n]
		if !had {
			out = append(out, ToolChange{Kind: ToolAdded, Name: n, Location: t.location, NewDescription: t.description,
				AddedParams: t.params, NewCapabilities: t.caps})
			continue
		}
		c := ToolChange{Kind: ToolChanged, Name: n, Location: t.location}
		if o.description != t.description {
			c.OldDescription, c.NewDescription = o.description, t.description
		}
		c.AddedParams, c.RemovedParams = setDiff(t.params, o.params), setDiff(o.params, t.params)
		for _, cp := range t.caps {
			if !slices.Contains(o.caps, cp) {
				c.NewCapabilities = append(c.NewCapabilities, cp)
			}
		}
		if c.OldDescription != c.NewDescription || len(c.AddedParams)+len(c.RemovedParams)+len(c.NewCapabilities) > 0 {
			out = append(out, c)
		}
	}
	for n, t := range before {
		if _, ok := after[n]; !ok {
			out = append(out, ToolChange{Kind: ToolRemoved, Name: n, Location: t.location, OldDescription: t.description})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
