// Package rootlyfake is a fake Rootly JSON:API for tests: the real paths (/v1/users,
// /v1/teams, /v1/escalation_policies, /v1/incidents, /v1/alert_events, /v1/oncalls,
// /v1/pulses),
// query parameters (page[number], page[size], page[after], filter[…][gte|lt], sort,
// include, since, until), pagination (meta.next_page, meta.next_cursor, links), an
// offset-pagination cap answered with 400, X-RateLimit-* headers and JSON:API error
// bodies, serving fixtures built in Go.
//
// The source's conformance test validates every response this fake gives against
// Rootly's own swagger.json. Scenario fills it with a known account.
package rootlyfake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// Obj is a JSON object.
type Obj = map[string]any

// User is a Rootly user; ID is numeric, as Rootly's are.
type User struct {
	ID, Name, Email string
	TimeZone        string // "" renders null
}

// Team is a Rootly team ("group").
type Team struct {
	ID, Name string
	Members  []string // user ids
}

// Policy is an escalation policy.
type Policy struct {
	ID, Name           string
	GroupIDs, Services []string
}

// Role is a role assignment of an incident.
type Role struct {
	ID, User string
	At       time.Time
}

// Alert is an alert attached to an incident.
type Alert struct {
	ID, DedupKey string
	At           time.Time
}

// Incident is a Rootly incident.
type Incident struct {
	ID, Title, Kind, Status string
	Severity                string // critical, high, medium, low; "" renders null
	Team, Service           string // ids; "" for none
	Created, Updated        time.Time
	Ack, Resolved           time.Time // zero renders null
	ResolvedBy              string
	Roles                   []Role
	Alerts                  []Alert
}

// Event is an alert event of the feed.
type Event struct {
	ID, AlertID, Kind, Action string
	User                      string // "" renders null
	Incident                  string // "" renders null
	At                        time.Time
}

// Oncall is an on-call entry.
type Oncall struct {
	ID, Policy, User string
	Level            int
	Start, End       time.Time
}

// Server is the fake; serve it with httptest.NewServer.
type Server struct {
	sourcetest.Recorder

	token string

	mu        sync.Mutex
	users     []User
	teams     []Team
	policies  []Policy
	services  map[string]string // id → name
	incidents []*Incident
	events    []Event
	oncalls   []Oncall
	pulses    []Pulse
	noOnCall  bool
	// OffsetCap is the deepest page[number]×page[size] /v1/incidents serves; deeper
	// pages get a 400 (0: no cap).
	offsetCap int
}

// New returns an empty fake that accepts token.
func New(token string) *Server { return &Server{token: token, services: map[string]string{}} }

// Update runs fn with the fake locked.
func (f *Server) Update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *Server) AddUser(u User)             { f.Update(func() { f.users = append(f.users, u) }) }
func (f *Server) AddTeam(t Team)             { f.Update(func() { f.teams = append(f.teams, t) }) }
func (f *Server) AddPolicy(p Policy)         { f.Update(func() { f.policies = append(f.policies, p) }) }
func (f *Server) AddService(id, name string) { f.Update(func() { f.services[id] = name }) }
func (f *Server) AddEvent(e Event)           { f.Update(func() { f.events = append(f.events, e) }) }
func (f *Server) AddOncall(o Oncall)         { f.Update(func() { f.oncalls = append(f.oncalls, o) }) }
func (f *Server) AddPulse(p Pulse)           { f.Update(func() { f.pulses = append(f.pulses, p) }) }

// Pulse is a pulse (a change: deploy, config change …) on services (ids of services
// added before) with labels.
type Pulse struct {
	ID, Summary, Source string
	At                  time.Time
	Services            []string
	Labels              map[string]string
}

// AddIncident adds in; Updated defaults to Created.
func (f *Server) AddIncident(in Incident) {
	if in.Updated.IsZero() {
		in.Updated = in.Created
	}
	if in.Kind == "" {
		in.Kind = "normal"
	}
	f.Update(func() { f.incidents = append(f.incidents, &in) })
}

