package grafanaoncall

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// fetchAll reads every page of a list endpoint, following the next links. first, when
// not nil, sees the first page before each is called (for its count).
func fetchAll[T checker](ctx context.Context, s *Source, path string, q url.Values, first func(*listPage[T]) bool, each func(T)) error {
	seen := map[string]bool{}
	for n := 0; ; n++ {
		if n >= maxPages {
			return fmt.Errorf("GET %s: more than %d pages", path, maxPages)
		}
		var p listPage[T]
		if err := s.client.GetJSON(ctx, path, q, &p); err != nil {
			return err
		}
		if n == 0 && first != nil && !first(&p) {
			return nil
		}
		for _, x := range *p.Results {
			each(x)
		}
		if p.Next == nil || *p.Next == "" || len(*p.Results) == 0 {
			return nil
		}
		if seen[*p.Next] {
			return fmt.Errorf("GET %s: the next link repeats a page already read", path)
		}
		seen[*p.Next] = true
		np, nq, err := s.relative(*p.Next)
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		path, q = np, nq
	}
}

// relative turns a next link into a path and query against the configured base URL.
// The link's scheme and host are ignored, so the token is only ever sent to the base
// URL's host (behind a proxy OnCall may build links with its own internal host). The
// base URL's path prefix (e.g. /oncall) is taken off; a link that does not carry it is
// cut at /api/.
func (s *Source) relative(next string) (string, url.Values, error) {
	u, err := url.Parse(next)
	if err != nil {
		return "", nil, errors.New("the next link does not parse as a URL")
	}
	p := u.Path
	switch {
	case s.basePath != "" && strings.HasPrefix(p, s.basePath+"/"):
		p = strings.TrimPrefix(p, s.basePath)
	case strings.HasPrefix(p, "/api/"):
	default:
		i := strings.Index(p, "/api/")
		if i < 0 {
			return "", nil, errors.New("the next link is not an API path")
		}
		p = p[i:]
	}
	return p, u.Query(), nil
}
