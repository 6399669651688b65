package incidentio

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hero-exporter/hero_exporter/internal/source/incidentio/iofake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// loadSpec loads incident.io's own OpenAPI 3 document from $HERO_REFERENCE_DIR. Without
// the variable the test is skipped, except in CI (CI=true), where a missing variable
// or file fails it.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path, raw := sourcetest.Reference{Path: "apis/incident-io/openapi3.json", What: "incident.io spec"}.Read(t)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sourcetest.KeepPaths(doc, usedPaths, true)
	data, _ := json.Marshal(doc)
	spec, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	return spec
}

// usedPaths are the operations the source calls; the rest of the (large) document's
// paths are dropped before loading. Components stay whole.
var usedPaths = []string{"/v2/incidents", "/v2/incidents/{id}", "/v2/escalations", "/v2/incident_updates",
	"/v2/users", "/v2/schedules", "/v2/escalation_paths", "/v2/schedule_entries"}

// TestFakeConformsToOpenAPI drives the fake through every response it can give (the
// scenario back-fill, an incremental sync that fetches an incident by id and
// escalations by incident, paged schedule entries, a rate-limit storm, auth failure
// and bad requests) and validates each recorded response against openapi3.json.
//
// The document describes only the 200 response of each operation: error responses
// (401, 404, 422, 429) have no schema to validate against. For them the test checks
// that the route exists in the document and that the body has the shape incident.io
// documents for errors ({"type", "status", "request_id", "errors": [{"code",
// "message"}]}), which is also what the source's error messages read.
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
		h.Fake.AddUpdate("I5", "UP5", "closed", "U2", at(5*time.Minute))
		h.Fake.AddEvent("E1", iofake.Event{ID: "E1late", Kind: "acked", At: at(6 * time.Minute), Users: []string{"U2"}})
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// Paged lists: more than one page of incidents, escalations, updates and entries.
	paged := newHarness(t, bulk(300, 30*24*time.Hour), nil)
	paged.Fake.Update(func() {
		for k := range 120 {
			paged.Fake.AddEntry("SCH1", "U2", at(time.Duration(-k)*12*time.Hour), at(time.Duration(-k)*12*time.Hour+time.Hour))
		}
	})
	if err := paged.Sync(t); err != nil {
		t.Fatal(err)
	}
	all = append(all, paged.Fake.Recorded()...)
	for _, p := range []string{"/v2/incidents/NOPE", "/v2/incidents?page_size=251", "/v2/escalations?page_size=51"} {
		req, _ := http.NewRequest(http.MethodGet, "http://fake"+p, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		h.Fake.ServeHTTP(sourcetest.Discard{}, req)
	}
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%2 == 0 {
			iofake.RateLimited(w, 1)
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
		Body:   []byte(`{"users":[{"id":"U1","name":"Ana","role":"responder"}],"pagination_meta":{"page_size":25}}`)})

	seen := sourcetest.ValidateResponses(t, router, all, sourcetest.Validation{Host: "https://api.incident.io",
		Negative: "negative control: a user without base_role, seats and is_active validated",
		Check: func(rec sourcetest.Recorded) bool {
			if rec.Status < 300 {
				return false
			}
			var e struct {
				Type   string `json:"type"`
				Status int    `json:"status"`
				Errors []struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"errors"`
			}
			if json.Unmarshal(rec.Body, &e) != nil || e.Type == "" || e.Status != rec.Status || len(e.Errors) == 0 || e.Errors[0].Message == "" {
				t.Errorf("%s %s → %d: not an incident.io error body: %s", rec.Method, rec.Path, rec.Status, rec.Body)
			}
			return true
		},
	})
	for _, want := range []string{"/v2/incidents OK", "/v2/incidents/{id} OK", "/v2/escalations OK", "/v2/incident_updates OK",
		"/v2/users OK", "/v2/schedules OK", "/v2/escalation_paths OK", "/v2/schedule_entries OK",
		"/v2/incidents/{id} Not Found", "/v2/incidents Unprocessable Entity", "/v2/users Unauthorized", "/v2/incidents Too Many Requests"} {
		if !seen[want] {
			t.Errorf("no %q response was validated", want)
		}
	}
}
