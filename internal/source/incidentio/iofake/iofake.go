// Package iofake is a fake incident.io API for tests: the real paths (/v2/incidents,
// /v2/incidents/{id}, /v2/escalations, /v2/incident_updates, /v2/users, /v2/schedules,
// /v2/escalation_paths, /v2/schedule_entries), cursor pagination (after, page_size,
// pagination_meta; schedule entries page by re-sending pagination_meta.after as
// entry_window_start), the filters the source uses (created_at[gte], updated_at[gte],
// incident[one_of], incident_id, schedule_id), page-size limits, Bearer
// authentication and incident.io's error bodies ({"type":…,"status":…,"errors":[…]}),
// serving fixtures built in Go.
//
// The source's conformance test validates every 2xx response this fake gives against
// incident.io's own openapi3.json.
package iofake

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// Obj is a JSON object of a fixture.
type Obj = map[string]any

type entry struct {
	schedule, user string
	start, end     time.Time
}

// Server is the fake. It is an http.Handler; serve it with httptest.NewServer.
type Server struct {
	sourcetest.Recorder

	token string

	mu          sync.Mutex
	users       []Obj
	schedules   []Obj
	paths       []Obj
	entries     []entry
	incidents   []Obj
	escalations []Obj
	updates     []Obj
	seq         int
}

// New returns an empty fake that accepts token.
func New(token string) *Server { return &Server{token: token} }

// Update runs fn with the fake locked, for changing fixtures while it serves.
func (f *Server) Update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	sourcetest.WriteJSON(w, status, "application/json", v)
}

// APIError writes an incident.io error body.
func APIError(w http.ResponseWriter, status int, typ, code, msg string) {
	writeJSON(w, status, Obj{"type": typ, "status": status, "request_id": "2d3b5c1e-0f9a-4b7e-9c1d-5a6b7c8d9e0f",
		"errors": []Obj{{"code": code, "message": msg}}})
}

// RateLimited writes incident.io's 429, with Retry-After (seconds) when retryAfter ≥ 0.
func RateLimited(w http.ResponseWriter, retryAfter int) {
	if retryAfter >= 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	APIError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "rate_limit_exceeded", "Rate limit exceeded: 1200 requests per minute")
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		APIError(w, http.StatusNotFound, "not_found", "not_found", "Not found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		APIError(w, http.StatusUnauthorized, "authentication_error", "unauthenticated", "The API key provided is not valid")
		return
	}
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case p == "/v2/incidents":
		f.listIncidents(w, q)
	case strings.HasPrefix(p, "/v2/incidents/"):
		id := strings.TrimPrefix(p, "/v2/incidents/")
		for _, in := range f.incidents {
			if in["id"] == id {
				writeJSON(w, http.StatusOK, Obj{"incident": in})
				return
			}
		}
		APIError(w, http.StatusNotFound, "not_found", "not_found", "Incident not found")
	case p == "/v2/escalations":
		f.listEscalations(w, q)
	case p == "/v2/incident_updates":
		var out []Obj
		for _, u := range f.updates {
			if id := q.Get("incident_id"); id == "" || u["incident_id"] == id {
				out = append(out, u)
			}
		}
		f.page(w, q, "incident_updates", out, 250, false)
	case p == "/v2/users":
		f.page(w, q, "users", f.users, 10000, false)
	case p == "/v2/schedules":
		f.page(w, q, "schedules", f.schedules, 10000, true)
	case p == "/v2/escalation_paths":
		f.page(w, q, "escalation_paths", f.paths, 50, false)
	case p == "/v2/schedule_entries":
		f.listEntries(w, q)
	default:
		APIError(w, http.StatusNotFound, "not_found", "not_found", "Not found")
	}
}

func timeFilter(w http.ResponseWriter, q url.Values, key string) (time.Time, bool, bool) {
	v := q.Get(key)
	if v == "" {
		return time.Time{}, false, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.Parse("2006-01-02", v); err != nil {
			APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_value", key+" must be a date or date-time")
			return t, false, false
		}
	}
	return t, true, true
}

func parseTS(o Obj, k string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, o[k].(string))
	return t
}

func (f *Server) listIncidents(w http.ResponseWriter, q url.Values) {
	cgte, hasC, ok := timeFilter(w, q, "created_at[gte]")
	if !ok {
		return
	}
	ugte, hasU, ok := timeFilter(w, q, "updated_at[gte]")
	if !ok {
		return
	}
	sortBy := q.Get("sort_by")
	if sortBy != "" && sortBy != "created_at_newest_first" && sortBy != "created_at_oldest_first" {
		APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_value", "sort_by is not valid")
		return
	}
	var out []Obj
	for _, in := range f.incidents {
		if hasC && parseTS(in, "created_at").Before(cgte) || hasU && parseTS(in, "updated_at").Before(ugte) {
			continue
		}
		out = append(out, in)
	}
	sort.SliceStable(out, func(i, j int) bool { return parseTS(out[i], "created_at").Before(parseTS(out[j], "created_at")) })
	if sortBy != "created_at_oldest_first" {
		slices.Reverse(out)
	}
	f.page(w, q, "incidents", out, 250, true)
}

