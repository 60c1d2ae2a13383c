package github

import (
	"fmt"

	"github.com/google/go-github/v66/github"
)

// listPageSize is GitHub's maximum page size; one request per page.
const listPageSize = 100

// maxListPages bounds a listing so a misbehaving server (or a Link header
// that never ends) cannot keep the bot paging forever: 1000 pages of 100.
const maxListPages = 1000

// errTooManyPages is a listing past maxListPages.
var errTooManyPages = fmt.Errorf("more than %d pages", maxListPages)

// eachPage is the one way the client pages through a listing: page reads
// the page opts points at and says whether to go on; the next page is the
// one GitHub's Link header names, and a header that points back or past
// maxListPages ends it (errTooManyPages for the latter).
func eachPage(opts *github.ListOptions, page func() (resp *github.Response, more bool, err error)) error {
	for pages := 0; ; pages++ {
		if pages == maxListPages {
			return errTooManyPages
		}
		resp, more, err := page()
		if err != nil || !more {
			return err
		}
		if resp.NextPage == 0 || resp.NextPage <= opts.Page {
			return nil
		}
		opts.Page = resp.NextPage
	}
}
