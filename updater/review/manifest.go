package review

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// Dependency manifest parsing: each parser turns a manifest's content into
// the set of dependencies it declares, so the dependencies rule can diff
// old against new. Parsers see hostile content: they never panic, and a
// manifest they cannot read is reported as changed-but-unparsed.

// Manifest kinds.
const (
	kindNPM       = "npm"
	kindComposer  = "composer"
	kindPip       = "pip"
	kindPyproject = "pyproject"
	kindPipfile   = "pipfile"
	kindSetup     = "setup.py"
	kindGoMod     = "go.mod"
	kindCargo     = "cargo"
	kindGemfile   = "gemfile"
	kindGemspec   = "gemspec"
	kindMaven     = "maven"
	kindGradle    = "gradle"
	kindNuGet     = "nuget"
)

// manifestKind names the manifest format of p, or "" when p is not one.
func manifestKind(p string) string {
	b := strings.ToLower(path.Base(p))
	ext := path.Ext(b)
	switch b {
	case "package.json":
		return kindNPM
	case "composer.json":
		return kindComposer
	case "pyproject.toml":
		return kindPyproject
	case "pipfile":
		return kindPipfile
	case "setup.py", "setup.cfg":
		return kindSetup
	case "go.mod":
		return kindGoMod
	case "cargo.toml":
		return kindCargo
	case "gemfile":
		return kindGemfile
	case "pom.xml":
		return kindMaven
	case "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts":
		return kindGradle
	case "directory.packages.props":
		return kindNuGet
	}
	switch {
	case (strings.HasPrefix(b, "requirements") || strings.HasPrefix(b, "constraints")) && (ext == ".txt" || ext == ".in"):
		return kindPip
	case ext == ".txt" && path.Base(path.Dir(strings.ToLower(p))) == "requirements":
		return kindPip
	case ext == ".gemspec":
		return kindGemspec
	case ext == ".csproj" || ext == ".fsproj" || ext == ".vbproj":
		return kindNuGet
	}
	return ""
}

// dep is one declared dependency: Name as written (for finding its line)
// and Spec, its version or source as written.
type dep struct {
	Name, Spec string
}

// depSet maps a key (the name, qualified by section where one manifest has
// several: "jest (dev)") to the dependency.
type depSet map[string]dep

func (s depSet) put(key, name, spec string) {
	if key == "" {
		return
	}
	s[key] = dep{Name: name, Spec: strings.TrimSpace(spec)}
}

var errNotParsed = errors.New("format not parsed")

// parseDeps returns the dependencies a manifest of the given kind declares.
func parseDeps(kind string, content []byte) (depSet, error) {
	switch kind {
	case kindNPM:
		m, err := parseNPM(content)
		if err != nil {
			return nil, err
		}
		return m.deps, nil
	case kindComposer:
		return parseJSONSections(content, map[string]string{"require": "", "require-dev": " (dev)"})
	case kindPip:
		return parseRequirements(content), nil
	case kindPyproject, kindPipfile, kindCargo:
		return parseTOMLDeps(kind, content), nil
	case kindGoMod:
		return parseGoMod(content), nil
	case kindGemfile, kindGemspec:
		return parseRegexDeps(content, gemLine), nil
	case kindGradle:
		return parseGradle(content), nil
	case kindNuGet:
		return parseRegexDeps(content, nugetLine), nil
	case kindMaven:
		return parseMaven(content)
	}
	return nil, errNotParsed
}

// npmManifest is what the rules read from package.json.
type npmManifest struct {
	scripts map[string]string
	deps    depSet
}

var npmSections = map[string]string{
	"dependencies": "", "devDependencies": " (dev)", "optionalDependencies": " (optional)",
	"peerDependencies": " (peer)", "bundleDependencies": " (bundled)", "overrides": " (override)",
	"resolutions": " (override)",
}

// overrideSuffix marks keys of overrides and resolutions: versions forced
// onto transitive dependencies, most often to pull in a security fix.
const overrideSuffix = " (override)"

