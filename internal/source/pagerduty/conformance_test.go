package pagerduty

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hero-exporter/hero_exporter/internal/source/pagerduty/pdfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// loadSpec loads PagerDuty's own OpenAPI document from $HERO_REFERENCE_DIR. Without the
// variable the test is skipped, except in CI (CI=true), where a missing variable or a
// missing file fails it.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path, raw := sourcetest.Reference{Path: "apis/pagerduty/openapiv3.json", What: "PagerDuty spec"}.Read(t)
	data, err := prepareSpec(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	patchSpecDefects(t, doc)
	return doc
}

// usedPaths are the operations the source calls; the rest of the (large) document's
// paths are dropped before loading to keep the test fast. Components stay whole.
var usedPaths = []string{"/users", "/teams", "/teams/{id}/members", "/services", "/escalation_policies",
	"/incidents", "/incidents/{id}", "/incidents/{id}/log_entries", "/log_entries", "/oncalls", "/change_events"}

// prepareSpec keeps the used paths and inlines every $ref that points inside another
// component of a different kind (e.g. a schema at
// #/components/responses/Conflict/content/application~1json/schema): the document is
// valid JSON Reference, but kin-openapi's loader resolves a ref by the component kind
// of its prefix and rejects these.
func prepareSpec(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	sourcetest.KeepPaths(doc, usedPaths, false)
	resolve := func(ref string) (any, bool) {
		var cur any = doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			switch c := cur.(type) {
			case map[string]any:
				cur = c[part]
			case []any:
				i, err := strconv.Atoi(part)
				if err != nil || i >= len(c) {
					return nil, false
				}
				cur = c[i]
			default:
				return nil, false
			}
		}
		return cur, cur != nil
	}
	var walk func(x any, depth int) any
	walk = func(x any, depth int) any {
		switch v := x.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && len(v) == 1 && depth < 32 {
				parts := strings.Split(ref, "/")
				if len(parts) > 4 && parts[2] != "schemas" {
					if target, ok := resolve(ref); ok {
						return walk(deepCopy(target), depth+1)
					}
				}
				return v
			}
			for k, e := range v {
				v[k] = walk(e, depth)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e, depth)
			}
		}
		return x
	}
	walk(doc, 0)
	return json.Marshal(doc)
}

func deepCopy(x any) any {
	b, _ := json.Marshal(x)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// patchSpecDefects fixes, in memory, the places where PagerDuty's document contradicts
// itself, so that a faithful response can validate at all. Each patch is narrow:
//
//  1. AcknowledgeLogEntry pins type to "acknowledgement_log_entry" while the LogEntry it
//     extends (allOf) only allows "acknowledge_log_entry" (the name the API sends):
//     no acknowledgement could ever validate. The variant is given the real name.
//  2. Channel is a oneOf of five variants with no required or distinguishing fields, so
//     any channel object matches several of them and oneOf fails. The oneOf is dropped;
//     the properties common to all channels (type required, notification typed) stay.
//  3. Incident.resolved_at is documented as "null if the incident is not resolved" but
//     not marked nullable.
//  4. User.time_zone is null for users who follow the account's time zone (the issue's
//     "null means the account's zone") but not marked nullable.
//  5. GET /services documents no 429, which every endpoint can return under the
//     per-key rate limit; it gets the shared TooManyRequests response.
func patchSpecDefects(t *testing.T, doc *openapi3.T) {
	t.Helper()
	sch := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("spec has no schema %s", name)
		}
		return ref.Value
	}
	prop := func(s *openapi3.Schema, name string) *openapi3.Schema {
		for _, part := range append([]*openapi3.SchemaRef{{Value: s}}, s.AllOf...) {
			if p := part.Value.Properties[name]; p != nil && p.Value != nil {
				return p.Value
			}
		}
		t.Fatalf("spec: no property %s", name)
		return nil
	}
	ack := sch("AcknowledgeLogEntry").AllOf[1].Value.Properties["type"].Value
	ack.Enum = append(ack.Enum, "acknowledge_log_entry")
	sch("Channel").OneOf = nil
	prop(sch("Incident"), "resolved_at").Nullable = true
	prop(sch("User"), "time_zone").Nullable = true
	tooMany := doc.Components.Responses["TooManyRequests"]
	for _, p := range usedPaths {
		op := doc.Paths.Value(p).Get
		if op.Responses.Status(http.StatusTooManyRequests) == nil {
			op.Responses.Set("429", tooMany)
		}
	}
}

// TestFakeConformsToOpenAPI drives the fake through every response it can give (the
// scenario back-fill and incremental sync, a rate-limit storm, auth failure, and the
// error bodies of bad requests) and validates each recorded response against
// openapiv3.json. Deliberately broken responses of the fault tests (malformed JSON, HTML,
// 5xx) are not recorded.
func TestFakeConformsToOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	var all []sourcetest.Recorded
	// Back-fill and an incremental sync that fetches by id and per-incident log entries.
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Resolve("PI5", at(5*time.Minute))
	h.Fake.AddLog("L5r", "resolve_log_entry", "PI5", at(5*time.Minute), "PBEN", nil)
	h.Fake.AddLog("L1late", "annotate_log_entry", "PI1", at(4*time.Minute), "PBEN", nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// Error bodies: 404, 400 (limit and offset caps), 401, 429.
	for _, p := range []string{"/incidents/PNOPE", "/log_entries?limit=101", "/users?offset=9950&limit=100", "/teams/PNOPE/members"} {
		req, _ := http.NewRequest(http.MethodGet, "http://fake"+p, nil)
		req.Header.Set("Authorization", "Token token="+testToken)
		req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
		h.Fake.ServeHTTP(sourcetest.Discard{}, req)
	}
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%2 == 0 {
			w.Header().Set("ratelimit-reset", "1")
			pdfake.APIError(w, http.StatusTooManyRequests, 2020, "Rate Limit Exceeded")
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

	// A negative control: a response the spec forbids must be caught, or the whole
	// check proves nothing.
	all = append(all, sourcetest.Recorded{Method: "GET", Path: "/users", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"users":[{"id":"PX","type":"user","name":"X","email":5}],"limit":100,"offset":0,"more":false,"total":null}`)})

	// The change feed's schema is checked too: a negative control of its own.
	sourcetest.ValidateResponses(t, router, []sourcetest.Recorded{{Method: "GET", Path: "/change_events", Status: 200, Negative: true,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"change_events":[{"id":"PC1","type":"change_event","summary":"Deployed","timestamp":5,"services":[]}],"limit":100,"offset":0,"more":false,"total":null}`)}},
		sourcetest.Validation{Host: "https://api.pagerduty.com", Negative: "negative control: a change event with a numeric timestamp validated"})

	seen := sourcetest.ValidateResponses(t, router, all, sourcetest.Validation{Host: "https://api.pagerduty.com",
		Negative: "negative control: a user with a numeric email validated"})
	for _, want := range []string{"/log_entries OK", "/incidents OK", "/incidents/{id} OK", "/incidents/{id}/log_entries OK",
		"/oncalls OK", "/change_events OK", "/users OK", "/teams/{id}/members OK", "/incidents/{id} Not Found", "/log_entries Bad Request",
		"/users Unauthorized", "/log_entries Too Many Requests"} {
		if !seen[want] {
			t.Errorf("no %q response was validated", want)
		}
	}
}
