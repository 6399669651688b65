package grafanaoncall

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/grafanaoncall/ocfake"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	// Page size 2 so that every list is read through its next links.
	h := newHarness(t, func(f *ocfake.Server) { scenario(f); f.SetPageSize(2) }, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink

	if got := s.People["UCAI"]; got.TimeZone != "Europe/London" || got.Email != "cai@example.com" || got.Name != "cai" {
		t.Errorf("null time zone → %+v", got)
	}
	if got := s.People["UANA"]; got.TimeZone != "Europe/Berlin" || got.Source != "oc" {
		t.Errorf("ana = %+v", got)
	}
	if got := s.Teams["Payments"].Members; !reflect.DeepEqual(got, []string{"UANA", "UBEN"}) {
		t.Errorf("Payments members %v", got)
	}
	if got := s.Teams["Platform"].Members; !reflect.DeepEqual(got, []string{"UCAI"}) {
		t.Errorf("Platform members %v", got)
	}
	if _, ok := s.Incidents["G0"]; ok {
		t.Error("G0 is older than the history and was stored")
	}
	if len(s.Incidents) != 6 {
		t.Errorf("stored %d incidents, want 6", len(s.Incidents))
	}
	g1 := s.Incidents["G1"]
	want1 := incident.Incident{Source: "oc", ID: "G1", Title: "DB down", Team: "Payments", Service: "checkout-alerts",
		Severity: incident.SeverityUnknown, EscalationPolicy: "CPAY",
		CreatedAt: at(-72 * time.Hour), AcknowledgedAt: at(-72*time.Hour + 2*time.Minute),
		ResolvedAt: at(-72*time.Hour + 30*time.Minute)}
	if g1 != want1 {
		t.Errorf("G1\n got %+v\nwant %+v", g1, want1)
	}
	if got := s.EngagementsOf("G1"); !reflect.DeepEqual(got, []string{"UANA:acknowledge", "UANA:resolve", "UBEN:note"}) {
		t.Errorf("G1 engagements %v", got)
	}
	// Resolved by the alert itself: no person engaged; team through the integration.
	if got := s.EngagementsOf("G3"); len(got) != 0 {
		t.Errorf("G3 engagements %v", got)
	}
	if g3 := s.Incidents["G3"]; g3.Team != "Platform" || g3.ResolvedAt != at(-30*time.Hour+20*time.Minute) || !g3.AcknowledgedAt.IsZero() {
		t.Errorf("G3 %+v", g3)
	}
	// A non-default route selects its own escalation chain.
	if g4 := s.Incidents["G4"]; g4.EscalationPolicy != "CCERT" {
		t.Errorf("G4 %+v", g4)
	}
	if g5 := s.Incidents["G5"]; !g5.ResolvedAt.IsZero() || g5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("G5 %+v", g5)
	}
	if g6 := s.Incidents["G6"]; !g6.ResolvedAt.IsZero() || g6.Team != "Platform" {
		t.Errorf("G6 (silenced) %+v", g6)
	}
	if len(s.Pages) != 0 {
		t.Errorf("%d pages from a source without notification records", len(s.Pages))
	}
	// Shifts: one per chain notifying the schedule; the unused schedule is not read.
	if len(s.Shifts) != 2 {
		t.Errorf("shifts %v", s.Shifts)
	}
	for _, sh := range s.Shifts {
		if sh.PersonID == "UANA" && (sh.EscalationPolicy != "CPAY" || sh.Start != at(-100*24*time.Hour) || sh.End != at(10*24*time.Hour)) {
			t.Errorf("shift %+v", sh)
		}
	}
	for _, r := range h.Fake.Requests() {
		if strings.Contains(r, "SIDLE") {
			t.Errorf("final shifts of an unused schedule were read: %s", r)
		}
		if !strings.HasPrefix(r, "GET "+prefix+"/api/v1/") {
			t.Errorf("request outside the API: %s", r)
		}
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil {
		t.Fatal(err)
	}
	if c.CompleteUntil != base || len(c.Open) != 2 || c.Open["G5"].Ack != at(-2*time.Hour+90*time.Second) ||
		c.Integrations["IPAY"].Chain != "CPAY" || c.Routes["RCERT"] != "CCERT" {
		t.Errorf("cursor %s", s.Cursor)
	}
	if !strings.Contains(strings.Join(h.Fake.Requests(), "\n"), "page=2") {
		t.Error("no next link was followed")
	}
	t.Logf("scenario back-fill, page size 2: %d requests: %s", h.Fake.RequestCount(), fmtCounts(byPath(h)))
}