func parseNPM(content []byte) (*npmManifest, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(content, &raw); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	m := &npmManifest{scripts: map[string]string{}, deps: depSet{}}
	if s, ok := raw["scripts"]; ok {
		var scripts map[string]any
		if json.Unmarshal(s, &scripts) == nil {
			for k, v := range scripts {
				m.scripts[k] = jsonText(v)
			}
		}
	}
	deps, err := sectionsOf(raw, npmSections)
	if err != nil {
		return nil, err
	}
	// pnpm keeps its overrides one level down.
	if p, ok := raw["pnpm"]; ok {
		var pnpm map[string]json.RawMessage
		if json.Unmarshal(p, &pnpm) == nil {
			if nested, err := sectionsOf(pnpm, map[string]string{"overrides": overrideSuffix}); err == nil {
				for k, v := range nested {
					deps[k] = v
				}
			}
		}
	}
	m.deps = deps
	return m, nil
}

func parseJSONSections(content []byte, sections map[string]string) (depSet, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(content, &raw); err != nil {
		return nil, err
	}
	return sectionsOf(raw, sections)
}

// sectionsOf reads name → spec objects from the given top-level keys,
// tolerating values that are not strings (written out as JSON).
func sectionsOf(raw map[string]json.RawMessage, sections map[string]string) (depSet, error) {
	deps := depSet{}
	for section, suffix := range sections {
		body, ok := raw[section]
		if !ok {
			continue
		}
		var entries map[string]any
		if err := json.Unmarshal(body, &entries); err != nil {
			// bundleDependencies may be an array of names.
			var names []string
			if json.Unmarshal(body, &names) != nil {
				continue
			}
			for _, n := range names {
				deps.put(n+suffix, n, "")
			}
			continue
		}
		for name, v := range entries {
			deps.put(name+suffix, name, jsonText(v))
		}
	}
	return deps, nil
}

func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// pep508Name splits a Python requirement into its normalised name and the
// rest (extras, version, markers, URL).
var pep508Name = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)

func normalisePyName(n string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(n))
}

func putPEP508(deps depSet, req, suffix string) {
	m := pep508Name.FindStringSubmatch(req)
	if m == nil {
		return
	}
	deps.put(normalisePyName(m[1])+suffix, m[1], m[3])
}

// putIndex records a package index or source URL: where packages come from
// matters as much as which ones (dependency confusion).
func putIndex(deps depSet, url string) {
	url = strings.Trim(strings.TrimSpace(url), `"'`)
	if url != "" {
		deps.put("index "+url, url, url)
	}
}

func parseRequirements(content []byte) depSet {
	deps := depSet{}
	sc := lineScanner(content)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "-") {
			end := strings.IndexAny(line, " \t=")
			if end < 0 {
				end = len(line)
			}
			flag, arg := line[:end], strings.TrimLeft(line[end:], " \t=")
			switch flag {
			case "-i", "--index-url", "--extra-index-url", "-f", "--find-links":
				putIndex(deps, arg)
			case "-e", "--editable":
				arg = strings.TrimSpace(arg)
				deps.put(arg, arg, arg)
			}
			continue
		}
		putPEP508(deps, line, "")
	}
	return deps
}

// tomlEntry is one key = value of a TOML document, with its table.
type tomlEntry struct {
	table, key, value string
}

// scanTOML is a small line-based reader for the part of TOML manifests
// use: [tables], key = value, and arrays spanning lines. It is not a TOML
// parser; what it misreads shows up as a changed dependency, never a miss
// of the whole file.
func scanTOML(content []byte) []tomlEntry {
	var entries []tomlEntry
	table := ""
	sc := lineScanner(content)
	for sc.Scan() {
		line := strings.TrimSpace(stripTOMLComment(sc.Text()))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			table = unquoteTOMLKey(strings.Trim(line, "[] \t"))
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		for depth := bracketDepth(value); depth > 0 && sc.Scan(); depth = bracketDepth(value) {
			value += " " + strings.TrimSpace(stripTOMLComment(sc.Text()))
		}
		entries = append(entries, tomlEntry{table: table, key: unquoteTOMLKey(strings.TrimSpace(key)), value: value})
	}
	return entries
}

