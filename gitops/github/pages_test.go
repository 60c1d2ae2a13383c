package github

import (
	"errors"
	"testing"

	"github.com/google/go-github/v66/github"
)

// eachPage follows the next page GitHub names, stops when told or on the
// last page, and ends a Link header that points back or never ends.
func TestEachPage(t *testing.T) {
	next := func(n int) *github.Response { return &github.Response{NextPage: n} }
	for _, tc := range []struct {
		name      string
		links     func(page int) *github.Response // the answer to page
		stopAt    int                             // page returns more=false here; 0: never
		wantPages int
		wantErr   error
	}{
		{"three pages", func(p int) *github.Response {
			if p < 3 {
				return next(p + 1)
			}
			return next(0)
		}, 0, 3, nil},
		{"stopped early", func(p int) *github.Response { return next(p + 1) }, 2, 2, nil},
		{"a link back", func(p int) *github.Response { return next(1) }, 0, 1, nil},
		{"never ends", func(p int) *github.Response { return next(p + 1) }, 0, maxListPages, errTooManyPages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := &github.ListOptions{Page: 1}
			pages := 0
			err := eachPage(opts, func() (*github.Response, bool, error) {
				pages++
				return tc.links(opts.Page), opts.Page != tc.stopAt, nil
			})
			if pages != tc.wantPages || !errors.Is(err, tc.wantErr) {
				t.Errorf("%d pages, err %v; want %d, %v", pages, err, tc.wantPages, tc.wantErr)
			}
		})
	}
	boom := errors.New("boom")
	if err := eachPage(&github.ListOptions{}, func() (*github.Response, bool, error) { return nil, false, boom }); err != boom {
		t.Errorf("a page's error: %v", err)
	}
}
