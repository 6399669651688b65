package rootly

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hero-exporter/hero_exporter/internal/source/rootly/rootlyfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// usedPaths are the operations the source calls; the rest of the (2.9 MB) document's
// paths are dropped before loading to keep the test fast. Components stay whole.
var usedPaths = []string{"/v1/users", "/v1/teams", "/v1/escalation_policies", "/v1/incidents", "/v1/alert_events", "/v1/oncalls", "/v1/pulses"}

// loadSpec loads Rootly's own API document from $HERO_REFERENCE_DIR. Without the
// variable the test is skipped, except in CI (CI=true), where a missing variable or a
// missing file fails it.
//
// The file is named swagger.json but is an OpenAPI 3.0.1 document ("openapi": "3.0.1"),
// so it loads directly; a Swagger 2.0 document ("swagger": "2.0") is converted with
// openapi2conv.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path, raw := sourcetest.Reference{Path: "apis/rootly/swagger.json", What: "Rootly spec"}.Read(t)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if missing := sourcetest.KeepPaths(doc, usedPaths, false); len(missing) > 0 {
		t.Fatalf("spec has no path %s", missing[0])
	}
	data, _ := json.Marshal(doc)
	var spec *openapi3.T
	var err error
	switch v2, v3 := doc["swagger"], doc["openapi"]; {
	case v3 != nil:
		spec, err = openapi3.NewLoader().LoadFromData(data)
	case v2 == "2.0":
		// Should Rootly publish Swagger 2.0 again, convert it.
		var d2 openapi2.T
		if err = json.Unmarshal(data, &d2); err == nil {
			spec, err = openapi2conv.ToV3(&d2)
		}
	default:
		t.Fatalf("%s: neither an OpenAPI 3 nor a Swagger 2.0 document", path)
	}
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	patchSpecDefects(t, spec)
	return spec
}

// patchSpecDefects fixes, in memory, where Rootly's document contradicts itself or its
// own prose, so that a faithful response can validate. Each patch is narrow:
//
//  1. The document's introduction says every endpoint answers 429 with
//     {"error": "Rate limit exceeded. Try again later."} when the key's budget is
//     spent, but no operation lists a 429. Each used operation gets that response.
//  2. The introduction says requests authenticate with a bearer token, and some list
//     operations document the 401 (errors_list) while others (teams, escalation
//     policies, incidents, alert events) do not; they get the same 401.
//  3. GET /v1/alert_events documents no error response although its page[size] is
//     bounded ("max 50") and a bad filter is refused; it gets the 400 (errors_list) the
//     incidents list documents.
//  4. GET /v1/oncalls documents a 404 "when alerting is disabled"; GET /v1/alert_events,
//     the feed of the same add-on (Rootly On-Call), documents none. It gets the same
//     404, which the source reads as "no pages for this account".
func patchSpecDefects(t *testing.T, doc *openapi3.T) {
	t.Helper()
	errorsList := doc.Components.Schemas["errors_list"]
	if errorsList == nil {
		t.Fatal("spec has no errors_list schema")
	}
	jsonAPI := func(desc string, schema *openapi3.SchemaRef) *openapi3.ResponseRef {
		return &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(desc).
			WithContent(openapi3.Content{"application/vnd.api+json": openapi3.NewMediaType().WithSchemaRef(schema)})}
	}
	rateLimited := openapi3.NewObjectSchema().WithProperty("error", openapi3.NewStringSchema())
	rateLimited.Required = []string{"error"}
	tooMany := jsonAPI("rate limit exceeded (documented in the introduction)", rateLimited.NewRef())
	for _, p := range usedPaths {
		op := doc.Paths.Value(p).Get
		op.Responses.Set("429", tooMany)
		if op.Responses.Status(http.StatusUnauthorized) == nil {
			op.Responses.Set("401", jsonAPI("invalid token", errorsList))
		}
	}
	ev := doc.Paths.Value("/v1/alert_events").Get
	if ev.Responses.Status(http.StatusBadRequest) == nil {
		ev.Responses.Set("400", jsonAPI("invalid pagination or filter", errorsList))
	}
	if ev.Responses.Status(http.StatusNotFound) == nil {
		ev.Responses.Set("404", jsonAPI("alerting is disabled", errorsList))
	}
}

