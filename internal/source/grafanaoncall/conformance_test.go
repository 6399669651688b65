package grafanaoncall

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/grafanaoncall/ocfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// Grafana OnCall publishes no OpenAPI document for its public API; its reference pages
// carry a JSON example per endpoint. The conformance test holds every response of the
// fake to the example of its endpoint: the same keys at every level, each value of the
// example's JSON type. Documented exceptions, each narrow:
//
//   - A null in the example says nothing about the type: any value is accepted there.
//   - Fields the pages document as absent until something happens may be null where the
//     example (a resolved alert group, a user with a zone) shows a value: see nullable.
//   - last_alert.payload is the monitoring tool's own alert payload: only its type
//     (object) is checked.
//   - An escalation policy carries the parameter of its type, which the table on
//     escalation_policies.md names; the example shows only wait and
//     notify_person_next_each_time.
//   - The alert groups example is invalid JSON upstream (a trailing comma after
//     last_alert); it is repaired in memory.

// examples maps a path (under /api/v1) to its example file in extracted-json-examples.
var examples = map[string]string{
	"/api/v1/alert_groups/":                "alertgroups__01_list_alert_groups.json",
	"/api/v1/users/":                       "users__02_list_users.json",
	"/api/v1/teams/":                       "teams__02_list_teams.json",
	"/api/v1/integrations/":                "integrations__03_list_integrations.json",
	"/api/v1/routes/":                      "routes__03_list_routes.json",
	"/api/v1/escalation_policies/":         "escalation_policies__04_list_escalation_policies.json",
	"/api/v1/schedules/":                   "schedules__03_list_schedules.json",
	"/api/v1/schedules/{id}/final_shifts":  "schedules__05_export_a_schedule_s_final_shifts.json",
	"/api/v1/resolution_notes/":            "resolution_notes__03_list_resolution_notes.json",
	"/api/v1/resolution_notes/?one-object": "resolution_notes__02_get_a_resolution_note.json", // cross-check only
}

// nullable are paths whose value may be null where the example shows a value.
var nullable = map[string]string{
	"next":                      "the last page has no next link",
	"previous":                  "the first page has no previous link",
	"results[].resolved_at":     "an open alert group is not resolved",
	"results[].resolved_by":     "an alert group resolved by its alert, not a person",
	"results[].silenced_at":     "an alert group never silenced",
	"results[].timezone":        "a user who never set a time zone (?)",
	"results[].author":          "a note whose author was deleted (?)",
	"results[].acknowledged_at": "(null in the example already)",
}

// freeForm are paths whose content is not the API's own.
var freeForm = map[string]bool{"results[].last_alert.payload": true}

// policyParams are the type-specific parameters of escalation policies used by the fake,
// as named in the parameter table of escalation_policies.md.
var policyParams = map[string]string{
	"wait":                         "duration",
	"notify_person_next_each_time": "persons_to_notify_next_each_time",
	"notify_on_call_from_schedule": "notify_on_call_from_schedule",
}

func referenceDir(t *testing.T) string {
	t.Helper()
	return sourcetest.Reference{Path: "apis/grafana-oncall", Check: "extracted-json-examples",
		Skipping: "the Grafana OnCall conformance test", What: "Grafana OnCall examples", Plural: true}.Locate(t)
}

var trailingComma = regexp.MustCompile(`,(\s*[}\]])`)

// loadExample reads an example, repairing trailing commas when it does not parse.
func loadExample(t *testing.T, dir, name string) (any, bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "extracted-json-examples", name))
	if err != nil {
		t.Fatal(err)
	}
	repaired := false
	if !json.Valid(raw) {
		raw = trailingComma.ReplaceAll(raw, []byte("$1"))
		repaired = true
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v (even after repairing trailing commas)", name, err)
	}
	return v, repaired
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// conform reports where got differs from example in keys or types.
func conform(path string, example, got any) []string {
	norm := regexp.MustCompile(`\[\d+\]`).ReplaceAllString(path, "[]")
	if example == nil {
		return nil
	}
	if got == nil {
		if _, ok := nullable[norm]; ok {
			return nil
		}
		return []string{fmt.Sprintf("%s: null, the example has %s", path, jsonType(example))}
	}
	if jsonType(example) != jsonType(got) {
		return []string{fmt.Sprintf("%s: %s, the example has %s", path, jsonType(got), jsonType(example))}
	}
	if freeForm[norm] {
		return nil
	}
	switch ex := example.(type) {
	case map[string]any:
		g := got.(map[string]any)
		var errs []string
		if strings.HasSuffix(norm, "results[]") && ex["escalation_chain_id"] != nil && ex["type"] != nil {
			return conformPolicy(path, ex, g)
		}
		for _, k := range keysOf(ex) {
			if _, ok := g[k]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			errs = append(errs, conform(join(path, k), ex[k], g[k])...)
		}
		for _, k := range keysOf(g) {
			if _, ok := ex[k]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: not in the example", path, k))
			}
		}
		return errs
	case []any:
		g := got.([]any)
		var errs []string
		for i, x := range g {
			// Each element must match one of the example's elements (schedules show an
			// iCal and a calendar variant).
			var best []string
			for j, e := range ex {
				errs := conform(fmt.Sprintf("%s[%d]", path, i), e, x)
				if j == 0 || len(errs) < len(best) {
					best = errs
				}
				if len(errs) == 0 {
					break
				}
			}
			errs = append(errs, best...)
		}
		return errs
	}
	return nil
}