func TestIncrementalKeepsOpenGroupsCurrent(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// G5 resolves with a note; G6 (silenced, open) is unacknowledged... and acknowledged
	// by cai, then unacknowledged (acknowledged_at null again); a new G7 arrives.
	h.Clock.Advance(10 * time.Minute)
	h.Fake.PutGroup(ocfake.Group{ID: "G5", Integration: "IPAY", Route: "RPAY", Title: "Queue backlog",
		Created: at(-2 * time.Hour), Acked: at(-2*time.Hour + 90*time.Second), AckedBy: "UBEN",
		Resolved: at(5 * time.Minute), ResolvedBy: "UANA"})
	h.Fake.AddNote("N5", "G5", "UANA", at(6*time.Minute))
	h.Fake.PutGroup(ocfake.Group{ID: "G7", Integration: "IPLT", Route: "RPLT", Title: "New one",
		Created: at(3 * time.Minute), Acked: at(4 * time.Minute), AckedBy: "UCAI"})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if g5 := s.Incidents["G5"]; g5.ResolvedAt != at(5*time.Minute) || g5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("G5 after resolve %+v", g5)
	}
	if got := s.EngagementsOf("G5"); !reflect.DeepEqual(got, []string{"UANA:note", "UANA:resolve", "UBEN:acknowledge"}) {
		t.Errorf("G5 engagements %v", got)
	}
	if g7, ok := s.Incidents["G7"]; !ok || g7.AcknowledgedAt != at(4*time.Minute) || g7.Team != "Platform" {
		t.Errorf("G7 %+v", g7)
	}
	t.Logf("incremental sync, 1 resolved + 1 new: %d requests: %s", h.Fake.RequestCount(), fmtCounts(byPath(h)))
	// window + 3 open states + G5 by id (resolved: in no list) + G5's notes.
	if n := h.Fake.RequestCount(); n != 6 {
		t.Errorf("incremental sync took %d requests:\n%s", n, strings.Join(h.Fake.Requests(), "\n"))
	}

	// G7 is unacknowledged (acknowledged_at null again): its first acknowledgement stays.
	h.Clock.Advance(time.Minute)
	h.Fake.PutGroup(ocfake.Group{ID: "G7", Integration: "IPLT", Route: "RPLT", Title: "New one", Created: at(3 * time.Minute)})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if g7 := s.Incidents["G7"]; g7.AcknowledgedAt != at(4*time.Minute) {
		t.Errorf("G7 after unacknowledge %+v", g7)
	}
	// G7 resolves long after the window moved on and is found by id; G6 is deleted.
	h.Clock.Advance(3 * time.Hour)
	h.Fake.PutGroup(ocfake.Group{ID: "G7", Integration: "IPLT", Route: "RPLT", Title: "New one",
		Created: at(3 * time.Minute), Resolved: at(3 * time.Hour), ResolvedBy: "UCAI"})
	h.Fake.DeleteGroup("G6")
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if g7 := s.Incidents["G7"]; g7.ResolvedAt != at(3*time.Hour) || g7.AcknowledgedAt != at(4*time.Minute) {
		t.Errorf("G7 after resolve %+v", g7)
	}
	if !strings.Contains(h.Logs.String(), "no longer exist") {
		t.Error("the deleted open group was not reported")
	}
	var c cursor
	_ = json.Unmarshal([]byte(s.Cursor), &c)
	if len(c.Open) != 0 {
		t.Errorf("cursor still holds open groups: %v", c.Open)
	}
	t.Logf("sync with reference refresh, 1 resolved by id, 1 deleted: %d requests: %s", h.Fake.RequestCount(), fmtCounts(byPath(h)))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Request counts of a back-fill, idle syncs and a reference refresh, against bounds