// Incident returns the stored incident for changes inside Update.
func (f *Server) Incident(id string) *Incident {
	for _, in := range f.incidents {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// Resolve resolves incident id at t (by person, when not "").
func (f *Server) Resolve(id string, t time.Time, by string) {
	f.Update(func() {
		in := f.Incident(id)
		in.Status, in.Resolved, in.ResolvedBy, in.Updated = "resolved", t, by, t
	})
}

// SetNoOnCall makes /v1/oncalls and /v1/alert_events answer 404, as for an account
// without Rootly On-Call.
func (f *Server) SetNoOnCall(v bool) { f.Update(func() { f.noOnCall = v }) }

// ClearAlerting removes every alert event and on-call entry, as for an organisation
// that pages and schedules through another tool.
func (f *Server) ClearAlerting() { f.Update(func() { f.events, f.oncalls = nil, nil }) }

// SetOffsetCap sets the offset-pagination cap of /v1/incidents.
func (f *Server) SetOffsetCap(n int) { f.Update(func() { f.offsetCap = n }) }

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

// RateLimitHeaders are the X-RateLimit-* headers of every response.
func RateLimitHeaders(w http.ResponseWriter) {
	w.Header().Set("X-RateLimit-Limit", "3000, 3000;window=60")
	w.Header().Set("X-RateLimit-Remaining", "2990")
	w.Header().Set("X-RateLimit-Used", "10")
	w.Header().Set("X-RateLimit-Reset", "1795000000")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if status != http.StatusTooManyRequests {
		RateLimitHeaders(w)
	}
	sourcetest.WriteJSON(w, status, "application/vnd.api+json; charset=utf-8", v)
}

// APIError writes a JSON:API error document.
func APIError(w http.ResponseWriter, status int, title, detail string) {
	e := Obj{"title": title, "status": strconv.Itoa(status)}
	if detail != "" {
		e["detail"] = detail
	}
	writeJSON(w, status, Obj{"errors": []Obj{e}})
}

// RateLimited writes Rootly's documented 429 body; the caller sets any headers.
func RateLimited(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, Obj{"error": "Rate limit exceeded. Try again later."})
}

// Time renders t as Rootly does (milliseconds, UTC offset).
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return Time(t)
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func intID(s string) any {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return s
}

// epoch is the created_at/updated_at of reference records.
func epoch() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// includes are the include values each list endpoint documents (nil: not checked).
func includes(path string) []string {
	switch path {
	case "/v1/incidents":
		return []string{"sub_statuses", "causes", "subscribers", "roles", "slack_messages", "environments", "incident_types",
			"services", "functionalities", "groups", "events", "action_items", "custom_field_selections", "feedbacks",
			"incident_post_mortem", "alerts"}
	case "/v1/users":
		return []string{"email_addresses", "phone_numbers", "devices", "role", "on_call_role", "teams", "schedules", "notification_rules"}
	case "/v1/teams":
		return []string{"users", "schedules", "escalation_policies"}
	case "/v1/oncalls":
		return []string{"user", "schedule", "escalation_policy"}
	}
	return nil
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		APIError(w, http.StatusNotFound, "Not found", "")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		APIError(w, http.StatusUnauthorized, "Unauthorized", "Invalid or missing API key")
		return
	}
	q := r.URL.Query()
	if inc := q.Get("include"); inc != "" {
		for _, v := range strings.Split(inc, ",") {
			if allowed := includes(r.URL.Path); allowed != nil && !slices.Contains(allowed, v) {
				APIError(w, http.StatusBadRequest, "Invalid include", v+" is not an allowed include")
				return
			}
		}
	}
	switch r.URL.Path {
	case "/v1/users":
		var out []Obj
		for _, u := range f.users {
			first, last, _ := strings.Cut(u.Name, " ")
			out = append(out, Obj{"id": u.ID, "type": "users", "attributes": Obj{
				"email": u.Email, "first_name": first, "last_name": last, "full_name": u.Name,
				"time_zone": strOrNil(u.TimeZone), "created_at": Time(epoch()), "updated_at": Time(epoch())}})
		}
		f.numbered(w, r, out, nil)
	case "/v1/teams":
		var out []Obj
		for _, t := range f.teams {
			ids := []any{}
			for _, m := range t.Members {
				ids = append(ids, intID(m))
			}
			out = append(out, Obj{"id": t.ID, "type": "groups", "attributes": Obj{
				"name": t.Name, "slug": strings.ToLower(t.Name), "user_ids": ids,
				"created_at": Time(epoch()), "updated_at": Time(epoch())}})
		}
		f.numbered(w, r, out, nil)
	case "/v1/escalation_policies":
		var out []Obj
		for _, p := range f.policies {
			out = append(out, Obj{"id": p.ID, "type": "escalation_policies", "attributes": Obj{
				"name": p.Name, "repeat_count": 1, "created_by_user_id": 1,
				"group_ids": nonNil(p.GroupIDs), "service_ids": nonNil(p.Services),
				"created_at": Time(epoch()), "updated_at": Time(epoch())}})
		}
		f.numbered(w, r, out, nil)
	case "/v1/incidents":
		f.listIncidents(w, r)
	case "/v1/alert_events":
		f.listEvents(w, r)
	case "/v1/oncalls":
		f.listOncalls(w, r)
	case "/v1/pulses":
		f.listPulses(w, r)
	default:
		APIError(w, http.StatusNotFound, "Not found", "")
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pageParams reads page[number] and page[size] (defaults 1 and 20, size ≤ 1000).
func pageParams(w http.ResponseWriter, q map[string][]string, max int) (int, int, bool) {
	num, ok1 := sourcetest.PageParam(q, "page[number]", 1)
	size, ok2 := sourcetest.PageParam(q, "page[size]", 20)
	if !ok1 || !ok2 || size > max {
		APIError(w, http.StatusBadRequest, "Invalid pagination", fmt.Sprintf("page[size] must be 1..%d", max))
		return 0, 0, false
	}
	return num, size, true
}

// numbered writes one page of a page[number] list.
func (f *Server) numbered(w http.ResponseWriter, r *http.Request, all []Obj, included []Obj) {
	q := r.URL.Query()
	num, size, ok := pageParams(w, q, 1000)
	if !ok {
		return
	}
	if all == nil {
		all = []Obj{}
	}
	total := len(all)
	pages := (total + size - 1) / size
	lo := min((num-1)*size, total)
	hi := min(lo+size, total)
	link := func(n int) any {
		if n < 1 || n > max(pages, 1) {
			return nil
		}
		qq := r.URL.Query()
		qq.Set("page[number]", strconv.Itoa(n))
		return "https://api.rootly.com" + r.URL.Path + "?" + qq.Encode()
	}
	var next, prev any
	if num < pages {
		next = num + 1
	}
	if num > 1 {
		prev = num - 1
	}
	doc := Obj{
		"data":  all[lo:hi],
		"links": Obj{"self": link(num), "first": link(1), "prev": link(num - 1), "next": link(num + 1), "last": link(max(pages, 1))},
		"meta":  Obj{"current_page": num, "next_page": next, "prev_page": prev, "total_count": total, "total_pages": pages},
	}
	if doc["links"].(Obj)["self"] == nil {
		doc["links"].(Obj)["self"] = "https://api.rootly.com" + r.URL.Path
	}
	if included != nil {
		doc["included"] = included
	}
	writeJSON(w, http.StatusOK, doc)
}

func parseRange(w http.ResponseWriter, q map[string][]string, field string) (time.Time, time.Time, bool) {
	lo, hi := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []struct {
		k   string
		dst *time.Time
	}{{"filter[" + field + "][gte]", &lo}, {"filter[" + field + "][lt]", &hi}} {
		if vs := q[p.k]; len(vs) > 0 && vs[0] != "" {
			t, err := time.Parse(time.RFC3339, vs[0])
			if err != nil {
				APIError(w, http.StatusBadRequest, "Invalid filter", p.k+" is not an ISO-8601 time")
				return lo, hi, false
			}
			*p.dst = t
		}
	}
	return lo, hi, true
}

func (f *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	field := "created_at"
	if q.Has("filter[updated_at][gte]") || q.Has("filter[updated_at][lt]") {
		field = "updated_at"
	}
	lo, hi, ok := parseRange(w, q, field)
	if !ok {
		return
	}
	if s := q.Get("sort"); s != "" && s != "created_at" && s != "updated_at" {
		APIError(w, http.StatusBadRequest, "Invalid sort", "the fake sorts by created_at or updated_at only")
		return
	}
	num, size, ok := pageParams(w, q, 1000)
	if !ok {
		return
	}
	if f.offsetCap > 0 && num*size > f.offsetCap {
		APIError(w, http.StatusBadRequest, "offset pagination exceeds limit", "use cursor pagination (page[after])")
		return
	}
	inc := map[string]bool{}
	for _, v := range strings.Split(q.Get("include"), ",") {
		inc[v] = true
	}
	var sel []*Incident
	for _, in := range f.incidents {
		t := in.Created
		if field == "updated_at" {
			t = in.Updated
		}
		if !t.Before(lo) && t.Before(hi) {
			sel = append(sel, in)
		}
	}
	key := func(in *Incident) time.Time {
		if q.Get("sort") == "updated_at" {
			return in.Updated
		}
		return in.Created
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if !key(sel[i]).Equal(key(sel[j])) {
			return key(sel[i]).Before(key(sel[j]))
		}
		return sel[i].ID < sel[j].ID
	})
	// Only the requested page is rendered; the rest are placeholders numbered() skips.
	lo2 := min((num-1)*size, len(sel))
	hi2 := min(lo2+size, len(sel))
	data := make([]Obj, len(sel))
	for i := lo2; i < hi2; i++ {
		data[i] = f.renderIncident(sel[i], inc)
	}
	var included []Obj
	for _, in := range sel[lo2:hi2] {
		if inc["roles"] {
			for _, ro := range in.Roles {
				included = append(included, Obj{"id": ro.ID, "type": "incident_role_assignments", "attributes": Obj{
					"incident_role": Obj{"data": Obj{"id": "role-commander", "type": "incident_roles", "attributes": Obj{"name": "Commander"}}},
					"user":          Obj{"data": Obj{"id": ro.User, "type": "users"}},
					"created_at":    Time(ro.At), "updated_at": Time(ro.At)}})
			}
		}
		if inc["alerts"] {
			for _, al := range in.Alerts {
				included = append(included, Obj{"id": al.ID, "type": "alerts", "attributes": Obj{
					"short_id": strings.ToUpper(al.ID), "source": "datadog", "summary": in.Title, "status": "resolved",
					"deduplication_key": strOrNil(al.DedupKey), "created_at": Time(al.At), "updated_at": Time(al.At)}})
			}
		}
	}
	if included == nil && (inc["roles"] || inc["alerts"]) {
		included = []Obj{}
	}
	f.numbered(w, r, data, included)
}

// listPulses serves /v1/pulses: filter[created_at][gte|lt], oldest first, with the
// same offset cap as incidents.
func (f *Server) listPulses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lo, hi, ok := parseRange(w, q, "created_at")
	if !ok {
		return
	}
	num, size, ok := pageParams(w, q, 1000)
	if !ok {
		return
	}
	if f.offsetCap > 0 && num*size > f.offsetCap {
		APIError(w, http.StatusBadRequest, "offset pagination exceeds limit", "use cursor pagination (page[after])")
		return
	}
	sel := slices.Clone(f.pulses)
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].At.Before(sel[j].At) })
	var out []Obj
	for _, p := range sel {
		if p.At.Before(lo) || !p.At.Before(hi) {
			continue
		}
		svcs := []Obj{}
		for _, id := range p.Services {
			svcs = append(svcs, Obj{"name": f.services[id], "slug": strings.ToLower(f.services[id]),
				"created_at": Time(epoch()), "updated_at": Time(epoch())})
		}
		labels := []Obj{}
		keys := make([]string, 0, len(p.Labels))
		for k := range p.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			labels = append(labels, Obj{"key": k, "value": p.Labels[k]})
		}
		out = append(out, Obj{"id": p.ID, "type": "pulses", "attributes": Obj{
			"source": strOrNil(p.Source), "summary": p.Summary, "services": svcs, "environments": []Obj{},
			"external_url": nil, "labels": labels, "refs": []Obj{}, "data": nil,
			"created_at": Time(p.At), "updated_at": Time(p.At)}})
	}
	f.numbered(w, r, out, nil)
}

