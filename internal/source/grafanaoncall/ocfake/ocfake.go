// Package ocfake is a fake Grafana OnCall public API (v1) for tests: the real paths
// (under an optional prefix such as /oncall), the documented filters (alert groups'
// id, state, started_at, integration_id, route_id, team_id; resolution notes'
// alert_group_id; final shifts' start_date and end_date), page-number pagination with
// absolute next/previous links and the list envelope {count, next, previous, results,
// current_page_number, page_size, total_pages}, "Authorization: <token>", and
// Django REST framework error bodies ({"detail": …}), serving fixtures built in Go.
//
// Every object carries the keys of the JSON examples on OnCall's reference pages; the
// source's conformance test checks that against $HERO_REFERENCE_DIR.
package ocfake

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

// Default page sizes, as the reference pages' examples show them.
var defaultPageSize = map[string]int{
	"alert_groups": 50, "users": 100, "teams": 50, "integrations": 50, "routes": 25,
	"escalation_policies": 50, "schedules": 50, "final_shifts": 50, "resolution_notes": 50,
}

// Server is the fake. It is an http.Handler; serve it with httptest.NewServer.
type Server struct {
	sourcetest.Recorder

	token  string
	prefix string

	mu           sync.Mutex
	users        []Obj
	teams        []Obj
	integrations []Obj
	routes       []Obj
	policies     []Obj
	schedules    []Obj
	shifts       map[string][]Obj // by schedule id
	groups       []Obj
	notes        []Obj
	pageSize     int // overrides every endpoint's page size when > 0

}

// New returns an empty fake that accepts token and serves under prefix ("" or e.g.
// "/oncall").
func New(token, prefix string) *Server {
	prefix = strings.TrimRight(prefix, "/")
	return &Server{Recorder: sourcetest.Recorder{Prefix: prefix, NoFaults: true}, token: token, prefix: prefix,
		shifts: map[string][]Obj{}}
}

// SetPageSize makes every list endpoint serve n results a page (0: the defaults).
func (f *Server) SetPageSize(n int) {
	f.mu.Lock()
	f.pageSize = n
	f.mu.Unlock()
}

// ---- fixtures ----

// Stamp renders a time as OnCall does (microseconds, Z).
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return Stamp(t)
}

// AddTeam adds a team.
func (f *Server) AddTeam(id, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.teams = append(f.teams, Obj{"id": id, "grafana_id": len(f.teams) + 100, "name": name,
		"email": strings.ToLower(strings.ReplaceAll(name, " ", "-")) + "@example.com", "avatar_url": "/avatar/" + strings.ToLower(id)})
}

// AddUser adds a user; tz "" renders as null.
func (f *Server) AddUser(id, username, email, tz string, teams ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if teams == nil {
		teams = []string{}
	}
	f.users = append(f.users, Obj{"id": id, "grafana_id": len(f.users) + 1000, "email": email,
		"slack":    []any{Obj{"user_id": "S" + id, "team_id": "SLACKTEAM"}},
		"username": username, "role": "user", "timezone": strOrNil(tz), "teams": teams})
}

func templates() Obj {
	tm := func() Obj { return Obj{"title": nil, "message": nil, "image_url": nil} }
	return Obj{
		"grouping_key": nil, "resolve_signal": nil, "acknowledge_signal": nil, "source_link": nil,
		"slack": tm(), "web": tm(), "sms": Obj{"title": nil}, "phone_call": Obj{"title": nil},
		"telegram": tm(), "mobile_app": Obj{"title": nil, "message": nil}, "email": Obj{"title": nil, "message": nil},
		"msteams": tm(),
	}
}

// AddIntegration adds an integration whose default route (defaultRoute) escalates
// through chain; team "" renders as null.
func (f *Server) AddIntegration(id, name, team, defaultRoute, chain string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.integrations = append(f.integrations, Obj{"id": id, "name": name, "team_id": strOrNil(team),
		"link":          "https://oncall.example.com/integrations/v1/alertmanager/" + strings.ToLower(id) + "/",
		"inbound_email": nil, "type": "alertmanager",
		"default_route": Obj{"id": defaultRoute, "escalation_chain_id": strOrNil(chain), "slack": Obj{"channel_id": "C0" + id}},
		"templates":     templates()})
	f.routes = append(f.routes, Obj{"id": defaultRoute, "integration_id": id, "escalation_chain_id": strOrNil(chain),
		"routing_regex": ".*", "position": 0, "is_the_last_route": true, "slack": Obj{"channel_id": "C0" + id}})
}

// AddRoute adds a non-default route of an integration.
func (f *Server) AddRoute(id, integration, chain, regex string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes = append(f.routes, Obj{"id": id, "integration_id": integration, "escalation_chain_id": strOrNil(chain),
		"routing_regex": regex, "position": len(f.routes), "is_the_last_route": false, "slack": Obj{"channel_id": "C0ROUTE"}})
}

