package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/go-git/go-git/v5/utils/merkletrie"
	"github.com/mcp-registry/updater/gitops/upstream/ranges"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// binarySniffBytes is how much of a file is searched for a NUL byte to
// call it binary (git looks at the first 8000 bytes).
const binarySniffBytes = 8000

// diffFiles lists the files changed between two trees with their lines,
// within the limits. Files under dir are inspected first, so the caps cut
// what matters least; the result is sorted by path.
func diffFiles(ctx context.Context, st storer.EncodedObjectStorer, from, to *object.Tree, dir string, limits RangeLimits) ([]ranges.FileChange, []ranges.Skip, error) {
	changes, err := diffTrees(ctx, st, from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("diff trees: %w", err)
	}
	type pending struct {
		treeChange
		inDir bool
	}
	all := make([]pending, 0, len(changes))
	for _, ch := range changes {
		all = append(all, pending{treeChange: ch, inDir: inDirectory(ch.path, dir)})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].inDir != all[j].inDir {
			return all[i].inDir
		}
		return all[i].path < all[j].path
	})

	fd := &fileDiffer{st: st, limits: limits}
	var files []ranges.FileChange
	var skipped []ranges.Skip
	for i, p := range all {
		if i == limits.MaxFiles {
			skipped = append(skipped, ranges.Skip{Reason: fmt.Sprintf(
				"%d more changed files not inspected: file-count cap of %d", len(all)-i, limits.MaxFiles)})
			break
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		fc := ranges.FileChange{Path: p.path, InDirectory: p.inDir}
		var oldSide, newSide *object.TreeEntry
		switch p.action {
		case merkletrie.Insert:
			fc.Status, newSide = ranges.FileAdded, &p.to
		case merkletrie.Delete:
			fc.Status, oldSide = ranges.FileDeleted, &p.from
		default:
			fc.Status, oldSide, newSide = ranges.FileModified, &p.from, &p.to
		}
		if newSide != nil {
			fc.Mode = modeName(newSide.Mode)
		} else {
			fc.Mode = modeName(oldSide.Mode)
		}
		skip, err := fd.fill(&fc, oldSide, newSide)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.path, err)
		}
		if skip != "" {
			skipped = append(skipped, ranges.Skip{Path: p.path, Reason: skip})
		}
		files = append(files, fc)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, skipped, nil
}

func modeName(m filemode.FileMode) string {
	switch m {
	case filemode.Executable:
		return "executable"
	case filemode.Symlink:
		return "symlink"
	case filemode.Submodule:
		return "submodule"
	}
	return ""
}

// fileDiffer reads blobs within the byte budget and diffs their lines.
type fileDiffer struct {
	st     storer.EncodedObjectStorer
	limits RangeLimits
	spent  int64 // bytes read so far, for MaxTotalBytes
}

// side is one version of a file as far as the budget allowed reading it.
type side struct {
	size    int64
	text    string // contents, when read
	read    bool
	omitted bool // not in the store: the fetch filtered it out for size
	binary  bool
	subject string // a submodule's "Subproject commit <sha>" line, as git diff shows it
}