func (f *Server) listEscalations(w http.ResponseWriter, q url.Values) {
	ugte, hasU, ok := timeFilter(w, q, "updated_at[gte]")
	if !ok {
		return
	}
	oneOf := q["incident[one_of]"]
	var out []Obj
	for _, e := range f.escalations {
		if hasU && parseTS(e, "updated_at").Before(ugte) {
			continue
		}
		if len(oneOf) > 0 {
			match := false
			for _, ri := range e["related_incidents"].([]Obj) {
				match = match || slices.Contains(oneOf, ri["id"].(string))
			}
			if !match {
				continue
			}
		}
		out = append(out, e)
	}
	f.page(w, q, "escalations", out, 50, false)
}

// page serves items after the one whose id is "after", page_size at a time (at most
// maxSize), with pagination_meta.after the last id when more follow.
func (f *Server) page(w http.ResponseWriter, q url.Values, key string, items []Obj, maxSize int, total bool) {
	size := 25
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSize {
			APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_value",
				fmt.Sprintf("page_size must be between 1 and %d", maxSize))
			return
		}
		size = n
	}
	start := 0
	if a := q.Get("after"); a != "" {
		start = -1
		for i, it := range items {
			if it["id"] == a {
				start = i + 1
			}
		}
		if start < 0 {
			APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_cursor", "after does not name a record of this list")
			return
		}
	}
	pageItems := []Obj{}
	if start < len(items) {
		pageItems = items[start:min(start+size, len(items))]
	}
	meta := Obj{"page_size": size}
	if start+size < len(items) {
		meta["after"] = pageItems[len(pageItems)-1]["id"]
	}
	if total {
		meta["total_record_count"] = len(items)
	}
	writeJSON(w, http.StatusOK, Obj{key: pageItems, "pagination_meta": meta})
}

// entriesPerPage is how many final entries one schedule_entries response holds.
const entriesPerPage = 50

func (f *Server) listEntries(w http.ResponseWriter, q url.Values) {
	sid := q.Get("schedule_id")
	found := false
	for _, s := range f.schedules {
		found = found || s["id"] == sid
	}
	if !found {
		APIError(w, http.StatusNotFound, "not_found", "not_found", "Schedule not found")
		return
	}
	end, err := time.Parse(time.RFC3339, q.Get("entry_window_end"))
	if err != nil {
		APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_value", "entry_window_end must be a date-time")
		return
	}
	// entry_window_start is a date-time, or the opaque cursor of a previous page.
	rawStart, offset := q.Get("entry_window_start"), 0
	if c, ok := strings.CutPrefix(rawStart, "cur_"); ok {
		parts := strings.SplitN(c, "_", 2)
		if len(parts) != 2 {
			APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_cursor", "bad cursor")
			return
		}
		offset, _ = strconv.Atoi(parts[0])
		rawStart = parts[1]
	}
	start, err := time.Parse(time.RFC3339, strings.ReplaceAll(rawStart, "~", ":"))
	if err != nil {
		APIError(w, http.StatusUnprocessableEntity, "validation_error", "invalid_value", "entry_window_start must be a date-time")
		return
	}
	var all []Obj
	for _, e := range f.entries {
		if e.schedule != sid || !e.start.Before(end) || !e.end.After(start) {
			continue
		}
		s, en := e.start, e.end
		if s.Before(start) {
			s = start
		}
		if en.After(end) {
			en = end
		}
		all = append(all, Obj{"entry_id": fmt.Sprintf("ent-%s-%s-%d", sid, e.user, e.start.Unix()), "rotation_id": "rot-" + sid,
			"layer_id": "layer-" + sid, "fingerprint": fmt.Sprintf("fp-%d", e.start.Unix()),
			"start_at": TS(s), "end_at": TS(en), "user": f.UserRef(e.user)})
	}
	pageItems := []Obj{}
	if offset < len(all) {
		pageItems = all[offset:min(offset+entriesPerPage, len(all))]
	}
	body := Obj{"schedule_entries": Obj{"final": pageItems, "scheduled": []Obj{}, "overrides": []Obj{}}}
	if offset+entriesPerPage < len(all) {
		cur := fmt.Sprintf("cur_%d_%s", offset+entriesPerPage, strings.ReplaceAll(TS(start), ":", "~"))
		body["pagination_meta"] = Obj{"after": cur, "after_url": "/v2/schedule_entries?schedule_id=" + sid + "&entry_window_start=" + cur}
	}
	writeJSON(w, http.StatusOK, body)
}