// computed from the page sizes.
func TestRequestCounts(t *testing.T) {
	const n, notesEvery = 1000, 4
	h := newHarness(t, func(f *ocfake.Server) { ocfake.Bulk(f, base, n, notesEvery, 80*24*time.Hour) }, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	notes := ceilDiv(n, notesEvery)
	if len(h.Sink.Incidents) != n || len(h.Sink.Engagements) != 2*n+notes {
		t.Fatalf("stored %d incidents, %d engagements", len(h.Sink.Incidents), len(h.Sink.Engagements))
	}
	back := h.Fake.RequestCount()
	// alert groups by 50, notes by 50, 3 open-state lists, 6 reference lists, 1 schedule.
	bound := ceilDiv(n, 50) + ceilDiv(notes, 50) + 3 + 6 + 1
	t.Logf("back-fill of %d alert groups with %d notes: %d requests (bound %d): %s", n, notes, back, bound, fmtCounts(byPath(h)))
	if back > bound {
		t.Errorf("back-fill took %d requests, want ≤ %d", back, bound)
	}
	for range 3 {
		h.SyncAfter(t, time.Minute)
		if idle := h.Fake.RequestCount(); idle != 4 {
			t.Errorf("idle sync took %d requests: %v", idle, h.Fake.Requests())
		}
	}
	t.Logf("idle incremental sync: 4 requests (window + 3 open states)")
	h.SyncAfter(t, time.Hour)
	t.Logf("idle sync with reference refresh: %d requests: %s", h.Fake.RequestCount(), fmtCounts(byPath(h)))
	if n := h.Fake.RequestCount(); n != 4+6+1 {
		t.Errorf("refresh sync took %d requests", n)
	}
	// The client-side limiter held the back-fill to 300 requests per 5 minutes: the
	// fake clock advanced instead of sleeping.
	t.Logf("limiter waits on the fake clock: %v", h.Clock.Slept())
}

func TestManyResolvedGroupsReadNotesOrgWide(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	for i, id := range []string{"H1", "H2", "H3", "H4", "H5"} {
		c := at(time.Duration(i+1) * time.Minute)
		h.Fake.PutGroup(ocfake.Group{ID: id, Integration: "IPAY", Route: "RPAY", Title: "burst",
			Created: c, Resolved: c.Add(time.Minute), ResolvedBy: "UANA"})
	}
	h.Fake.AddNote("NH3", "H3", "UBEN", at(5*time.Minute))
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if got := h.Sink.EngagementsOf("H3"); !reflect.DeepEqual(got, []string{"UANA:resolve", "UBEN:note"}) {
		t.Errorf("H3 engagements %v", got)
	}
	// 5 groups need notes; the org-wide list is one page: 4 + 1 requests, not 4 + 5.
	if n := byPath(h)["/api/v1/resolution_notes/"]; n != 1 {
		t.Errorf("read notes with %d requests: %v", n, h.Fake.Requests())
	}
}

func TestRateLimitStorms(t *testing.T) {
	for name, hdr := range map[string]map[string]string{
		"retry-after": {"Retry-After": "30"},
		"no headers":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			h.Fake.SetFault(sourcetest.Storm(4, hdr, func(w http.ResponseWriter) {
				ocfake.Detail(w, http.StatusTooManyRequests, "Request was throttled. Expected available in 30 seconds.")
			}))
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			if len(h.Sink.Incidents) != 6 {
				t.Errorf("incidents %d", len(h.Sink.Incidents))
			}
			if st := h.Src.APIStats(); st.Requests["429"] != 4 {
				t.Errorf("stats %+v", st)
			}
			if slept := h.Clock.Slept(); hdr != nil && slept < 4*30*time.Second || hdr == nil && slept < 7*time.Second {
				t.Errorf("slept only %v", slept)
			}
		})
	}
	t.Run("endless", func(t *testing.T) {
		h := newHarness(t, scenario, nil)
		h.Fake.SetFault(sourcetest.Always(func(w http.ResponseWriter) { ocfake.Detail(w, http.StatusTooManyRequests, "Request was throttled.") }))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /api/v1/teams/") || !strings.Contains(err.Error(), "HTTP 429") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if strings.HasSuffix(r.URL.Path, "/alert_groups/") && n < 14 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["502"] == 0 || len(h.Sink.Incidents) != 6 {
		t.Errorf("stats %+v, incidents %d", st, len(h.Sink.Incidents))
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	// 400 ms: long enough that no other request of a loaded, race-instrumented run
	// comes near it.
	h := newHarness(t, scenario, func(c *Config) { c.Timeout = 400 * time.Millisecond })
	h.Fake.SetFault(sourcetest.HangOnce(t, sourcetest.PathSuffix("/alert_groups/")))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["error"] != 1 || len(h.Sink.Incidents) != 6 {
		t.Errorf("stats %+v incidents %d", st, len(h.Sink.Incidents))
	}
}

// A broken response fails the sync with an error naming the endpoint; what an earlier
// sync stored stays, and the cursor does not move.
func TestBrokenResponsesFailTheSyncAndKeepData(t *testing.T) {
	cases := map[string]struct {
		path string
		body string
		ct   string
		want string
	}{
		"malformed json": {"/alert_groups/", `{"count": 1, "next": null, "results": [{"id": "G9", "created_at": `, "application/json",
			"GET /api/v1/alert_groups/: HTTP 200: malformed JSON"},
		"html page": {"/alert_groups/", "<!DOCTYPE html><html><body>Grafana is starting</body></html>", "text/html",
			"GET /api/v1/alert_groups/: HTTP 200: response is not JSON"},
		"missing field": {"/alert_groups/", `{"count":1,"next":null,"previous":null,"results":[{"id":"G9","state":"new"}]}`, "application/json",
			"GET /api/v1/alert_groups/: HTTP 200: unexpected response shape: results[0]: alert group G9: missing field created_at"},
		"wrong type": {"/alert_groups/", `{"count":1,"next":null,"previous":null,"results":[{"id":"G9","state":"new","created_at":"2026-11-20T12:00:00Z","acknowledged_by":7}]}`,
			"application/json", "GET /api/v1/alert_groups/: HTTP 200: malformed JSON"},
		"missing results": {"/alert_groups/", `{"count":0,"next":null,"previous":null}`, "application/json",
			"GET /api/v1/alert_groups/: HTTP 200: unexpected response shape: missing field results"},
		"bad next link": {"/alert_groups/", `{"count":3,"next":"https://elsewhere.example.com/nothing/here","previous":null,"results":[{"id":"G1","state":"new","created_at":"2026-11-20T12:00:00Z"}]}`,
			"application/json", "GET /api/v1/alert_groups/: the next link is not an API path"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			before := h.Sink.Cursor
			stored := len(h.Sink.Incidents)
			writes := h.Sink.Writes
			h.Clock.Advance(time.Minute)
			h.Fake.SetFault(sourcetest.Respond(sourcetest.PathSuffix(tc.path), tc.ct, tc.body))
			err := h.Sync(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %q", err, tc.want)
			}
			if h.Sink.Cursor != before || len(h.Sink.Incidents) != stored || h.Sink.Writes != writes {
				t.Errorf("stored state changed: %d incidents, %d writes", len(h.Sink.Incidents), h.Sink.Writes)
			}
		})
	}
}