// AddScheduleStep adds an escalation policy (step) that notifies whoever is on call in
// schedule; AddWaitStep a step that waits.
func (f *Server) AddScheduleStep(id, chain, schedule string, position int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.policies = append(f.policies, Obj{"id": id, "escalation_chain_id": chain, "position": position,
		"type": "notify_on_call_from_schedule", "notify_on_call_from_schedule": schedule})
}

// AddWaitStep adds a wait step.
func (f *Server) AddWaitStep(id, chain string, position, seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.policies = append(f.policies, Obj{"id": id, "escalation_chain_id": chain, "position": position,
		"type": "wait", "duration": seconds})
}

// AddSchedule adds a web-calendar schedule.
func (f *Server) AddSchedule(id, name, team, tz string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.schedules = append(f.schedules, Obj{"id": id, "name": name, "type": "calendar", "team_id": strOrNil(team),
		"time_zone": tz, "on_call_now": []string{}, "shifts": []string{"O" + id},
		"ical_url_overrides": nil, "slack": Obj{"channel_id": "C0" + id, "user_group_id": "G0" + id}})
}

// AddShift adds a final shift of user to a schedule.
func (f *Server) AddShift(schedule, user, email, username string, start, end time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shifts[schedule] = append(f.shifts[schedule], Obj{"user_pk": user, "user_email": email, "user_username": username,
		"shift_start": start.UTC().Format(time.RFC3339), "shift_end": end.UTC().Format(time.RFC3339)})
}

// Group is an alert group fixture. Zero times and empty ids render as null.
type Group struct {
	ID, Integration, Route, Title string
	Created, Acked, Resolved      time.Time
	AckedBy, ResolvedBy           string
	Silenced                      bool
	// Labels, when not nil, are rendered as newer OnCall versions send them ("labels",
	// a key the reference page's example does not show).
	Labels map[string]string
}

func (g Group) obj() Obj {
	state := "new"
	switch {
	case !g.Resolved.IsZero():
		state = "resolved"
	case g.Silenced:
		state = "silenced"
	case !g.Acked.IsZero():
		state = "acknowledged"
	}
	var silencedAt any
	if g.Silenced {
		silencedAt = Stamp(g.Created.Add(time.Minute))
	}
	o := Obj{
		"id": g.ID, "integration_id": g.Integration, "route_id": g.Route, "alerts_count": 1, "state": state,
		"created_at": Stamp(g.Created), "resolved_at": timeOrNil(g.Resolved),
		"acknowledged_at": timeOrNil(g.Acked), "acknowledged_by": strOrNil(g.AckedBy),
		"resolved_by": strOrNil(g.ResolvedBy), "title": g.Title,
		"permalinks":  Obj{"slack": "https://example.slack.com/archives/C0/p" + g.ID, "telegram": "https://t.me/c/1/" + g.ID},
		"silenced_at": silencedAt,
		"last_alert": Obj{"id": "A" + g.ID, "alert_group_id": g.ID, "created_at": g.Created.UTC().Format(time.RFC3339),
			"payload": Obj{"state": "alerting", "title": g.Title, "ruleId": 1, "message": g.Title, "ruleUrl": "https://grafana.example.com/alerting",
				"ruleName": g.Title, "evalMatches": []any{Obj{"tags": nil, "value": 1, "metric": "up"}}}},
	}
	if g.Labels != nil {
		var ls []any
		keys := make([]string, 0, len(g.Labels))
		for k := range g.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ls = append(ls, Obj{"key": Obj{"id": k, "name": k}, "value": Obj{"id": g.Labels[k], "name": g.Labels[k]}})
		}
		o["labels"] = ls
	}
	return o
}

// PutGroup adds an alert group or replaces the one with its id.
func (f *Server) PutGroup(g Group) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := g.obj()
	for i, x := range f.groups {
		if x["id"] == g.ID {
			f.groups[i] = o
			return
		}
	}
	f.groups = append(f.groups, o)
}

// DeleteGroup removes an alert group ("delete" mode).
func (f *Server) DeleteGroup(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups = slices.DeleteFunc(f.groups, func(o Obj) bool { return o["id"] == id })
}

// AddNote adds a resolution note.
func (f *Server) AddNote(id, group, author string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, Obj{"id": id, "alert_group_id": group, "author": strOrNil(author), "source": "web",
		"created_at": Stamp(at), "text": "resolution note " + id})
}

// ---- serving ----

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Vary", "Accept")
	sourcetest.WriteJSON(w, status, "application/json", v)
}

