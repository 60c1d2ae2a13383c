package upstream

import (
	"io"
	"path"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// The server's Dockerfile at both ends of a range, read whether or not
// it changed, so the review can follow what the build copies in.

// dockerfileCandidates are the repository paths the server's Dockerfile
// may have, most likely first. The registry builds the context
// `project#commit:directory` with `-f dockerfile`, so source.dockerfile
// is relative to the directory, as CheckBuild reads it. The path from
// the repository root is tried second: CheckBuild already reports a
// Dockerfile missing where the build looks, and with the directory as
// the context the review's scope never narrows past it, so reading a
// second candidate can only widen what is reviewed. Without
// source.dockerfile it is the directory's Dockerfile.
func dockerfileCandidates(dir, dockerfile string) []string {
	df := normalizeDirectory(dockerfile)
	if df == "" {
		return []string{path.Join(dir, "Dockerfile")}
	}
	if dir == "" {
		return []string{df}
	}
	return []string{path.Join(dir, df), df}
}

// readDockerfile reads the first candidate found at head (else at from)
// on both sides; nil when neither side has one. from may be nil.
func readDockerfile(from, head *object.Tree, dir, dockerfile string, maxBytes int64) *ranges.BuildFile {
	for _, p := range dockerfileCandidates(dir, dockerfile) {
		bf := &ranges.BuildFile{Path: p}
		var foundNew, foundOld bool
		bf.New, foundNew = readTreeFile(head, p, maxBytes, &bf.TooBig)
		if from != nil {
			bf.Old, foundOld = readTreeFile(from, p, maxBytes, &bf.TooBig)
		}
		if foundNew || foundOld {
			return bf
		}
	}
	return nil
}

// readTreeFile returns the regular file p of t up to maxBytes; found is
// false when t has no such file. A file past maxBytes is found, nil, and
// sets *tooBig.
func readTreeFile(t *object.Tree, p string, maxBytes int64, tooBig *bool) (content []byte, found bool) {
	if t == nil {
		return nil, false
	}
	e, err := t.FindEntry(p)
	if err != nil || e.Mode != filemode.Regular && e.Mode != filemode.Executable {
		return nil, false
	}
	f, err := t.TreeEntryFile(e)
	if err != nil {
		return nil, false
	}
	if f.Size > maxBytes {
		*tooBig = true
		return nil, true
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, false
	}
	defer rd.Close()
	b, err := io.ReadAll(io.LimitReader(rd, maxBytes))
	if err != nil {
		return nil, false
	}
	return b, true
}