// TestFakeConformsToOpenAPI drives the fake through every response it can give (the
// scenario back-fill and an incremental sync, a rate-limit storm, auth failure, the
// offset cap, no On-Call, bad pagination) and validates each recorded response against
// swagger.json. Deliberately broken responses of the fault tests (malformed JSON, HTML,
// 5xx) are not recorded.
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
	h.Fake.Resolve("I4", at(5*time.Minute), "102")
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%2 == 0 {
			w.Header().Set("Retry-After", "1")
			rootlyfake.RateLimited(w)
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Fake.SetFault(nil)
	// Error bodies: bad page size, bad cursor, offset cap, no On-Call.
	for _, p := range []string{"/v1/alert_events?page%5Bsize%5D=51", "/v1/alert_events?page%5Bafter%5D=nope",
		"/v1/incidents?page%5Bsize%5D=5000"} {
		req, _ := http.NewRequest(http.MethodGet, "http://fake"+p, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		h.Fake.ServeHTTP(sourcetest.Discard{}, req)
	}
	all = append(all, h.Fake.Recorded()...)

	capped := newHarness(t, bulk(300, 1, 5*24*time.Hour), nil)
	capped.Fake.SetOffsetCap(200)
	if err := capped.Sync(t); err != nil {
		t.Fatal(err)
	}
	all = append(all, capped.Fake.Recorded()...)
	noOC := newHarness(t, scenario, nil)
	noOC.Fake.SetNoOnCall(true)
	if err := noOC.Sync(t); err != nil {
		t.Fatal(err)
	}
	all = append(all, noOC.Fake.Recorded()...)
	bad := newHarness(t, scenario, func(c *Config) { c.Token = "wrong" })
	_ = bad.Sync(t)
	all = append(all, bad.Fake.Recorded()...)

	// A negative control: a response the spec forbids must be caught.
	all = append(all, sourcetest.Recorded{Method: "GET", Path: "/v1/users", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/vnd.api+json"}},
		Body: []byte(`{"data":[{"id":"1","type":"users","attributes":{"email":5,"created_at":"x","updated_at":"x"}}],` +
			`"links":{"self":"s","first":"f","prev":null,"next":null,"last":null},"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_count":1,"total_pages":1}}`)})

	// The change feed's schema is checked too: a negative control of its own.
	sourcetest.ValidateResponses(t, router, []sourcetest.Recorded{{Method: "GET", Path: "/v1/pulses", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/vnd.api+json"}}, Body: []byte(`{"data":[{"id":"P1","type":"pulses","attributes":{"summary":5,"created_at":"2026-11-20T11:00:00Z","updated_at":"2026-11-20T11:00:00Z"}}],"links":{"self":"s","first":"f","prev":null,"next":null,"last":null},"meta":{"current_page":1,"next_page":null,"prev_page":null,"total_count":1,"total_pages":1}}`)}},
		sourcetest.Validation{Host: "https://api.rootly.com", Negative: "negative control: a pulse with a numeric summary validated"})

	seen := sourcetest.ValidateResponses(t, router, all, sourcetest.Validation{Host: "https://api.rootly.com",
		Negative: "negative control: a user with a numeric email validated", BodyLimit: 600,
	})
	tooMany := false
	for k := range seen {
		tooMany = tooMany || strings.HasSuffix(k, " Too Many Requests")
	}
	if !tooMany {
		t.Error("no 429 response was validated")
	}
	for _, want := range []string{"/v1/users OK", "/v1/teams OK", "/v1/escalation_policies OK", "/v1/incidents OK",
		"/v1/alert_events OK", "/v1/oncalls OK", "/v1/pulses OK", "/v1/incidents Bad Request", "/v1/alert_events Bad Request",
		"/v1/oncalls Not Found", "/v1/alert_events Not Found", "/v1/users Unauthorized"} {
		if !seen[want] {
			t.Errorf("no %q response was validated", want)
		}
	}
}