func unquoteTOMLKey(k string) string {
	return strings.NewReplacer(`"`, "", `'`, "").Replace(k)
}

// outsideTOMLStrings calls visit with each byte of s that is not inside a
// quoted string (and its index), until visit returns false.
func outsideTOMLStrings(s string, visit func(i int, c byte) bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		default:
			if !visit(i, c) {
				return
			}
		}
	}
}

// stripTOMLComment cuts a # comment that is not inside a string.
func stripTOMLComment(line string) string {
	cut := len(line)
	outsideTOMLStrings(line, func(i int, c byte) bool {
		if c == '#' {
			cut = i
			return false
		}
		return true
	})
	return line[:cut]
}

// bracketDepth counts unclosed [ outside strings.
func bracketDepth(s string) int {
	depth := 0
	outsideTOMLStrings(s, func(_ int, c byte) bool {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		}
		return true
	})
	return depth
}

var tomlString = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"|'([^']*)'`)

// tomlStrings returns the string items of an array value.
func tomlStrings(value string) []string {
	var out []string
	for _, m := range tomlString.FindAllStringSubmatch(value, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

func parseTOMLDeps(kind string, content []byte) depSet {
	deps := depSet{}
	for _, e := range scanTOML(content) {
		t := e.table
		if e.key == "url" && (strings.HasSuffix(t, "source") || strings.HasSuffix(t, "index") || t == "tool.uv.index") {
			putIndex(deps, e.value)
			continue
		}
		switch kind {
		case kindCargo:
			if isCargoDepTable(t) {
				deps.put(e.key+cargoSuffix(t), e.key, e.value)
			} else if parent, name, ok := cutLast(t); ok && isCargoDepTable(parent) {
				// [dependencies.serde] version = "1" ... : one spec per key.
				k := name + cargoSuffix(parent)
				d := deps[k]
				deps.put(k, name, strings.TrimSpace(d.Spec+" "+e.key+"="+e.value))
			}
		case kindPipfile:
			if t == "packages" || t == "dev-packages" {
				suffix := ""
				if t == "dev-packages" {
					suffix = " (dev)"
				}
				deps.put(normalisePyName(e.key)+suffix, e.key, e.value)
			}
		case kindPyproject:
			switch {
			case t == "project" && e.key == "dependencies":
				for _, req := range tomlStrings(e.value) {
					putPEP508(deps, req, "")
				}
			case t == "project.optional-dependencies" || t == "dependency-groups":
				for _, req := range tomlStrings(e.value) {
					putPEP508(deps, req, " ("+e.key+")")
				}
			case t == "build-system" && e.key == "requires":
				for _, req := range tomlStrings(e.value) {
					putPEP508(deps, req, " (build)")
				}
			case strings.HasPrefix(t, "tool.poetry") && strings.HasSuffix(t, "dependencies") && e.key != "python":
				deps.put(normalisePyName(e.key), e.key, e.value)
			}
		}
	}
	return deps
}

func isCargoDepTable(t string) bool {
	last := t
	if _, l, ok := cutLast(t); ok {
		last = l
	}
	return last == "dependencies" || last == "dev-dependencies" || last == "build-dependencies"
}

func cargoSuffix(table string) string {
	switch {
	case strings.HasSuffix(table, "dev-dependencies"):
		return " (dev)"
	case strings.HasSuffix(table, "build-dependencies"):
		return " (build)"
	}
	return ""
}

func cutLast(t string) (parent, last string, ok bool) {
	i := strings.LastIndexByte(t, '.')
	if i < 0 {
		return "", t, false
	}
	return t[:i], t[i+1:], true
}

func parseGoMod(content []byte) depSet {
	deps := depSet{}
	block := ""
	sc := lineScanner(content)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if block != "" {
			if fields[0] == ")" {
				block = ""
				continue
			}
			putGoDirective(deps, block, fields)
			continue
		}
		if len(fields) == 2 && fields[1] == "(" {
			block = fields[0]
			continue
		}
		putGoDirective(deps, fields[0], fields[1:])
	}
	return deps
}

func putGoDirective(deps depSet, verb string, args []string) {
	switch verb {
	case "require":
		if len(args) >= 2 {
			deps.put(args[0], args[0], args[1])
		}
	case "replace":
		// old [v] => new [v]: a replacement swaps in other code.
		line := strings.Join(args, " ")
		old, repl, ok := strings.Cut(line, "=>")
		if ok {
			name := strings.Fields(old)
			if len(name) > 0 {
				deps.put("replace "+name[0], name[0], strings.TrimSpace(repl))
			}
		}
	}
}

var (
	gemLine   = regexp.MustCompile(`^\s*(?:gem|\w+\.add_(?:runtime_|development_)?dependency|source)\s*\(?\s*["']([^"']+)["']\s*,?\s*(.*)$`)
	nugetLine = regexp.MustCompile(`<Package(?:Reference|Version)\s+(?:Include|Update)\s*=\s*"([^"]+)"\s*(?:Version\s*=\s*"([^"]*)")?`)
)

// parseRegexDeps reads one dependency per line whose first group is the
// name and second the spec.
func parseRegexDeps(content []byte, re *regexp.Regexp) depSet {
	deps := depSet{}
	sc := lineScanner(content)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		spec := ""
		if len(m) > 2 {
			spec = m[2]
		}
		if strings.Contains(m[0], "source") && strings.Contains(m[1], "://") {
			putIndex(deps, m[1])
			continue
		}
		deps.put(m[1], m[1], spec)
	}
	return deps
}