func (f *Server) named(typ, id, name string, extra Obj) any {
	if id == "" {
		return nil
	}
	attrs := Obj{"name": name, "slug": strings.ToLower(name), "created_at": Time(epoch()), "updated_at": Time(epoch())}
	for k, v := range extra {
		attrs[k] = v
	}
	return Obj{"data": Obj{"id": id, "type": typ, "attributes": attrs}}
}

func (f *Server) renderIncident(in *Incident, inc map[string]bool) Obj {
	var groups, services []any
	if in.Team != "" {
		name := in.Team
		for _, t := range f.teams {
			if t.ID == in.Team {
				name = t.Name
			}
		}
		groups = append(groups, f.named("groups", in.Team, name, nil))
	}
	if in.Service != "" {
		services = append(services, f.named("services", in.Service, f.services[in.Service], nil))
	}
	var sev any
	if in.Severity != "" {
		sev = f.named("severities", "sev-"+in.Severity, strings.ToUpper(in.Severity[:1])+in.Severity[1:], Obj{"severity": in.Severity})
	}
	var resolvedBy any
	if in.ResolvedBy != "" {
		for _, u := range f.users {
			if u.ID == in.ResolvedBy {
				resolvedBy = Obj{"data": Obj{"id": u.ID, "type": "users", "attributes": Obj{"email": u.Email, "full_name": u.Name}}}
			}
		}
	}
	status := in.Status
	if status == "" {
		status = "started"
	}
	attrs := Obj{
		"title": in.Title, "kind": in.Kind, "slug": strings.ToLower(strings.ReplaceAll(in.Title, " ", "-")),
		"status": status, "private": false, "summary": nil,
		"severity": sev, "groups": nonNilAny(groups), "services": nonNilAny(services),
		"started_at": Time(in.Created), "acknowledged_at": timeOrNil(in.Ack), "mitigated_at": timeOrNil(in.Resolved),
		"resolved_at": timeOrNil(in.Resolved), "closed_at": nil, "cancelled_at": nil,
		"resolved_by": resolvedBy, "created_at": Time(in.Created), "updated_at": Time(in.Updated),
	}
	o := Obj{"id": in.ID, "type": "incidents", "attributes": attrs}
	rel := Obj{}
	if inc["roles"] {
		var refs []Obj
		for _, ro := range in.Roles {
			refs = append(refs, Obj{"id": ro.ID, "type": "incident_role_assignments"})
		}
		rel["roles"] = Obj{"data": nonNilObj(refs)}
	}
	if inc["alerts"] {
		var refs []Obj
		for _, al := range in.Alerts {
			refs = append(refs, Obj{"id": al.ID, "type": "alerts"})
		}
		rel["alerts"] = Obj{"data": nonNilObj(refs)}
	}
	if len(rel) > 0 {
		o["relationships"] = rel
	}
	return o
}

