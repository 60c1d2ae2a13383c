package updater

import (
	"bytes"
	"sort"

	"github.com/mcp-registry/updater/registry"
)

// ChangeKind is how a registry change (a contributor's PR) moves a locally
// built server, and so which review it gets.
type ChangeKind string

// Change kinds, in the order a server is checked for them.
const (
	// ChangeNew: a server the base does not build from source at a pin:
	// full review of the code at its pin.
	ChangeNew ChangeKind = "new"
	// ChangeProject: source.project or source.upstream now names another
	// repository: a high finding of its own and a full review.
	ChangeProject ChangeKind = "project"
	// ChangePin: source.commit moved on the same project: the differential
	// review old..new, with the bot's ancestry rules.
	ChangePin ChangeKind = "pin"
	// ChangeBuildInputs: source.directory, dockerfile or buildTarget
	// changed (with or without the pin): the build reads other code than
	// the reviewed one, so it gets a full review.
	ChangeBuildInputs ChangeKind = "build-inputs"
	// ChangeInvalid: the change leaves a locally built server's file
	// invalid (an unknown key, no source.commit, a malformed value): no
	// review can stand for it, so it is an incomplete, failing one that
	// says why, never a silent skip.
	ChangeInvalid ChangeKind = "invalid"
)

// ServerChange is one server a registry change asks to review.
type ServerChange struct {
	Server string
	Kind   ChangeKind
	// Old is the server's source on the base side (nil for ChangeNew);
	// New on the head side.
	Old, New *registry.Source
	// Problem is what is wrong with the head's file (ChangeInvalid).
	Problem string
}

// Full reports whether the change gets a full review of New.Commit
// rather than the differential one of Old.Commit..New.Commit.
func (c ServerChange) Full() bool { return c.Kind != ChangePin }

// RegistryChanges lists, sorted by server name, the locally built and
// pinned servers of head whose source differs from base's: what a PR to
// the registry changes that must be reviewed. A locally built server
// whose file the change leaves invalid is listed as ChangeInvalid (one
// already invalid, byte for byte, at the base is not this change's).
// Removed servers, servers not built from source and changes outside
// source (descriptions, config) are not listed; files that failed to load
// are the caller's (validate reports them).
func RegistryChanges(base, head []*registry.File) []ServerChange {
	before := make(map[string]*registry.Source, len(base))
	raw := make(map[string][]byte, len(base))
	for _, f := range base {
		raw[f.Name] = f.Raw
		if f.LocallyBuilt() {
			before[f.Name] = f.Server.Source
		}
	}
	var out []ServerChange
	for _, f := range head {
		if !f.LocallyBuilt() {
			continue
		}
		if problems := fileProblems(f); problems != "" {
			if old, ok := raw[f.Name]; !ok || !bytes.Equal(old, f.Raw) {
				out = append(out, ServerChange{Server: f.Name, Kind: ChangeInvalid, New: f.Server.Source, Problem: problems})
			}
			continue
		}
		if !f.Pinned() {
			continue
		}
		nw := f.Server.Source
		old, ok := before[f.Name]
		var kind ChangeKind
		switch {
		case !ok || old.Commit == "":
			kind = ChangeNew
		case old.Project != nw.Project || old.Upstream != nw.Upstream:
			kind = ChangeProject
		case old.Directory != nw.Directory || old.Dockerfile != nw.Dockerfile || old.BuildTarget != nw.BuildTarget:
			kind = ChangeBuildInputs
		case old.Commit != nw.Commit:
			kind = ChangePin
		default:
			continue
		}
		c := ServerChange{Server: f.Name, Kind: kind, New: nw}
		if ok {
			c.Old = old
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Server < out[j].Server })
	return out
}