// ---- fixture builders (call before serving, or inside Update) ----

// TS formats t as incident.io renders times.
func TS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

const stamp = "2024-01-02T10:00:00.000000Z"

// AddUser adds a user.
func (f *Server) AddUser(id, name, email string) {
	f.users = append(f.users, Obj{"id": id, "name": name, "email": email, "role": "responder", "is_active": true,
		"slack_user_id": "U" + id, "base_role": Obj{"id": "01BASEROLE", "name": "Responder", "slug": "responder"},
		"custom_roles": []Obj{}, "seats": Obj{"on_call": "full_access", "response": "full_access"}})
}

// UserRef is a UserV2 of a user added before.
func (f *Server) UserRef(id string) Obj {
	for _, u := range f.users {
		if u["id"] == id {
			return Obj{"id": id, "name": u["name"], "email": u["email"], "role": "responder"}
		}
	}
	return Obj{"id": id, "name": id, "role": "unset"}
}

// AddSchedule adds a schedule in time zone tz.
func (f *Server) AddSchedule(id, name, tz string) {
	f.schedules = append(f.schedules, Obj{"id": id, "name": name, "timezone": tz, "team_ids": []string{},
		"permalink": "https://app.incident.io/acme/on-call/schedules/" + id, "created_at": stamp, "updated_at": stamp,
		"annotations": Obj{}})
}

// AddEntry puts user on call on a schedule over [start, end) (a final entry).
func (f *Server) AddEntry(schedule, user string, start, end time.Time) {
	f.entries = append(f.entries, entry{schedule: schedule, user: user, start: start, end: end})
}

// AddPath adds an escalation path of the team called name (its catalog entry is
// "01CAT"+NAME, as the incidents' Team field) whose levels target the given schedules,
// in order.
func (f *Server) AddPath(id, name string, levels ...string) {
	nodes := []Obj{}
	for i, sch := range levels {
		nodes = append(nodes, Obj{"id": fmt.Sprintf("%s-n%d", id, i+1), "type": "level", "level": Obj{
			"ack_mode": "first", "time_to_ack_seconds": 300,
			"targets": []Obj{{"id": sch, "type": "schedule", "urgency": "high", "schedule_mode": "currently_on_call"}}}})
	}
	f.paths = append(f.paths, Obj{"id": id, "name": name, "path": nodes, "team_ids": []string{"01CAT" + strings.ToUpper(name)}})
}

// Status returns an IncidentStatusV2 of a category.
func Status(category string) Obj {
	name := map[string]string{"triage": "Triage", "live": "Investigating", "learning": "Documenting", "closed": "Closed",
		"declined": "Declined", "merged": "Merged", "canceled": "Canceled", "paused": "Paused"}[category]
	return Obj{"id": "01STATUS" + strings.ToUpper(category), "name": name, "description": name + " status", "rank": 1,
		"category": category, "created_at": stamp, "updated_at": stamp}
}

// Incident describes an incident fixture. Severity is a name ("Critical", "Major",
// "Minor") or ""; Team and Service fill the "Team" and "Affected services" catalog
// custom fields; Lead is the incident lead's user id; Resolved, when set, fills the
// "Resolved at" timestamp.
type Incident struct {
	ID, Name, Severity, Category, Mode, Team, Service, Lead string
	Created, Resolved                                       time.Time
}

// AddIncident adds an incident and returns its JSON object for further changes.
func (f *Server) AddIncident(s Incident) Obj {
	f.seq++
	mode := s.Mode
	if mode == "" {
		mode = "standard"
	}
	field := func(id, name, value string) Obj {
		return Obj{"custom_field": Obj{"id": id, "name": name, "description": name, "field_type": "single_select", "options": []Obj{}},
			"values": []Obj{{"value_catalog_entry": Obj{"id": "01CAT" + strings.ToUpper(value), "name": value}}}}
	}
	fields := []Obj{}
	if s.Team != "" {
		fields = append(fields, field("01FIELDTEAM", "Team", s.Team))
	}
	if s.Service != "" {
		fields = append(fields, field("01FIELDSERVICE", "Affected services", s.Service))
	}
	in := Obj{"id": s.ID, "reference": fmt.Sprintf("INC-%d", f.seq), "name": s.Name, "visibility": "public", "mode": mode,
		"creator": Obj{"user": f.UserRef("U1")}, "incident_status": Status(s.Category),
		"incident_role_assignments": []Obj{}, "custom_field_entries": fields, "slack_team_id": "T02A1FSLE8J",
		"slack_channel_id": "C02AW36C1M5", "created_at": TS(s.Created), "updated_at": TS(s.Created),
		"incident_timestamp_values": []Obj{}, "summary": s.Name}
	if s.Severity != "" {
		rank := map[string]int{"Minor": 1, "Major": 2, "Critical": 3}[s.Severity]
		in["severity"] = Obj{"id": "01SEV" + strings.ToUpper(s.Severity), "name": s.Severity, "description": s.Severity,
			"rank": rank, "created_at": stamp, "updated_at": stamp}
	}
	if s.Lead != "" {
		f.addRole(in, "01ROLELEAD", "Incident Lead", "lead", s.Lead)
	}
	if !s.Resolved.IsZero() {
		in["incident_timestamp_values"] = []Obj{{"incident_timestamp": Obj{"id": "01TSRESOLVED", "name": "Resolved at", "rank": 4},
			"value": Obj{"value": TS(s.Resolved)}}}
		f.touch(in, s.Resolved)
	}
	f.incidents = append(f.incidents, in)
	return in
}

