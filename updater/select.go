package updater

import (
	"errors"
	"fmt"
	"hash/fnv"
	"path"
	"sort"
	"strings"

	"github.com/mcp-registry/updater/registry"
)

// selection is the outcome of choosing the servers of a pass: those to
// resolve, and decisions already made without the network.
type selection struct {
	eligible []*registry.File
	decided  []Decision
	// names are every server the registry holds (loaded or broken),
	// whichever shard or filter applies: a bot PR for a name not in it
	// belongs to a removed server.
	names map[string]bool
}

// selectServers applies --server, --shard and eligibility. Broken files
// become error decisions; unknown --server names are a usage error.
// Pure: no I/O.
func selectServers(files []*registry.File, loadErrs []error, only []string, shard Shard) (*selection, error) {
	sel := &selection{names: map[string]bool{}}
	broken := map[string]error{}
	for _, err := range loadErrs {
		name := serverOfError(err)
		sel.names[name] = true
		broken[name] = err
	}
	for _, f := range files {
		sel.names[f.Name] = true
	}

	want := map[string]bool{}
	var unknown []string
	for _, n := range only {
		if !sel.names[n] {
			unknown = append(unknown, n)
		}
		want[n] = true
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, Usagef("unknown server(s): %s", strings.Join(unknown, ", "))
	}
	keep := func(name string) bool {
		return (len(want) == 0 || want[name]) && shard.Has(name)
	}
	if err := checkSelectionInShard(only, shard); err != nil {
		return nil, err
	}

	for name, err := range broken {
		if keep(name) {
			sel.decided = append(sel.decided, Decision{
				Server: name, Path: registry.ServerPath(name), Action: ActionError, Detail: err.Error(),
			})
		}
	}
	for _, f := range files {
		if !keep(f.Name) {
			continue
		}
		// Every server's file is checked, pinnable or not: an unknown key
		// is an error wherever the schema is closed.
		if problems := fileProblems(f); problems != "" {
			dec := Decision{Server: f.Name, Path: f.Path, Action: ActionError, Detail: problems}
			if f.Server.Source != nil {
				dec.Current = f.Server.Source.Commit
			}
			sel.decided = append(sel.decided, dec)
			continue
		}
		if reason := ineligible(f); reason != "" {
			sel.decided = append(sel.decided, Decision{Server: f.Name, Path: f.Path, Action: ActionSkipped, Detail: reason})
			continue
		}
		sel.eligible = append(sel.eligible, f)
	}
	return sel, nil
}

// checkSelectionInShard refuses a --server selection of which no server
// is in the shard: the pass would do nothing and say nothing of why.
func checkSelectionInShard(only []string, shard Shard) error {
	if len(only) == 0 {
		return nil
	}
	where := make([]string, 0, len(only))
	for _, n := range only {
		if shard.Has(n) {
			return nil
		}
		where = append(where, fmt.Sprintf("%s is in shard %s", n, shard.Of(n)))
	}
	sort.Strings(where)
	return Usagef("--shard %s holds none of the selected servers (%s)", shard, strings.Join(where, ", "))
}

// ineligible says why a server has no pin for the bot to move ("" when it
// has one).
func ineligible(f *registry.File) string {
	s := f.Server
	switch {
	case s.Type == registry.TypeRemote:
		return "remote server: nothing is built from source"
	case s.Type == registry.TypePOCI:
		return "poci server: nothing is built from source"
	case s.Type != registry.TypeServer:
		return "" // an unknown type is Validate's error, as in `updater validate`
	case s.Source == nil || s.Source.Project == "":
		return "no source.project: image built elsewhere"
	}
	// A source.project without source.commit is no skip: every locally
	// built server is pinned, and a misspelt "comit:" must not pass as
	// "not pinned". Validate reports it as the server's error.
	return ""
}

// serverOfError names the server a load error is about: the directory of
// the file, or the error text when it names no file.
func serverOfError(err error) string {
	var fe *registry.FileError
	if errors.As(err, &fe) {
		return path.Base(path.Dir(fe.Path))
	}
	return err.Error()
}

// Of is the shard of the same count that holds name.
func (s Shard) Of(name string) Shard {
	if s.Count <= 1 {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return Shard{Index: int(h.Sum32()%uint32(s.Count)) + 1, Count: s.Count}
}

// Has reports whether the shard holds the server. The zero Shard holds
// every server. FNV-1a of the name keeps the partition stable night after
// night and independent of which other servers exist.
func (s Shard) Has(name string) bool {
	if s.Count <= 1 {
		return true
	}
	return s.Of(name).Index == s.Index
}
