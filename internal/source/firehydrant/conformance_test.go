package firehydrant

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hero-exporter/hero_exporter/internal/source/firehydrant/fhfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// usedPaths are the operations the source calls; the document's other paths are
// dropped after loading. Components stay whole.
var usedPaths = []string{"/v1/users", "/v1/teams", "/v1/incidents", "/v1/incidents/{incident_id}/events",
	"/v1/incidents/{incident_id}/milestones", "/v1/changes/events"}

// loadSpec loads FireHydrant's own OpenAPI document from $HERO_REFERENCE_DIR. Without
// the variable the test is skipped, except in CI (CI=true), where a missing variable or
// a missing file fails it.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path, raw := sourcetest.Reference{Path: "apis/firehydrant/openapi.yaml", What: "FireHydrant spec"}.Read(t)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("%s: expected an OpenAPI 3 document, got %q", path, doc.OpenAPI)
	}
	kept := openapi3.NewPaths()
	for _, p := range usedPaths {
		item := doc.Paths.Value(p)
		if item == nil || item.Get == nil {
			t.Fatalf("spec has no GET %s", p)
		}
		kept.Set(p, item)
	}
	doc.Paths = kept
	patchSpecDefects(t, doc)
	return doc
}

// patchSpecDefects adds, in memory, what FireHydrant's document states in prose but not
// in its operations, so that a faithful response can validate. Each patch is narrow:
//
//  1. The introduction documents that rate-limited requests get a 429 with
//     {"error": "rate limit exceeded"} and Retry-After; no operation lists a 429. Each
//     used operation gets that response.
//  2. Every request is authenticated (the introduction), yet no operation lists a 401;
//     the per-incident lists (events, milestones) list no 404 for an unknown incident,
//     and the paginated lists no 400 for a bad page size. Each gets the document's own
//     ErrorEntity as its body.
//
// Nothing in the documented 200 bodies needed patching.
func patchSpecDefects(t *testing.T, doc *openapi3.T) {
	t.Helper()
	errEntity := doc.Components.Schemas["ErrorEntity"]
	if errEntity == nil {
		t.Fatal("spec has no ErrorEntity schema")
	}
	resp := func(desc string, schema *openapi3.SchemaRef) *openapi3.ResponseRef {
		return &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(desc).
			WithContent(openapi3.Content{"application/json": openapi3.NewMediaType().WithSchemaRef(schema)})}
	}
	rateLimited := openapi3.NewObjectSchema().WithProperty("error", openapi3.NewStringSchema())
	rateLimited.Required = []string{"error"}
	for _, p := range usedPaths {
		op := doc.Paths.Value(p).Get
		op.Responses.Set("429", resp("rate limited (documented in the introduction)", rateLimited.NewRef()))
		op.Responses.Set("401", resp("unauthorized", errEntity))
		op.Responses.Set("400", resp("bad request", errEntity))
		if strings.Contains(p, "{incident_id}") {
			op.Responses.Set("404", resp("no such incident", errEntity))
		}
	}
}

// TestFakeConformsToOpenAPI drives the fake through every response it can give and
// validates each recorded one against openapi.yaml. Deliberately broken responses of the
// fault tests (malformed JSON, HTML, 5xx) are not recorded.
func TestFakeConformsToOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	var all []sourcetest.Recorded
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Update(func() {
		in := h.Fake.Incident("F4")
		in.Milestones = append(in.Milestones, fhfake.Milestone{ID: "m4r", Slug: "resolved", At: at(5 * time.Minute), By: fhfake.Ana()})
		in.Updated = at(5 * time.Minute)
	})
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%2 == 0 {
			w.Header().Set("Retry-After", "1")
			fhfake.RateLimited(w)
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Fake.SetFault(nil)
	for _, p := range []string{"/v1/incidents/NOPE/events", "/v1/incidents/NOPE/milestones", "/v1/incidents?per_page=500"} {
		req, _ := http.NewRequest(http.MethodGet, "http://fake"+p, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		h.Fake.ServeHTTP(sourcetest.Discard{}, req)
	}
	all = append(all, h.Fake.Recorded()...)
	bad := newHarness(t, scenario, func(c *Config) { c.Token = "wrong" })
	_ = bad.Sync(t)
	all = append(all, bad.Fake.Recorded()...)
	// A negative control: a response the spec forbids must be caught.
	all = append(all, sourcetest.Recorded{Method: "GET", Path: "/v1/users", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"data":[{"id":"u","name":"x","email":5}],"pagination":{"count":1,"page":1,"next":null}}`)})

	// The change feed's schema is checked too: a negative control of its own.
	sourcetest.ValidateResponses(t, router, []sourcetest.Recorded{{Method: "GET", Path: "/v1/changes/events", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"data":[{"id":"FC1","summary":"Deploy","starts_at":5,"services":[]}],"pagination":{"count":1,"page":1,"next":null}}`)}},
		sourcetest.Validation{Host: "https://api.firehydrant.io", Negative: "negative control: a change event with a numeric starts_at validated"})

	seen := sourcetest.ValidateResponses(t, router, all, sourcetest.Validation{Host: "https://api.firehydrant.io",
		Negative: "negative control: a user with a numeric email validated", BodyLimit: 600,
	})
	tooMany := false
	for k := range seen {
		tooMany = tooMany || strings.HasSuffix(k, " Too Many Requests")
	}
	if !tooMany {
		t.Error("no 429 response was validated")
	}
	for _, want := range []string{"/v1/users OK", "/v1/teams OK", "/v1/incidents OK", "/v1/incidents/{incident_id}/events OK",
		"/v1/incidents/{incident_id}/milestones OK", "/v1/changes/events OK", "/v1/incidents/{incident_id}/events Not Found",
		"/v1/incidents Bad Request", "/v1/users Unauthorized"} {
		if !seen[want] {
			t.Errorf("no %q response was validated", want)
		}
	}
}