// Detail writes a Django REST framework error body.
func Detail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Obj{"detail": msg})
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		Detail(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method \"%s\" not allowed.", r.Method))
		return
	}
	if r.Header.Get("Authorization") != f.token {
		Detail(w, http.StatusUnauthorized, "Invalid token.")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix+"/api/v1/")
	if !ok {
		Detail(w, http.StatusNotFound, "Not found.")
		return
	}
	q := r.URL.Query()
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	switch {
	case path == "users/":
		f.list(w, r, "users", f.users)
	case path == "teams/":
		f.list(w, r, "teams", f.teams)
	case path == "integrations/":
		f.list(w, r, "integrations", f.integrations)
	case path == "routes/":
		f.list(w, r, "routes", filter(f.routes, "integration_id", q.Get("integration_id")))
	case path == "escalation_policies/":
		f.list(w, r, "escalation_policies", filter(f.policies, "escalation_chain_id", q.Get("escalation_chain_id")))
	case path == "schedules/":
		f.list(w, r, "schedules", filter(f.schedules, "team_id", q.Get("team_id")))
	case len(parts) == 3 && parts[0] == "schedules" && parts[2] == "final_shifts":
		f.finalShifts(w, r, parts[1])
	case path == "resolution_notes/":
		f.list(w, r, "resolution_notes", filter(f.notes, "alert_group_id", q.Get("alert_group_id")))
	case path == "alert_groups/":
		f.alertGroups(w, r)
	default:
		Detail(w, http.StatusNotFound, "Not found.")
	}
}

func filter(xs []Obj, key, want string) []Obj {
	if want == "" {
		return xs
	}
	var out []Obj
	for _, x := range xs {
		if x[key] == want {
			out = append(out, x)
		}
	}
	return out
}

func (f *Server) alertGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := slices.Clone(f.groups)
	if v := q.Get("started_at"); v != "" {
		a, b, ok := strings.Cut(v, "_")
		from, err1 := time.Parse("2006-01-02T15:04:05", a)
		to, err2 := time.Parse("2006-01-02T15:04:05", b)
		if !ok || err1 != nil || err2 != nil {
			writeJSON(w, http.StatusBadRequest, Obj{"started_at": []string{"Invalid range value"}})
			return
		}
		out = slices.DeleteFunc(out, func(o Obj) bool {
			c, _ := time.Parse(time.RFC3339, o["created_at"].(string))
			return c.Before(from) || c.After(to)
		})
	}
	if v := q.Get("state"); v != "" {
		if !slices.Contains([]string{"new", "acknowledged", "resolved", "silenced"}, v) {
			writeJSON(w, http.StatusBadRequest, Obj{"state": []string{"Select a valid choice. " + v + " is not one of the available choices."}})
			return
		}
		out = filter(out, "state", v)
	}
	for _, k := range []string{"id", "integration_id", "route_id"} {
		out = filter(out, k, q.Get(k))
	}
	// Newest first, as OnCall lists alert groups.
	sort.SliceStable(out, func(i, j int) bool { return out[i]["created_at"].(string) > out[j]["created_at"].(string) })
	f.list(w, r, "alert_groups", out)
}

func (f *Server) finalShifts(w http.ResponseWriter, r *http.Request, schedule string) {
	q := r.URL.Query()
	if !slices.ContainsFunc(f.schedules, func(o Obj) bool { return o["id"] == schedule }) {
		Detail(w, http.StatusNotFound, "Not found.")
		return
	}
	start, err1 := time.Parse(time.DateOnly, q.Get("start_date"))
	end, err2 := time.Parse(time.DateOnly, q.Get("end_date"))
	switch {
	case err1 != nil || err2 != nil:
		writeJSON(w, http.StatusBadRequest, Obj{"detail": "start_date and end_date are required ISO 8601 dates"})
		return
	case end.Before(start):
		writeJSON(w, http.StatusBadRequest, Obj{"detail": "end_date must be greater than or equal to start_date"})
		return
	case end.Sub(start) > 365*24*time.Hour:
		writeJSON(w, http.StatusBadRequest, Obj{"detail": "end_date cannot be more than 365 days in the future from start_date"})
		return
	}
	until := end.Add(24 * time.Hour) // end_date is inclusive
	var out []Obj
	for _, s := range f.shifts[schedule] {
		st, _ := time.Parse(time.RFC3339, s["shift_start"].(string))
		en, _ := time.Parse(time.RFC3339, s["shift_end"].(string))
		if st.Before(until) && en.After(start) {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i]["shift_start"].(string) < out[j]["shift_start"].(string) })
	f.list(w, r, "final_shifts", out)
}

// list writes one page of xs with OnCall's envelope; page is 1-based, ?page=N.
func (f *Server) list(w http.ResponseWriter, r *http.Request, kind string, xs []Obj) {
	size := defaultPageSize[kind]
	if f.pageSize > 0 {
		size = f.pageSize
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			Detail(w, http.StatusNotFound, "Invalid page.")
			return
		}
		page = n
	}
	total := max(1, (len(xs)+size-1)/size)
	if page > total {
		Detail(w, http.StatusNotFound, "Invalid page.")
		return
	}
	lo := (page - 1) * size
	hi := min(lo+size, len(xs))
	results := []Obj{}
	if lo < hi {
		results = xs[lo:hi]
	}
	link := func(p int) any {
		if p < 1 || p > total {
			return nil
		}
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		q := r.URL.Query()
		if p == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(p))
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	writeJSON(w, http.StatusOK, Obj{"count": len(xs), "next": link(page + 1), "previous": link(page - 1),
		"results": results, "current_page_number": page, "page_size": size, "total_pages": total})
}
