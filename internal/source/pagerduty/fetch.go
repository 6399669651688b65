package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// pageOf is a pointer to a decoded list page.
type pageOf[P any] interface {
	*P
	lister
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// fetchAll reads every page of a list endpoint that has no time range.
func fetchAll[P any, PT pageOf[P]](ctx context.Context, c *httpapi.Client, path string, q url.Values, each func(PT)) error {
	q = cloneQuery(q)
	q.Set("limit", strconv.Itoa(pageLimit))
	for offset := 0; ; {
		if offset+pageLimit > maxOffset {
			return fmt.Errorf("GET %s: more than %d records, the API's offset limit", path, maxOffset)
		}
		q.Set("offset", strconv.Itoa(offset))
		pt := PT(new(P))
		if err := c.GetJSON(ctx, path, q, pt); err != nil {
			return err
		}
		each(pt)
		if !*pt.pagination().More || pt.count() == 0 {
			return nil
		}
		offset += pt.count()
	}
}

// fetchRange reads every record of path in [since, until). When the range holds more
// records than offset pagination can reach (offset+limit ≤ 10000), it is split in half,
// recursively, so a busy account never hits the cap. The first page asks for total=true
// so an oversized range is detected on its first request.
func fetchRange[P any, PT pageOf[P]](ctx context.Context, c *httpapi.Client, path string, base url.Values, since, until time.Time, each func(PT)) error {
	if !since.Before(until) {
		return nil
	}
	q := cloneQuery(base)
	q.Set("since", since.UTC().Format(time.RFC3339))
	q.Set("until", until.UTC().Format(time.RFC3339))
	q.Set("limit", strconv.Itoa(pageLimit))
	var pages []PT
	split := false
	for offset := 0; ; {
		if offset+pageLimit > maxOffset {
			split = true
			break
		}
		q.Set("offset", strconv.Itoa(offset))
		if offset == 0 {
			q.Set("total", "true")
		} else {
			q.Del("total")
		}
		pt := PT(new(P))
		if err := c.GetJSON(ctx, path, q, pt); err != nil {
			return err
		}
		if p := pt.pagination(); offset == 0 && p.Total != nil && *p.Total > maxOffset {
			split = true
			break
		}
		pages = append(pages, pt)
		if !*pt.pagination().More || pt.count() == 0 {
			break
		}
		offset += pt.count()
	}
	if split {
		if until.Sub(since) < 2*time.Second {
			return fmt.Errorf("GET %s: more than %d records within %s..%s, cannot split further", path, maxOffset,
				since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))
		}
		mid := since.Add(until.Sub(since) / 2).Truncate(time.Second)
		if !mid.After(since) {
			mid = since.Add(time.Second)
		}
		if err := fetchRange(ctx, c, path, base, since, mid, each); err != nil {
			return err
		}
		return fetchRange(ctx, c, path, base, mid, until, each)
	}
	for _, p := range pages {
		each(p)
	}
	return nil
}

// fetchChunked calls fetchRange over [since, until) in chunks of at most maxRange.
func fetchChunked[P any, PT pageOf[P]](ctx context.Context, c *httpapi.Client, path string, base url.Values, since, until time.Time, maxRange time.Duration, each func(PT)) error {
	for from := since; from.Before(until); {
		to := from.Add(maxRange)
		if to.After(until) {
			to = until
		}
		if err := fetchRange(ctx, c, path, base, from, to, each); err != nil {
			return err
		}
		from = to
	}
	return nil
}