// conformPolicy checks an escalation policy: the keys common to the example's policies,
// plus exactly the documented parameter of its type.
func conformPolicy(path string, ex, g map[string]any) []string {
	var errs []string
	common := []string{"id", "escalation_chain_id", "position", "type"}
	for _, k := range common {
		if _, ok := g[k]; !ok {
			errs = append(errs, fmt.Sprintf("%s.%s: missing", path, k))
		} else if jsonType(g[k]) != jsonType(ex[k]) {
			errs = append(errs, fmt.Sprintf("%s.%s: %s, the example has %s", path, k, jsonType(g[k]), jsonType(ex[k])))
		}
	}
	typ, _ := g["type"].(string)
	param, ok := policyParams[typ]
	if !ok {
		return append(errs, fmt.Sprintf("%s: type %q has no documented parameter in this test", path, typ))
	}
	for k := range g {
		if !contains(common, k) && k != param {
			errs = append(errs, fmt.Sprintf("%s.%s: not a parameter of type %s", path, k, typ))
		}
	}
	if _, ok := g[param]; !ok {
		errs = append(errs, fmt.Sprintf("%s.%s: missing (type %s)", path, param, typ))
	}
	return errs
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestFakeConformsToReferenceExamples(t *testing.T) {
	dir := referenceDir(t)
	ex := map[string]any{}
	for p, name := range examples {
		v, repaired := loadExample(t, dir, name)
		if repaired {
			t.Logf("%s: invalid JSON upstream, repaired a trailing comma in memory", name)
		}
		ex[p] = v
	}
	// The documented parameter names of the policy types the fake uses.
	doc, err := os.ReadFile(filepath.Join(dir, "oncall-api-reference", "escalation_policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	squeezed := strings.ReplaceAll(string(doc), " ", "") // the page writes `notify_on_call _from_schedule`
	for typ, param := range policyParams {
		if !strings.Contains(squeezed, "`"+typ+"`") || !strings.Contains(squeezed, "`"+param+"`") {
			t.Errorf("escalation_policies.md does not document type %s with parameter %s", typ, param)
		}
	}

	// Drive the fake through a back-fill (pages of 2, so next and previous links are
	// set), an incremental sync that reads notes and alert groups by id, and a
	// reference refresh.
	h := newHarness(t, func(f *ocfake.Server) { scenario(f); f.SetPageSize(2) }, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.PutGroup(ocfake.Group{ID: "G5", Integration: "IPAY", Route: "RPAY", Title: "Queue backlog",
		Created: at(-2 * time.Hour), Acked: at(-2*time.Hour + 90*time.Second), AckedBy: "UBEN",
		Resolved: at(5 * time.Minute), ResolvedBy: "UANA"})
	h.Fake.AddNote("N5", "G5", "UANA", at(6*time.Minute))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(2 * time.Hour)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}

	recs := h.Fake.Recorded()
	// A negative control: a response the example forbids must be caught.
	recs = append(recs, sourcetest.Recorded{Method: "GET", Path: "/api/v1/users/", Status: 200,
		Body: []byte(`{"count":1,"next":null,"previous":null,"results":[{"id":"U1","grafana_id":"456","email":"x@example.com","slack":[],"username":"x","role":"user","timezone":"UTC","teams":[],"name":"X"}],"current_page_number":1,"page_size":100,"total_pages":1}`)})
	// And one for alert groups: a numeric state, no title, a null created_at.
	var g map[string]any
	for _, rec := range recs {
		if rec.Path == "/api/v1/alert_groups/" && g == nil {
			var page map[string]any
			_ = json.Unmarshal(rec.Body, &page)
			if rs := page["results"].([]any); len(rs) > 0 {
				g = page
			}
		}
	}
	first := g["results"].([]any)[0].(map[string]any)
	first["state"], first["created_at"] = 1, nil
	delete(first, "title")
	bad, _ := json.Marshal(g)
	negatives := map[int]bool{len(recs) - 1: true, len(recs): true}
	recs = append(recs, sourcetest.Recorded{Method: "GET", Path: "/api/v1/alert_groups/", Status: 200, Body: bad})

	seen := map[string]int{}
	for i, rec := range recs {
		if rec.Status != http.StatusOK {
			t.Errorf("%s %s → %d: only 200s are expected here", rec.Method, rec.Path, rec.Status)
			continue
		}
		key := rec.Path
		if strings.HasSuffix(key, "/final_shifts") {
			key = "/api/v1/schedules/{id}/final_shifts"
		}
		example, ok := ex[key]
		if !ok {
			t.Errorf("%s: no reference example for this path", rec.Path)
			continue
		}
		var got any
		if err := json.Unmarshal(rec.Body, &got); err != nil {
			t.Errorf("%s: %v", rec.Path, err)
			continue
		}
		errs := conform("", example, got)
		if negatives[i] {
			if len(errs) < 2 {
				t.Errorf("negative control %s passed: %v", rec.Path, errs)
			}
			t.Logf("negative control %s caught: %v", rec.Path, errs)
			continue
		}
		seen[key]++
		for _, e := range errs {
			t.Errorf("%s?%s: %s", rec.Path, rec.Query, e)
		}
		if len(errs) > 0 {
			t.Logf("body: %.600s", rec.Body)
		}
	}
	// A single resolution note (the list's element) agrees with the get example too.
	if errs := conform("", ex["/api/v1/resolution_notes/?one-object"],
		ex["/api/v1/resolution_notes/"].(map[string]any)["results"].([]any)[0]); len(errs) > 0 {
		t.Errorf("the reference's own note examples disagree: %v", errs)
	}
	for p := range examples {
		if !strings.Contains(p, "?") && seen[p] == 0 {
			t.Errorf("no response of %s was checked", p)
		}
	}
	t.Logf("checked %d responses against the reference examples: %v", len(recs)-len(negatives), seen)
}