// next links are followed against the configured base URL whatever host they name, so
// the token never leaves for another host.
func TestNextLinkHostIsIgnored(t *testing.T) {
	h := newHarness(t, nil, nil)
	for _, tc := range []struct{ next, path, query string }{
		{"https://oncall-internal:8080/oncall/api/v1/alert_groups/?page=2&started_at=x", "/api/v1/alert_groups/", "page=2&started_at=x"},
		{"http://evil.example.com/api/v1/users/?page=3", "/api/v1/users/", "page=3"},
		{"/oncall/api/v1/teams/?page=2", "/api/v1/teams/", "page=2"},
		{"https://proxy/rewritten/api/v1/routes/?page=2", "/api/v1/routes/", "page=2"},
	} {
		p, q, err := h.Src.relative(tc.next)
		if err != nil || p != tc.path || q.Encode() != tc.query {
			t.Errorf("relative(%q) = %q %q %v", tc.next, p, q.Encode(), err)
		}
	}
}

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Token = "wrong-" + testToken })
	err := h.Src.Sync(t.Context(), "", h.Sink)
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/api/v1/teams/", "GET /api/v1/teams/: HTTP 401: Invalid token.")
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "oc", Token: "x"}}, nil); err == nil || !strings.Contains(err.Error(), "base_url is required") {
		t.Errorf("missing base URL: %v", err)
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "oc", BaseURL: "https://oncall.example.com"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "oc", BaseURL: "https://u:p@oncall.example.com", Token: "x"}}, nil); err == nil {
		t.Error("credentials in the base URL accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "oc", BaseURL: "https://oncall.example.com", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "oc", BaseURL: "https://oncall.example.com/oncall/", Token: "x"}}, nil)
	if err != nil || s.cfg.History != httpapi.DefaultHistory || s.cfg.RequestsPerMinute != 60 || s.Type() != "grafanaoncall" || s.basePath != "/oncall" {
		t.Errorf("defaults: %+v %v", s, err)
	}
	if c := s.Capabilities(); c != (incident.Capabilities{People: true, Engagements: true, OnCall: true}) {
		t.Errorf("capabilities %+v", c)
	}
}

func TestHistoryBoundsTheBackfillAndBadCursorRestartsIt(t *testing.T) {
	h := newHarness(t, func(f *ocfake.Server) { ocfake.Bulk(f, base, 120, 0, 120*24*time.Hour) },
		func(c *Config) { c.History = 30 * 24 * time.Hour })
	if err := h.Src.Sync(t.Context(), `{"v":1,"complete_until":"garbage"`, h.Sink); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Sink.Incidents); n != 30 {
		t.Errorf("back-filled %d alert groups, want 30", n)
	}
	if !strings.Contains(h.Logs.String(), "unreadable sync cursor") {
		t.Error("a bad cursor was not reported")
	}
	for _, r := range h.Fake.Requests() {
		if strings.Contains(r, "final_shifts") && !strings.Contains(r, "start_date=2026-10-21") {
			t.Errorf("final shifts not bounded by history: %s", r)
		}
	}
}

