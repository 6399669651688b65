package sourcetest

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Validation says how ValidateResponses checks recorded responses.
type Validation struct {
	// Host is the API's origin the recorded paths are resolved against, e.g.
	// "https://api.pagerduty.com".
	Host string
	// Negative is the error when a response marked Negative validates, e.g.
	// "negative control: a user with a numeric email validated".
	Negative string
	// Check, when set, may check a response itself and return true: it is then not
	// validated against the document.
	Check func(rec Recorded) bool
	// BodyLimit is how much of a non-conforming body an error shows (default 400).
	BodyLimit int
}

// ValidateResponses validates each response against the route router finds for it and
// returns the "route-path status-text" pairs seen (e.g. "/incidents OK").
func ValidateResponses(t testing.TB, router routers.Router, recs []Recorded, v Validation) map[string]bool {
	t.Helper()
	limit := v.BodyLimit
	if limit == 0 {
		limit = 400
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		req, _ := http.NewRequest(rec.Method, v.Host+rec.Path+"?"+rec.Query, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s %s: no route in the spec: %v", rec.Method, rec.Path, err)
			continue
		}
		seen[route.Path+" "+http.StatusText(rec.Status)] = true
		if v.Check != nil && v.Check(rec) {
			continue
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 rec.Status,
			Header:                 rec.Header,
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		in.SetBodyBytes(rec.Body)
		err = openapi3filter.ValidateResponse(context.Background(), in)
		if rec.Negative {
			if err == nil {
				t.Error(v.Negative)
			}
			continue
		}
		if err != nil {
			msg := err.Error()
			if len(msg) > 3000 {
				msg = msg[:3000]
			}
			t.Errorf("%s %s?%s → %d does not conform:\n%s\nbody: %.*s", rec.Method, rec.Path, rec.Query, rec.Status, msg, limit, rec.Body)
		}
	}
	kinds := make([]string, 0, len(seen))
	for k := range seen {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	t.Logf("validated %d responses: %s", len(recs), strings.Join(kinds, ", "))
	return seen
}

// Discard is a ResponseWriter that drops the response (for driving a fake directly
// when only what it records matters).
type Discard struct{}

// Header is a fresh header.
func (Discard) Header() http.Header { return http.Header{} }

// Write drops b.
func (Discard) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader drops the status.
func (Discard) WriteHeader(int) {}

// KeepPaths drops from the decoded OpenAPI or Swagger document doc every path but
// used, and with getOnly every operation of those but GET: a large document loads
// faster. It returns the used paths doc lacks.
func KeepPaths(doc map[string]any, used []string, getOnly bool) (missing []string) {
	paths, _ := doc["paths"].(map[string]any)
	kept := map[string]any{}
	for _, p := range used {
		v, ok := paths[p]
		if getOnly {
			var item map[string]any
			if item, ok = v.(map[string]any); ok {
				v = map[string]any{"get": item["get"]}
			}
		}
		if !ok {
			missing = append(missing, p)
			continue
		}
		kept[p] = v
	}
	doc["paths"] = kept
	return missing
}
