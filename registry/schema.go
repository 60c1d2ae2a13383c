package registry

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// The schema is closed wherever Docker's registry gives a mapping a fixed
// shape: an unknown key there is most likely a typo (`comand:` for
// `command:`) that would quietly change what the catalogue builds or
// shows, so Validate reports it with a did-you-mean. The model's Extra
// maps catch such keys; the known keys are the model's yaml tags plus the
// few keys real files use that the model keeps in Extra (derived from the
// 328 files of the corpus, which all validate). Free-form maps stay open:
// run.env, remote.headers, config.parameters and tools' parameters (JSON
// schemas).

// closedSection is one mapping of a server file whose keys are fixed.
type closedSection struct {
	path  []string       // key path of the mapping; "" elements never occur
	model any            // the model struct the mapping decodes into
	extra map[string]any // the keys the model did not name
	also  []string       // keys of real files the model keeps in Extra
}

// closedSections lists the closed mappings of s with what they hold
// beyond the model.
func closedSections(s *Server) []closedSection {
	secs := []closedSection{
		{path: nil, model: Server{}, extra: s.Extra},
		{path: []string{"meta"}, model: Meta{}, extra: s.Meta.Extra},
		{path: []string{"about"}, model: About{}, extra: s.About.Extra},
	}
	if s.Dynamic != nil {
		secs = append(secs, closedSection{path: []string{"dynamic"}, model: Dynamic{}, extra: s.Dynamic.Extra})
	}
	if s.Run != nil {
		secs = append(secs, closedSection{path: []string{"run"}, model: Run{}, extra: s.Run.Extra, also: []string{"ports"}})
	}
	if s.Remote != nil {
		secs = append(secs, closedSection{path: []string{"remote"}, model: Remote{}, extra: s.Remote.Extra})
	}
	if c := s.Config; c != nil {
		// A few files give config a JSON schema's own keys.
		secs = append(secs, closedSection{path: []string{"config"}, model: Config{}, extra: c.Extra, also: []string{"properties", "required", "type", "volumes"}})
		for i := range c.Secrets {
			secs = append(secs, closedSection{path: []string{"config", "secrets", strconv.Itoa(i)}, model: Secret{}, extra: c.Secrets[i].Extra})
		}
		for i := range c.Env {
			secs = append(secs, closedSection{path: []string{"config", "env", strconv.Itoa(i)}, model: EnvVar{}, extra: c.Env[i].Extra, also: []string{"env"}})
		}
	}
	for i := range s.OAuth {
		secs = append(secs, closedSection{path: []string{"oauth", strconv.Itoa(i)}, model: OAuth{}, extra: s.OAuth[i].Extra})
	}
	for i := range s.Tools {
		tool := []string{"tools", strconv.Itoa(i)}
		secs = append(secs, closedSection{path: tool, model: Tool{}, extra: s.Tools[i].Extra})
		if s.Tools[i].Container != nil {
			secs = append(secs, closedSection{path: append(tool, "container"), model: ToolContainer{}, extra: s.Tools[i].Container.Extra})
		}
	}
	return secs
}

// validateClosedKeys reports every unknown key of a closed mapping.
func validateClosedKeys(f *File, add func(keyPath string, err error)) {
	for _, sec := range closedSections(&f.Server) {
		if len(sec.extra) == 0 {
			continue
		}
		known := append(modelKeys(reflect.TypeOf(sec.model)), sec.also...)
		unknown := make([]string, 0, len(sec.extra))
		for k := range sec.extra {
			if !contains(sec.also, k) {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			keyPath := strings.Join(append(append([]string(nil), sec.path...), k), ".")
			add(keyPath, unknownKeyError(sec.path, k, known))
		}
	}
}

// unknownKeyError says which key is unknown where, with the one near
// known key or else the list: "run.comand is not a run key: did you mean
// command?".
func unknownKeyError(section []string, key string, known []string) error {
	where, what := "", "a top-level key"
	if len(section) > 0 {
		where = displayPath(section) + "."
		what = article(section[0]) + " " + displayPath(withoutIndexes(section)) + " key"
	}
	if near := DidYouMean(key, known); near != "" {
		return fmt.Errorf("%s%s is not %s: did you mean %s?", where, quoteKey(key), what, near)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return fmt.Errorf("%s%s is not %s (want %s)", where, quoteKey(key), what, strings.Join(sorted, ", "))
}

// displayPath prints a key path as a person writes it: config.env[2].
func displayPath(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func withoutIndexes(path []string) []string {
	var out []string
	for _, p := range path {
		if _, err := strconv.Atoi(p); err != nil {
			out = append(out, p)
		}
	}
	return out
}

// modelKeys are the yaml keys a model struct names, in field order.
func modelKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// article is "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
