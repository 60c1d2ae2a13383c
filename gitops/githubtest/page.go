package githubtest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// GitHub's page sizes.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageBounds reads per_page and page and returns the slice bounds of the
// requested page of total items.
func pageBounds(w http.ResponseWriter, r *http.Request, total int) (start, end int, ok bool) {
	perPage, page, err := pageParams(r)
	if err != nil {
		badRequest(w, err.Error())
		return 0, 0, false
	}
	start = min((page-1)*perPage, total)
	end = min(start+perPage, total)
	return start, end, true
}

func pageParams(r *http.Request) (perPage, page int, err error) {
	perPage, page = defaultPerPage, 1
	q := r.URL.Query()
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, errors.New("Invalid per_page")
		}
		perPage = min(n, maxPerPage)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, errors.New("Invalid page")
		}
		page = n
	}
	return perPage, page, nil
}

// writePage answers with one page of a listing and GitHub's Link header
// (first, prev, next, last, as they apply).
func writePage(w http.ResponseWriter, r *http.Request, items any, total int) {
	perPage, page, _ := pageParams(r) // validated by pageBounds
	last := max((total+perPage-1)/perPage, 1)
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, items)
}
