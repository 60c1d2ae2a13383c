package config

import (
	"errors"
	"testing"

	"github.com/mcp-registry/updater/registry"
)

// FuzzParse: any bytes give a Config or errors that each name the file,
// never a panic; a Config's levels and limits are in range.
func FuzzParse(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte("automerge:\n  verifed: low\n"))
	f.Add([]byte("publishers: {verified: [a, a]}\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte(serversExample))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := Parse(Path, raw)
		if err != nil {
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("not a joined error: %v", err)
			}
			for _, e := range joined.Unwrap() {
				var fe *registry.FileError
				if !errors.As(e, &fe) || fe.Path != Path {
					t.Fatalf("problem without the file: %v", e)
				}
			}
			return
		}
		if a := c.AutoMerge; a != nil {
			for _, l := range a.Limits {
				if l < MergeNever || l > UpToHigh {
					t.Fatalf("limit out of range: %v", l)
				}
			}
			if a.Method != Squash && a.Method != Merge && a.Method != Rebase {
				t.Fatalf("method %q", a.Method)
			}
		}
		for name, s := range c.Servers {
			if !registry.ValidName(name) || s.Schedule < Always || s.Schedule > Monthly || (s.MinAge != nil && *s.MinAge < 0) {
				t.Fatalf("server %q: %+v", name, s)
			}
			for _, l := range s.Labels {
				if !validLabel(l) {
					t.Fatalf("server %q: label %q", name, l)
				}
			}
			for _, l := range append(s.Reviewers, s.Assignees...) {
				if !validLogin(l) {
					t.Fatalf("server %q: login %q", name, l)
				}
			}
		}
		for _, o := range append(c.Publishers.Verified, c.Publishers.Known...) {
			if !ownerRE.MatchString(o) {
				t.Fatalf("owner %q", o)
			}
		}
	})
}
