package review

import (
	"fmt"
	"path"
	"sync"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// The review's scope follows the build. The server's Dockerfile is
// always in scope, wherever source.dockerfile puts it, and the files it
// reads from the build context (COPY, ADD, RUN --mount=type=bind, at the
// new pin and at the old one) are code the image holds: they keep their
// severity even where they look like docs, examples or tests. The context
// is source.directory, so those files lie inside it. With no directory the
// context is the whole repository (a monorepo built by
// `dockerfile: src/x/Dockerfile`); there the files the Dockerfile reads
// are the server's scope, and the rest of the repository counts as
// outside it, unless the build reads it all (`COPY . .`), the Dockerfile
// was too big to read, or the reading is otherwise unsure.

// buildScope is what the server's build reads, computed once per review.
type buildScope struct {
	dockerfile string // repository path of the Dockerfile; "" when none
	reads      []scopedRead
	// narrows: the context is the repository root and the build reads
	// only part of it, known on both sides.
	narrows bool
}

// scopedRead is a dockerRead with its repository path and side.
type scopedRead struct {
	dockerRead
	repoPrefix string
	old        bool // read by the Dockerfile at the old pin only
}

// buildScopes holds the scope of each range under Review.
var buildScopes sync.Map

// withBuildScope runs fn with r's build scope computed once.
func withBuildScope(r *ranges.Range, fn func()) {
	buildScopes.Store(r, computeBuildScope(r))
	defer buildScopes.Delete(r)
	fn()
}

// scopeOf returns r's build scope, from the cache when Review set it up.
func scopeOf(r *ranges.Range) *buildScope {
	if v, ok := buildScopes.Load(r); ok {
		return v.(*buildScope)
	}
	return computeBuildScope(r)
}

func computeBuildScope(r *ranges.Range) *buildScope {
	bs := &buildScope{}
	df := r.Dockerfile
	if df == nil {
		return bs
	}
	bs.dockerfile = df.Path
	all := df.TooBig || df.New == nil
	for _, side := range []struct {
		content []byte
		old     bool
	}{{df.New, false}, {df.Old, true}} {
		if side.content == nil {
			continue
		}
		in := parseDockerInputs(side.content)
		all = all || in.readsAll()
		for _, rd := range in.Reads {
			bs.reads = append(bs.reads, scopedRead{dockerRead: rd, repoPrefix: path.Join(r.Directory, rd.Prefix), old: side.old})
		}
	}
	bs.narrows = r.Directory == "" && !all
	return bs
}

// readBy says which instruction reads the repository path p ("copied
// by src/x/Dockerfile:12"), or "" when none does.
func (bs *buildScope) readBy(p string) string {
	for _, rd := range bs.reads {
		if rd.repoPrefix == "" || rd.repoPrefix == "." || p == rd.repoPrefix || len(p) > len(rd.repoPrefix) && p[:len(rd.repoPrefix)+1] == rd.repoPrefix+"/" {
			at := ""
			if rd.old {
				at = " at the old pin"
			}
			return fmt.Sprintf("%s by %s:%d%s", rd.Kind, bs.dockerfile, rd.Line, at)
		}
	}
	return ""
}

// contains reports whether a file under source.directory is part of
// the server's scope: always, unless the build narrows it.
func (bs *buildScope) contains(p string) bool {
	return !bs.narrows || p == bs.dockerfile || bs.readBy(p) != ""
}

// readByBuild is readBy for r's scope.
func readByBuild(r *ranges.Range, p string) string {
	return scopeOf(r).readBy(p)
}
