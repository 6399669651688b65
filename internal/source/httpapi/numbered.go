package httpapi

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// Numbering is how a list is paged by page number.
type Numbering struct {
	PageParam, SizeParam string // e.g. "page" and "per_page"
	Size                 int    // records a page
	MaxPages             int    // guards against an API that never stops paging
}

// FetchNumbered reads every page of the list at path, paged by number: page n is
// requested with q plus PageParam=n and SizeParam=Size, decoded into a fresh P and
// handed to each. links says the number of the next page (nil, or not after n: this was
// the last) and the total the API reports for the list (nil: none). FetchNumbered
// reports whether the total changed between pages (records were added or moved while
// paging).
func FetchNumbered[P any, PT interface{ *P }](ctx context.Context, c *Client, path string, q url.Values, nb Numbering,
	links func(PT) (next, total *int), each func(PT)) (bool, error) {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = append([]string(nil), v...)
	}
	q2.Set(nb.SizeParam, strconv.Itoa(nb.Size))
	var total *int
	changed := false
	for n, pages := 1, 0; ; pages++ {
		if pages >= nb.MaxPages {
			return changed, fmt.Errorf("GET %s: more than %d pages", path, nb.MaxPages)
		}
		q2.Set(nb.PageParam, strconv.Itoa(n))
		pt := PT(new(P))
		if err := c.GetJSON(ctx, path, q2, pt); err != nil {
			return changed, err
		}
		each(pt)
		next, t := links(pt)
		if t != nil {
			if total != nil && *total != *t {
				changed = true
			}
			total = t
		}
		if next == nil || *next <= n {
			return changed, nil
		}
		n = *next
	}
}
