package review

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/mcp-registry/updater/updater/internal/mdsafe"
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
	// why memoizes readBy per path: rules ask about each file many times.
	why sync.Map
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
	if len(bs.reads) == 0 {
		return ""
	}
	if v, ok := bs.why.Load(p); ok {
		return v.(string)
	}
	why := bs.firstRead(p)
	bs.why.Store(p, why)
	return why
}

func (bs *buildScope) firstRead(p string) string {
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

// maxBuildReadsShown bounds the files the report names as read by the build.
const maxBuildReadsShown = 10

// buildFacts is what the report says about the build's scope: the
// Dockerfile, the changed files in scope because the build reads them
// (where that is not obvious: with the repository root as context, or
// files that look like docs or tests), and those the build leaves out.
type buildFacts struct {
	dockerfile string
	narrows    bool
	reads      [][2]string // path, "copied by Dockerfile:12"; at most maxBuildReadsShown
	moreReads  int
	outside    map[string]bool
}

func buildFactsOf(r *ranges.Range) buildFacts {
	bs := scopeOf(r)
	bf := buildFacts{dockerfile: bs.dockerfile, narrows: bs.narrows}
	for i := range r.Files {
		f := &r.Files[i]
		if !f.InDirectory || f.Path == bs.dockerfile {
			continue
		}
		if !bs.contains(f.Path) {
			if bf.outside == nil {
				bf.outside = map[string]bool{}
			}
			bf.outside[f.Path] = true
			continue
		}
		why := bs.readBy(f.Path)
		if why == "" || !bs.narrows && !isDocOrTest(f.Path) {
			continue
		}
		if len(bf.reads) == maxBuildReadsShown {
			bf.moreReads++
			continue
		}
		bf.reads = append(bf.reads, [2]string{f.Path, why})
	}
	return bf
}

// writeScope adds the build's lines to the report's Scope Summary.
func (bf buildFacts) writeScope(b *strings.Builder, dir string) {
	if bf.dockerfile == "" {
		return
	}
	context := "the directory"
	if dir == "" {
		context = "the repository root"
	}
	fmt.Fprintf(b, "- **Build**: %s, context %s", mdsafe.Code(bf.dockerfile, 200), context)
	if bf.narrows {
		b.WriteString("; files it does not read count as outside the server's scope")
	}
	b.WriteString("\n")
	for _, r := range bf.reads {
		fmt.Fprintf(b, "  - in scope: %s, %s\n", mdsafe.Code(r[0], 300), mdsafe.Prose(r[1], 300))
	}
	if bf.moreReads > 0 {
		fmt.Fprintf(b, "  - and %d more file%s the build reads\n", bf.moreReads, plural(bf.moreReads))
	}
}