func (f *Server) addRole(in Obj, roleID, name, typ, user string) {
	in["incident_role_assignments"] = append(in["incident_role_assignments"].([]Obj), Obj{"assignee": f.UserRef(user),
		"role": Obj{"id": roleID, "name": name, "shortform": strings.ToLower(name), "description": name,
			"instructions": "Take charge", "role_type": typ, "required": typ == "lead", "created_at": stamp, "updated_at": stamp}})
}

// AddRole assigns a custom role to user on incident id.
func (f *Server) AddRole(id, roleID, name, user string) {
	f.addRole(f.Incident(id), roleID, name, "custom", user)
}

// Incident returns the JSON object of an incident added before.
func (f *Server) Incident(id string) Obj {
	for _, in := range f.incidents {
		if in["id"] == id {
			return in
		}
	}
	panic("iofake: no incident " + id)
}

func (f *Server) touch(o Obj, at time.Time) {
	if at.After(parseTS(o, "updated_at")) {
		o["updated_at"] = TS(at)
	}
}

// AddUpdate appends an incident update moving incident id into category, by user (""
// for a workflow), and sets the incident's status.
func (f *Server) AddUpdate(id, uid, category, user string, at time.Time) {
	in := f.Incident(id)
	updater := Obj{"workflow": Obj{"id": "01WORKFLOW", "name": "Auto-close"}}
	if user != "" {
		updater = Obj{"user": f.UserRef(user)}
	}
	f.updates = append(f.updates, Obj{"id": uid, "incident_id": id, "created_at": TS(at), "message": "Status update",
		"new_incident_status": Status(category), "updater": updater})
	in["incident_status"] = Status(category)
	f.touch(in, at)
}

// Event is one escalation event: kind notified_users or acked (or any other), its
// time and users.
type Event struct {
	ID, Kind string
	At       time.Time
	Users    []string
}

// AddEscalation adds an escalation of incident inc on path, from an alert with dedup
// key ("" for none), with events.
func (f *Server) AddEscalation(id, inc, path, dedup string, created time.Time, events ...Event) Obj {
	in := f.Incident(inc)
	category := map[string]string{"live": "active", "learning": "post-incident"}
	cat := in["incident_status"].(Obj)["category"].(string)
	if c, ok := category[cat]; ok {
		cat = c
	}
	e := Obj{"id": id, "created_at": TS(created), "updated_at": TS(created), "status": "triggered", "title": in["name"],
		"description": "", "priority": Obj{"name": "P1"}, "creator": Obj{"alert": Obj{"id": "01ALERT" + id, "title": in["name"]}},
		"escalation_path_id": path, "events": []Obj{},
		"related_incidents": []Obj{{"id": inc, "external_id": 1, "name": in["name"], "reference": in["reference"],
			"visibility": "public", "status_category": cat}},
		"related_alerts": []Obj{}}
	if dedup != "" {
		e["related_alerts"] = []Obj{{"id": "01ALERT" + id, "title": in["name"], "deduplication_key": dedup,
			"alert_source_id": "01SOURCE", "status": "firing", "created_at": TS(created), "updated_at": TS(created)}}
	}
	f.escalations = append(f.escalations, e)
	for _, ev := range events {
		f.AddEvent(id, ev)
	}
	return e
}

// AddEvent appends an event to escalation id.
func (f *Server) AddEvent(id string, ev Event) {
	for _, e := range f.escalations {
		if e["id"] != id {
			continue
		}
		users := []Obj{}
		for _, u := range ev.Users {
			users = append(users, f.UserRef(u))
		}
		e["events"] = append(e["events"].([]Obj), Obj{"id": ev.ID, "event": ev.Kind, "occurred_at": TS(ev.At), "users": users, "urgency": "high"})
		if ev.Kind == "acked" {
			e["status"] = "acked"
		}
		f.touch(e, ev.At)
		return
	}
	panic("iofake: no escalation " + id)
}