func nonNilAny(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

func nonNilObj(s []Obj) []Obj {
	if s == nil {
		return []Obj{}
	}
	return s
}

func (f *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	if f.noOnCall {
		APIError(w, http.StatusNotFound, "Not found", "Rootly On-Call is not enabled")
		return
	}
	q := r.URL.Query()
	lo, hi, ok := parseRange(w, q, "created_at")
	if !ok {
		return
	}
	size := 20
	if v := q.Get("page[size]"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			APIError(w, http.StatusBadRequest, "Invalid pagination", "page[size] must be 1..50")
			return
		}
		size = n
	}
	if s := q.Get("sort"); s != "" && s != "created_at" {
		APIError(w, http.StatusBadRequest, "Invalid sort", "the fake sorts by created_at only")
		return
	}
	var sel []Event
	for _, e := range f.events {
		if !e.At.Before(lo) && e.At.Before(hi) {
			sel = append(sel, e)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if !sel[i].At.Equal(sel[j].At) {
			return sel[i].At.Before(sel[j].At)
		}
		return sel[i].ID < sel[j].ID
	})
	start := 0
	if after := q.Get("page[after]"); after != "" {
		id, ok := strings.CutPrefix(after, "cur_")
		idx := slices.IndexFunc(sel, func(e Event) bool { return e.ID == id })
		if !ok || idx < 0 {
			APIError(w, http.StatusBadRequest, "Invalid cursor", "page[after] is not a cursor of this feed")
			return
		}
		start = idx + 1
	}
	end := min(start+size, len(sel))
	data := []Obj{}
	for _, e := range sel[start:end] {
		data = append(data, f.renderEvent(e))
	}
	var next any
	if end < len(sel) {
		next = "cur_" + sel[end-1].ID
	}
	writeJSON(w, http.StatusOK, Obj{"data": data, "meta": Obj{"next_cursor": next, "current_page": nil,
		"next_page": nil, "prev_page": nil, "total_count": nil, "total_pages": nil}})
}

