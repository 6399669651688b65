package opsgenie

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hero-exporter/hero_exporter/internal/source/opsgenie/ogfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// loadSpec loads Opsgenie's own Swagger 2.0 document from $HERO_REFERENCE_DIR and
// converts it to OpenAPI 3 with kin-openapi's openapi2conv. Without the variable the
// test is skipped, except in CI (CI=true), where a missing variable or file fails it.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path, raw := sourcetest.Reference{Path: "apis/opsgenie/swagger.json", What: "Opsgenie spec"}.Read(t)
	raw, err := keepPaths(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		t.Fatalf("converting %s to OpenAPI 3: %v", path, err)
	}
	return doc
}

// usedPaths are the operations the source calls; the rest of the document's paths are
// dropped before converting. Definitions stay whole.
var usedPaths = []string{"/v2/alerts", "/v2/alerts/{identifier}", "/v2/alerts/{identifier}/logs",
	"/v2/alerts/{identifier}/notes", "/v2/alerts/{identifier}/recipients", "/v2/users", "/v2/teams",
	"/v2/teams/{identifier}", "/v2/schedules", "/v2/schedules/{identifier}/timeline", "/v2/escalations"}

func keepPaths(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	sourcetest.KeepPaths(doc, usedPaths, true)
	// The document files a few schemas (DeprecatedAlertPolicy, …) under "parameters";
	// they are no parameters ("in" is missing, "required" is a list) and no used path
	// refers to them, but they stop the Swagger 2.0 parser. They are dropped.
	if params, ok := doc["parameters"].(map[string]any); ok {
		for k, v := range params {
			if p, ok := v.(map[string]any); !ok || p["in"] == nil {
				delete(params, k)
			}
		}
	}
	return json.Marshal(doc)
}

// TestFakeConformsToSwagger drives the fake through every response it can give (the
// scenario back-fill and an incremental sync that fetches a closed alert by id, a
// throttling storm, auth failure, and the error bodies of bad requests) and validates
// each recorded response against swagger.json. Deliberately broken responses of the
// fault tests (malformed JSON, HTML, 5xx) are not recorded.
//
// No schema is patched. The 429 response lists no X-RateLimit-* headers (the 200s do);
// kin-openapi does not check headers a response does not list, so the fake's
// throttling headers pass as they are.
func TestFakeConformsToSwagger(t *testing.T) {
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
	h.Fake.Update(func() { h.Fake.Close("A5", 2*time.Hour+5*time.Minute, "ben@example.com") })
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// Paged logs and users: more than one page each.
	paged := newHarness(t, bulk(150, 24*time.Hour), nil)
	paged.Fake.Update(func() {
		for i := range 120 {
			paged.Fake.AddLog("AX00001", "Alert snoozed", "System", at(-23*time.Hour+time.Duration(i)*time.Second), "system")
		}
	})
	if err := paged.Sync(t); err != nil {
		t.Fatal(err)
	}
	all = append(all, paged.Fake.Recorded()...)
	// Error bodies: 404, 422 (limit too large), 401, 429.
	for _, p := range []string{"/v2/alerts/NOPE", "/v2/alerts?limit=101", "/v2/teams/NOPE?identifierType=id", "/v2/alerts/NOPE/logs"} {
		req, _ := http.NewRequest(http.MethodGet, "http://fake"+p, nil)
		req.Header.Set("Authorization", "GenieKey "+testToken)
		h.Fake.ServeHTTP(sourcetest.Discard{}, req)
	}
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%2 == 0 {
			ogfake.Throttle(w, true)
			return true
		}
		return false
	})
	h.Clock.Advance(2 * time.Hour)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	all = append(all, h.Fake.Recorded()...)
	bad := newHarness(t, scenario, func(c *Config) { c.Token = "wrong" })
	_ = bad.Sync(t)
	all = append(all, bad.Fake.Recorded()...)

	// A negative control: a response the spec forbids must be caught.
	all = append(all, sourcetest.Recorded{Method: "GET", Path: "/v2/users", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"data":[{"id":"U1","username":"x@example.com","timeZone":5}],"took":0.1,"requestId":"r"}`)})

	seen := sourcetest.ValidateResponses(t, router, all, sourcetest.Validation{Host: "https://api.opsgenie.com",
		Negative: "negative control: a user with a numeric timeZone validated",
	})
	for _, want := range []string{"/v2/alerts OK", "/v2/alerts/{identifier} OK", "/v2/alerts/{identifier}/logs OK",
		"/v2/alerts/{identifier}/notes OK", "/v2/alerts/{identifier}/recipients OK", "/v2/users OK", "/v2/teams OK",
		"/v2/teams/{identifier} OK", "/v2/schedules OK", "/v2/schedules/{identifier}/timeline OK", "/v2/escalations OK",
		"/v2/alerts/{identifier} Not Found", "/v2/alerts Unprocessable Entity", "/v2/users Unauthorized",
		"/v2/alerts Too Many Requests"} {
		if !seen[want] {
			t.Errorf("no %q response was validated", want)
		}
	}
}