var (
	gradleDep  = regexp.MustCompile(`^\s*(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|annotationProcessor|kapt|ksp|classpath|compile|testCompile)\s*\(?\s*["']([^"':]+:[^"':]+)(?::([^"']*))?["']`)
	gradleRepo = regexp.MustCompile(`\burl\s*[=(]?\s*(?:uri\s*\()?\s*["']([^"']+)["']`)
)

func parseGradle(content []byte) depSet {
	deps := depSet{}
	sc := lineScanner(content)
	for sc.Scan() {
		line := sc.Text()
		if m := gradleDep.FindStringSubmatch(line); m != nil {
			deps.put(m[1], m[1], m[2])
		} else if m := gradleRepo.FindStringSubmatch(line); m != nil {
			putIndex(deps, m[1])
		}
	}
	return deps
}

// parseMaven reads <dependency>, <plugin> and repository <url> elements
// anywhere in a pom.
func parseMaven(content []byte) (depSet, error) {
	deps := depSet{}
	dec := xml.NewDecoder(bytes.NewReader(content))
	dec.Strict = false
	var stack []string
	var group, artifact, version string
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return deps, nil
			}
			return nil, fmt.Errorf("pom.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			if t.Name.Local == "dependency" || t.Name.Local == "plugin" {
				group, artifact, version = "", "", ""
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if (t.Name.Local == "dependency" || t.Name.Local == "plugin") && artifact != "" {
				name := group + ":" + artifact
				if t.Name.Local == "plugin" {
					deps.put(name+" (plugin)", artifact, version)
				} else {
					deps.put(name, artifact, version)
				}
			}
		case xml.CharData:
			if len(stack) < 2 {
				continue
			}
			text := strings.TrimSpace(string(t))
			parent, elem := stack[len(stack)-2], stack[len(stack)-1]
			switch {
			case parent == "dependency" || parent == "plugin":
				switch elem {
				case "groupId":
					group = text
				case "artifactId":
					artifact = text
				case "version":
					version = text
				}
			case elem == "url" && (parent == "repository" || parent == "pluginRepository"):
				putIndex(deps, text)
			}
		}
	}
}

// lineScanner splits content into lines, tolerating long ones (minified
// manifests) up to the per-file cap the range already applied.
func lineScanner(content []byte) *bufio.Scanner {
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 64*1024), len(content)+1)
	return sc
}