// fill sets sizes, binary, lines and contents of fc. It returns a skip
// reason when a cap kept the contents out.
func (d *fileDiffer) fill(fc *ranges.FileChange, oldEntry, newEntry *object.TreeEntry) (string, error) {
	oldSide, newSide := &side{}, &side{}
	sides := []struct {
		e *object.TreeEntry
		s *side
	}{{oldEntry, oldSide}, {newEntry, newSide}}
	// Sizes first, so the budget decision covers both sides at once.
	for _, x := range sides {
		if x.e == nil {
			continue
		}
		if x.e.Mode == filemode.Submodule {
			x.s.subject = "Subproject commit " + x.e.Hash.String()
			continue
		}
		size, err := d.st.EncodedObjectSize(x.e.Hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			x.s.omitted = true // left out by the fetch's blob size filter
			continue
		}
		if err != nil {
			return "", fmt.Errorf("blob %s: %w", x.e.Hash, err)
		}
		x.s.size = size
	}
	fc.OldSize, fc.NewSize = oldSide.size, newSide.size

	var skip string
	switch {
	case oldSide.omitted || newSide.omitted:
		skip = "file larger than the fetch size limit: not downloaded, contents not inspected"
	case oldSide.size > d.limits.MaxFileBytes || newSide.size > d.limits.MaxFileBytes:
		skip = fmt.Sprintf("file is %d bytes, over the per-file cap of %d: contents not inspected",
			max(oldSide.size, newSide.size), d.limits.MaxFileBytes)
	case d.spent+oldSide.size+newSide.size > d.limits.MaxTotalBytes:
		skip = fmt.Sprintf("total size cap of %d bytes reached: contents not inspected", d.limits.MaxTotalBytes)
	}
	for _, x := range sides {
		if x.e == nil || x.e.Mode == filemode.Submodule || x.s.omitted {
			continue
		}
		var err error
		if skip != "" {
			x.s.binary, err = d.sniffBinary(x.e.Hash)
		} else {
			err = d.read(x.e.Hash, x.s)
		}
		if err != nil {
			return "", err
		}
	}
	fc.Binary = oldSide.binary || newSide.binary
	if skip != "" || fc.Binary {
		return skip, nil
	}
	if oldSide.read {
		fc.Old = []byte(oldSide.text)
	}
	if newSide.read {
		fc.New = []byte(newSide.text)
	}
	fc.AddedLines, fc.RemovedLines = d.lineDiff(oldSide.lineText(), newSide.lineText())
	fc.Added, fc.Removed = len(fc.AddedLines), len(fc.RemovedLines)
	return "", nil
}

func (s *side) lineText() string {
	if s.subject != "" {
		return s.subject + "\n"
	}
	return s.text
}

func (d *fileDiffer) read(h plumbing.Hash, s *side) error {
	b, err := object.GetBlob(d.st, h)
	if err != nil {
		return fmt.Errorf("blob %s: %w", h, err)
	}
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("blob %s: %w", h, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, d.limits.MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("blob %s: %w", h, err)
	}
	d.spent += int64(len(data))
	s.binary = isBinary(data)
	s.text = string(data)
	s.read = true
	return nil
}

func (d *fileDiffer) sniffBinary(h plumbing.Hash) (bool, error) {
	b, err := object.GetBlob(d.st, h)
	if err != nil {
		return false, fmt.Errorf("blob %s: %w", h, err)
	}
	r, err := b.Reader()
	if err != nil {
		return false, fmt.Errorf("blob %s: %w", h, err)
	}
	defer r.Close()
	head, err := io.ReadAll(io.LimitReader(r, binarySniffBytes))
	if err != nil {
		return false, fmt.Errorf("blob %s: %w", h, err)
	}
	return isBinary(head), nil
}

func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binarySniffBytes)], 0) >= 0
}

// lineDiff returns the added lines numbered in the new text and the
// removed lines numbered in the old one. Files added or deleted whole
// need no diff.
func (d *fileDiffer) lineDiff(oldText, newText string) (added, removed []ranges.Line) {
	switch {
	case oldText == newText:
		return nil, nil
	case oldText == "":
		return numberLines(newText, 1), nil
	case newText == "":
		return nil, numberLines(oldText, 1)
	}
	oldNo, newNo := 1, 1
	for _, chunk := range diff.DoWithTimeout(oldText, newText, d.limits.DiffTimeout) {
		n := countLines(chunk.Text)
		switch chunk.Type {
		case diffmatchpatch.DiffInsert:
			added = append(added, numberLines(chunk.Text, newNo)...)
			newNo += n
		case diffmatchpatch.DiffDelete:
			removed = append(removed, numberLines(chunk.Text, oldNo)...)
			oldNo += n
		default:
			oldNo += n
			newNo += n
		}
	}
	return added, removed
}

// numberLines splits text into lines (without their "\n"; a final line
// without one counts) numbered from first.
func numberLines(text string, first int) []ranges.Line {
	lines := make([]ranges.Line, 0, countLines(text))
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		lines = append(lines, ranges.Line{No: first, Text: line})
		first++
		text = rest
	}
	return lines
}

func countLines(text string) int {
	n := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		n++
	}
	return n
}