func TestFinalShiftsChunkedBy365Days(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.History = 400 * 24 * time.Hour })
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if n := byPath(h)["/api/v1/schedules/{id}/final_shifts"]; n != 4 { // 2 schedules × 2 ranges
		t.Errorf("final_shifts requests %d: %v", n, h.Fake.Requests())
	}
	if len(h.Sink.Shifts) != 2 {
		t.Errorf("shifts %d (a shift in both ranges must be stored once)", len(h.Sink.Shifts))
	}
}

// Newer OnCall versions send alert group labels; a "severity" label sets the severity.
func TestSeverityFromAlertGroupLabels(t *testing.T) {
	h := newHarness(t, func(f *ocfake.Server) {
		scenario(f)
		for id, sev := range map[string]string{"L1": "critical", "L2": "P2", "L3": "warning", "L4": "whatever"} {
			f.PutGroup(ocfake.Group{ID: id, Integration: "IPAY", Route: "RPAY", Title: "labelled", Created: at(-time.Hour),
				Labels: map[string]string{"Severity": sev, "team": "x"}})
		}
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]incident.Severity{"L1": incident.SeverityCritical, "L2": incident.SeverityHigh,
		"L3": incident.SeverityLow, "L4": incident.SeverityUnknown, "G1": incident.SeverityUnknown} {
		if got := h.Sink.Incidents[id].Severity; got != want {
			t.Errorf("%s: severity %s, want %s", id, got, want)
		}
	}
}

// Acknowledged by ben, unacknowledged, acknowledged by ana: both engaged, MTTA from ben's.
func TestReacknowledgedByAnotherPerson(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(5 * time.Minute)
	h.Fake.PutGroup(ocfake.Group{ID: "G5", Integration: "IPAY", Route: "RPAY", Title: "Queue backlog",
		Created: at(-2 * time.Hour), Acked: at(3 * time.Minute), AckedBy: "UANA"})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if got := h.Sink.EngagementsOf("G5"); !reflect.DeepEqual(got, []string{"UANA:acknowledge", "UBEN:acknowledge"}) {
		t.Errorf("G5 engagements %v", got)
	}
	if g5 := h.Sink.Incidents["G5"]; g5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("G5 first acknowledgement %v", g5.AcknowledgedAt)
	}
}