func (f *Server) renderEvent(e Event) Obj {
	var user any
	var userID any
	for _, u := range f.users {
		if u.ID == e.User {
			n, _ := strconv.Atoi(u.ID)
			user = Obj{"id": n, "name": u.Name, "email": u.Email, "full_name": u.Name, "time_zone": strOrNil(u.TimeZone),
				"created_at": Time(epoch()), "updated_at": Time(epoch())}
			userID = n
		}
	}
	var inc any
	var incIDs []string
	if in := f.Incident(e.Incident); in != nil {
		inc = Obj{"id": in.ID, "title": in.Title, "kind": in.Kind, "status": in.Status, "private": false,
			"started_at": Time(in.Created), "created_at": Time(in.Created), "updated_at": Time(in.Updated)}
		incIDs = []string{in.ID}
	}
	return Obj{"id": e.ID, "type": "alert_events", "attributes": Obj{
		"alert_id": e.AlertID, "kind": e.Kind, "action": e.Action, "source": "rootly",
		"user_id": userID, "user": user, "details": nil, "incident": inc, "incident_ids": incIDs,
		"created_at": Time(e.At), "updated_at": Time(e.At)}}
}

func (f *Server) listOncalls(w http.ResponseWriter, r *http.Request) {
	if f.noOnCall {
		APIError(w, http.StatusNotFound, "Not found", "Rootly On-Call is not enabled")
		return
	}
	q := r.URL.Query()
	since, err1 := time.Parse(time.RFC3339, q.Get("since"))
	until, err2 := time.Parse(time.RFC3339, q.Get("until"))
	if err1 != nil || err2 != nil {
		APIError(w, http.StatusBadRequest, "Invalid range", "since and until must be ISO-8601 times")
		return
	}
	data := []Obj{}
	for _, o := range f.oncalls {
		if o.Start.Before(until) && o.End.After(since) {
			name := o.Policy
			for _, p := range f.policies {
				if p.ID == o.Policy {
					name = p.Name
				}
			}
			n, _ := strconv.Atoi(o.User)
			data = append(data, Obj{"id": o.ID, "type": "on_call_resources", "attributes": Obj{
				"escalation_policy_id": o.Policy, "escalation_policy_name": name, "escalation_level": o.Level,
				"schedule_id": nil, "schedule_name": nil, "user_id": n,
				"starts_at": Time(o.Start), "ends_at": Time(o.End)}})
		}
	}
	writeJSON(w, http.StatusOK, Obj{"data": data})
}
