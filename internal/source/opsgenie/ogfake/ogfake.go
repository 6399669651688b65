// Package ogfake is a fake Opsgenie REST API v2 for tests: the real paths
// (/v2/alerts with its search query on createdAt and status, /v2/alerts/{id} and its
// /logs, /notes and /recipients, /v2/users, /v2/teams, /v2/teams/{id}, /v2/schedules,
// /v2/schedules/{id}/timeline), offset/limit pagination with X-Paging-Next headers and
// paging.next links, limit ≤ 100, the GenieKey header, X-RateLimit-State headers and
// Opsgenie's error bodies ({"message":…,"took":…,"requestId":…}), serving fixtures
// built in Go.
//
// The source's conformance test validates every response this fake gives against
// Opsgenie's own swagger.json (converted to OpenAPI 3).
package ogfake

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
	at time.Time
	o  Obj
}

type alertRec struct {
	o          Obj
	created    time.Time
	logs       []entry
	notes      []entry
	recipients []Obj
}

type shift struct {
	rotation, user string
	start, end     time.Time
}

type schedule struct {
	o      Obj
	shifts []shift
}

// Server is the fake. It is an http.Handler; serve it with httptest.NewServer.
type Server struct {
	sourcetest.Recorder

	token string

	mu        sync.Mutex
	users     []Obj
	teams     []Obj
	members   map[string][]string
	schedules []*schedule
	escs      []Obj
	alerts    []*alertRec
	byID      map[string]*alertRec
	seq       int
}

// New returns an empty fake that accepts token.
func New(token string) *Server {
	return &Server{token: token, byID: map[string]*alertRec{}, members: map[string][]string{}}
}

// Update runs fn with the fake locked, for changing fixtures while it serves.
func (f *Server) Update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

func writeJSON(w http.ResponseWriter, status int, v Obj) {
	v["took"] = 0.012
	v["requestId"] = "9ae63dd7-ed00-4c81-86f0-c4ffd33142c9"
	w.Header().Set("X-Request-ID", "9ae63dd7-ed00-4c81-86f0-c4ffd33142c9")
	w.Header().Set("X-Response-Time", "0.012")
	if status < 300 {
		w.Header().Set("X-RateLimit-State", "OK")
	}
	sourcetest.WriteJSON(w, status, "application/json", v)
}

// APIError writes an Opsgenie error body.
func APIError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Obj{"message": msg})
}

// Throttle writes the 429 Opsgenie gives when a domain's budget is spent, with its
// rate-limit headers when withHeaders is set.
func Throttle(w http.ResponseWriter, withHeaders bool) {
	if withHeaders {
		w.Header().Set("X-RateLimit-State", "THROTTLED")
		w.Header().Set("X-RateLimit-Reason", "INTEGRATION")
		w.Header().Set("X-RateLimit-Period-In-Sec", "15")
	}
	APIError(w, http.StatusTooManyRequests, "You are making too many requests! To avoid errors, we recommend you limit requests.")
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		APIError(w, http.StatusNotFound, "Not found")
		return
	}
	if r.Header.Get("Authorization") != "GenieKey "+f.token {
		APIError(w, http.StatusUnauthorized, "Could not authenticate")
		return
	}
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v2" {
		APIError(w, http.StatusNotFound, "Not found")
		return
	}
	if it := q.Get("identifierType"); it != "" && it != "id" {
		APIError(w, http.StatusUnprocessableEntity, "the fake only serves identifierType=id")
		return
	}
	link := func(path string, nq url.Values) string {
		return "http://" + r.Host + path + "?" + nq.Encode()
	}
	switch {
	case r.URL.Path == "/v2/alerts":
		f.listAlerts(w, r, q, link)
	case len(parts) == 3 && parts[1] == "alerts":
		a, ok := f.byID[parts[2]]
		if !ok {
			APIError(w, http.StatusNotFound, "Alert with id ["+parts[2]+"] does not exist.")
			return
		}
		writeJSON(w, http.StatusOK, Obj{"data": a.o})
	case len(parts) == 4 && parts[1] == "alerts":
		a, ok := f.byID[parts[2]]
		if !ok {
			APIError(w, http.StatusNotFound, "Alert with id ["+parts[2]+"] does not exist.")
			return
		}
		switch parts[3] {
		case "logs":
			f.tokenPage(w, r.URL.Path, q, a.logs, link)
		case "notes":
			f.tokenPage(w, r.URL.Path, q, a.notes, link)
		case "recipients":
			writeJSON(w, http.StatusOK, Obj{"data": orEmpty(a.recipients)})
		default:
			APIError(w, http.StatusNotFound, "Not found")
		}
	case r.URL.Path == "/v2/users":
		f.offsetPage(w, r.URL.Path, q, f.users, link, true)
	case r.URL.Path == "/v2/teams":
		writeJSON(w, http.StatusOK, Obj{"data": orEmpty(f.teams), "expandable": []string{"member"}})
	case len(parts) == 3 && parts[1] == "teams":
		for _, t := range f.teams {
			if t["id"] == parts[2] {
				ms := []Obj{}
				for _, id := range f.members[parts[2]] {
					ms = append(ms, Obj{"user": f.userMeta(id), "role": "user"})
				}
				o := Obj{"members": ms}
				for k, v := range t {
					o[k] = v
				}
				writeJSON(w, http.StatusOK, Obj{"data": o})
				return
			}
		}
		APIError(w, http.StatusNotFound, "No team exists with id ["+parts[2]+"]")
	case r.URL.Path == "/v2/schedules":
		var out []Obj
		for _, s := range f.schedules {
			out = append(out, s.o)
		}
		writeJSON(w, http.StatusOK, Obj{"data": orEmpty(out), "expandable": []string{"rotation"}})
	case r.URL.Path == "/v2/escalations":
		writeJSON(w, http.StatusOK, Obj{"data": orEmpty(f.escs)})
	case len(parts) == 4 && parts[1] == "schedules" && parts[3] == "timeline":
		f.timeline(w, parts[2], q)
	default:
		APIError(w, http.StatusNotFound, "Not found")
	}
}

func orEmpty(xs []Obj) []Obj {
	if xs == nil {
		return []Obj{}
	}
	return xs
}

func limitParam(w http.ResponseWriter, q url.Values, def int) (int, bool) {
	limit := def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			APIError(w, http.StatusUnprocessableEntity, "Limit should be between 1 and 100")
			return 0, false
		}
		limit = n
	}
	return limit, true
}

// listAlerts serves the alert search: query clauses createdAt>=ms, createdAt<ms,
// status=open|closed joined by AND; sort createdAt; order asc|desc; offset/limit.
func (f *Server) listAlerts(w http.ResponseWriter, r *http.Request, q url.Values, link func(string, url.Values) string) {
	var lo, hi int64 = -1 << 62, 1 << 62
	status := ""
	if query := strings.TrimSpace(q.Get("query")); query != "" {
		for _, c := range strings.Split(query, " AND ") {
			c = strings.TrimSpace(c)
			switch {
			case strings.HasPrefix(c, "createdAt>="):
				n, err := strconv.ParseInt(strings.TrimPrefix(c, "createdAt>="), 10, 64)
				if err != nil {
					APIError(w, http.StatusUnprocessableEntity, "Invalid query: "+c)
					return
				}
				lo = max(lo, n)
			case strings.HasPrefix(c, "createdAt<"):
				n, err := strconv.ParseInt(strings.TrimPrefix(c, "createdAt<"), 10, 64)
				if err != nil {
					APIError(w, http.StatusUnprocessableEntity, "Invalid query: "+c)
					return
				}
				hi = min(hi, n)
			case c == "status=open" || c == "status=closed":
				status = strings.TrimPrefix(c, "status=")
			default:
				APIError(w, http.StatusUnprocessableEntity, "Invalid query: the fake does not understand "+c)
				return
			}
		}
	}
	if s := q.Get("sort"); s != "" && s != "createdAt" {
		APIError(w, http.StatusUnprocessableEntity, "the fake only sorts by createdAt")
		return
	}
	var out []*alertRec
	for _, a := range f.alerts {
		m := a.created.UnixMilli()
		if m < lo || m >= hi || status != "" && a.o["status"] != status {
			continue
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].created.Before(out[j].created) })
	if q.Get("order") != "asc" {
		slices.Reverse(out)
	}
	items := make([]Obj, len(out))
	for i, a := range out {
		items[i] = a.o
	}
	f.offsetPage(w, r.URL.Path, q, items, link, false)
}

// offsetPage serves items with numeric offset/limit and paging links.
func (f *Server) offsetPage(w http.ResponseWriter, path string, q url.Values, items []Obj, link func(string, url.Values) string, total bool) {
	limit, ok := limitParam(w, q, 20)
	if !ok {
		return
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			APIError(w, http.StatusUnprocessableEntity, "Offset should be a non-negative integer")
			return
		}
		offset = n
	}
	if offset+limit > 20000 {
		APIError(w, http.StatusUnprocessableEntity, "offset + limit must be at most 20000")
		return
	}
	page := []Obj{}
	if offset < len(items) {
		page = items[offset:min(offset+limit, len(items))]
	}
	first := cloneValues(q)
	first.Set("offset", "0")
	first.Set("limit", strconv.Itoa(limit))
	paging := Obj{"first": link(path, first)}
	if offset+limit < len(items) {
		next := cloneValues(first)
		next.Set("offset", strconv.Itoa(offset+limit))
		paging["next"] = link(path, next)
		w.Header().Set("X-Paging-Next", paging["next"].(string))
	}
	body := Obj{"data": page, "paging": paging}
	if total {
		body["totalCount"] = len(items)
	}
	writeJSON(w, http.StatusOK, body)
}

// tokenPage serves alert logs or notes: ordered by time, paged by the offset token of
// the last item returned and direction=next.
func (f *Server) tokenPage(w http.ResponseWriter, path string, q url.Values, entries []entry, link func(string, url.Values) string) {
	limit, ok := limitParam(w, q, 100)
	if !ok {
		return
	}
	sorted := slices.Clone(entries)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].at.Before(sorted[j].at) })
	if q.Get("order") != "asc" {
		slices.Reverse(sorted)
	}
	start := 0
	if tok := q.Get("offset"); tok != "" {
		start = -1
		for i, e := range sorted {
			if e.o["offset"] == tok {
				start = i + 1
			}
		}
		if start < 0 {
			APIError(w, http.StatusUnprocessableEntity, "Invalid offset")
			return
		}
	}
	page := []Obj{}
	for i := start; i < len(sorted) && len(page) < limit; i++ {
		page = append(page, sorted[i].o)
	}
	first := cloneValues(q)
	first.Del("offset")
	paging := Obj{"first": link(path, first)}
	if start+len(page) < len(sorted) && len(page) > 0 {
		next := cloneValues(q)
		next.Set("offset", page[len(page)-1]["offset"].(string))
		next.Set("direction", "next")
		paging["next"] = link(path, next)
		w.Header().Set("X-Paging-Next", paging["next"].(string))
	}
	writeJSON(w, http.StatusOK, Obj{"data": page, "paging": paging})
}

func (f *Server) timeline(w http.ResponseWriter, id string, q url.Values) {
	var sc *schedule
	for _, s := range f.schedules {
		if s.o["id"] == id {
			sc = s
		}
	}
	if sc == nil {
		APIError(w, http.StatusNotFound, "No schedule exists with id ["+id+"]")
		return
	}
	if u := q.Get("intervalUnit"); u != "" && u != "days" {
		APIError(w, http.StatusUnprocessableEntity, "the fake serves intervalUnit=days only")
		return
	}
	start, err := time.Parse(time.RFC3339, q.Get("date"))
	interval, err2 := strconv.Atoi(q.Get("interval"))
	if err != nil || err2 != nil || interval < 1 {
		APIError(w, http.StatusUnprocessableEntity, "date and interval are required by the fake")
		return
	}
	end := start.Add(time.Duration(interval) * 24 * time.Hour)
	rots := map[string][]Obj{}
	var order []string
	for _, s := range sc.shifts {
		if !s.start.Before(end) || !s.end.After(start) {
			continue
		}
		if _, ok := rots[s.rotation]; !ok {
			order = append(order, s.rotation)
		}
		ps, pe := s.start, s.end
		if ps.Before(start) {
			ps = start
		}
		if pe.After(end) {
			pe = end
		}
		rots[s.rotation] = append(rots[s.rotation], Obj{"startDate": TS(ps), "endDate": TS(pe), "type": "default",
			"recipient": Obj{"id": s.user, "type": "user", "name": f.username(s.user)}})
	}
	rotations := []Obj{}
	for i, r := range order {
		rotations = append(rotations, Obj{"id": r, "name": "Rotation " + r, "order": i + 1, "periods": rots[r]})
	}
	writeJSON(w, http.StatusOK, Obj{"expandable": []string{"base", "forwarding", "override"}, "data": Obj{
		"_parent":   Obj{"id": sc.o["id"], "name": sc.o["name"], "enabled": sc.o["enabled"]},
		"startDate": TS(start), "endDate": TS(end),
		"finalTimeline": Obj{"rotations": rotations},
	}})
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// ---- fixture builders (call before serving, or inside Update) ----

// TS formats t as Opsgenie renders times.
func TS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// AddUser adds a user; tz "" leaves timeZone unset (the customer's zone applies).
func (f *Server) AddUser(id, username, fullName, tz string) {
	u := Obj{"id": id, "username": username, "fullName": fullName, "role": Obj{"id": "User", "name": "User"},
		"blocked": false, "verified": true, "createdAt": "2024-01-02T10:00:00.000Z", "locale": "en_US"}
	if tz != "" {
		u["timeZone"] = tz
	}
	f.users = append(f.users, u)
}

func (f *Server) username(id string) string {
	for _, u := range f.users {
		if u["id"] == id {
			return u["username"].(string)
		}
	}
	return id
}

func (f *Server) userMeta(id string) Obj { return Obj{"id": id, "username": f.username(id)} }

// AddTeam adds a team with its members (user ids).
func (f *Server) AddTeam(id, name string, members ...string) {
	f.teams = append(f.teams, Obj{"id": id, "name": name, "description": name + " team"})
	f.members[id] = members
}

// AddSchedule adds an enabled schedule owned by team ("" for none).
func (f *Server) AddSchedule(id, name, tz, team string) {
	o := Obj{"id": id, "name": name, "description": "", "timezone": tz, "enabled": true, "rotations": []Obj{}}
	for _, t := range f.teams {
		if t["id"] == team {
			o["ownerTeam"] = Obj{"id": team, "name": t["name"]}
		}
	}
	f.schedules = append(f.schedules, &schedule{o: o})
}

// AddEscalation adds an escalation notifying schedule (after 0 minutes) and, when
// team is set, owned by it.
func (f *Server) AddEscalation(id, name, schedule, team string) {
	o := Obj{"id": id, "name": name, "description": "", "rules": []Obj{{"condition": "if-not-acked", "notifyType": "default",
		"delay": Obj{"timeAmount": 0, "timeUnit": "minutes"}, "recipient": Obj{"type": "schedule", "id": schedule}}},
		"repeat": Obj{"waitInterval": 10, "count": 1, "resetRecipientStates": false, "closeAlertAfterAll": false}}
	for _, t := range f.teams {
		if t["id"] == team {
			o["ownerTeam"] = Obj{"id": team, "name": t["name"]}
		}
	}
	f.escs = append(f.escs, o)
}

// Route replaces the responders of alert id with one responder of type typ (team,
// user, escalation or schedule).
func (f *Server) Route(id, typ, target string) {
	f.alert(id).o["responders"] = []Obj{{"type": typ, "id": target}}
}

// AddShift puts user on call on a schedule's rotation over [start, end).
func (f *Server) AddShift(scheduleID, rotation, user string, start, end time.Time) {
	for _, s := range f.schedules {
		if s.o["id"] == scheduleID {
			s.shifts = append(s.shifts, shift{rotation: rotation, user: user, start: start, end: end})
			return
		}
	}
	panic("ogfake: no schedule " + scheduleID)
}

// Alert describes an alert fixture. AckAfter/CloseAfter of 0 mean never; AckBy and
// ClosedBy are usernames (or "System", an integration's name).
type Alert struct {
	ID, Message, Alias, Priority, Team, Integration string
	Created                                         time.Time
	AckAfter, CloseAfter                            time.Duration
	AckBy, ClosedBy                                 string
}

// AddAlert adds an alert and returns its JSON object for further changes.
func (f *Server) AddAlert(s Alert) Obj {
	f.seq++
	o := Obj{"id": s.ID, "tinyId": strconv.Itoa(f.seq), "alias": s.Alias, "message": s.Message,
		"status": "open", "acknowledged": false, "isSeen": true, "tags": []string{}, "snoozed": false,
		"count": 1, "lastOccurredAt": TS(s.Created), "createdAt": TS(s.Created), "updatedAt": TS(s.Created),
		"source": "monitoring", "owner": "", "priority": s.Priority, "responders": []Obj{},
		"integration": Obj{"id": "int-" + s.Integration, "name": s.Integration, "type": "API"},
		"report":      Obj{}}
	if s.Team != "" {
		o["responders"] = []Obj{{"type": "team", "id": s.Team}}
	}
	a := &alertRec{o: o, created: s.Created}
	f.alerts = append(f.alerts, a)
	f.byID[s.ID] = a
	if s.AckAfter > 0 {
		f.Ack(s.ID, s.AckAfter, s.AckBy)
	}
	if s.CloseAfter > 0 {
		f.Close(s.ID, s.CloseAfter, s.ClosedBy)
	}
	return o
}

func (f *Server) alert(id string) *alertRec {
	a, ok := f.byID[id]
	if !ok {
		panic("ogfake: no alert " + id)
	}
	return a
}

// Ack records the first acknowledgement after d by username (report and log line).
func (f *Server) Ack(id string, d time.Duration, by string) {
	a := f.alert(id)
	rep := a.o["report"].(Obj)
	rep["ackTime"], rep["acknowledgedBy"] = d.Milliseconds(), by
	a.o["acknowledged"] = true
	a.o["owner"] = by
	f.touch(a, a.created.Add(d))
	f.AddLog(id, "Alert acknowledged via web", by, a.created.Add(d), "system")
}

// Close closes the alert after d by username (report and log line).
func (f *Server) Close(id string, d time.Duration, by string) {
	a := f.alert(id)
	rep := a.o["report"].(Obj)
	rep["closeTime"], rep["closedBy"] = d.Milliseconds(), by
	a.o["status"] = "closed"
	f.touch(a, a.created.Add(d))
	f.AddLog(id, "Alert closed via web", by, a.created.Add(d), "system")
}

func (f *Server) touch(a *alertRec, at time.Time) {
	if u, _ := time.Parse(time.RFC3339, a.o["updatedAt"].(string)); at.After(u) {
		a.o["updatedAt"] = TS(at)
	}
}

func offsetToken(at time.Time, n int) string {
	return fmt.Sprintf("%d_%d", at.UnixMilli(), at.UnixNano()+int64(n))
}

// AddLog appends a log line of alert id, written by owner (a username, "System" or an
// integration's name).
func (f *Server) AddLog(id, text, owner string, at time.Time, typ string) {
	a := f.alert(id)
	f.seq++
	a.logs = append(a.logs, entry{at: at, o: Obj{"log": text, "type": typ, "owner": owner, "createdAt": TS(at),
		"offset": offsetToken(at, f.seq)}})
	f.touch(a, at)
}

// Notify appends the log line of a notification to user id by channel ("SMS", "Voice",
// "Mobile", "Email").
func (f *Server) Notify(id, user, channel string, at time.Time) {
	f.AddLog(id, "["+channel+"] notification sent to "+f.username(user), "System", at, "alertRecipient")
}

// AddNote appends a note by username, with its "Added note" log line.
func (f *Server) AddNote(id, note, owner string, at time.Time) {
	a := f.alert(id)
	f.seq++
	a.notes = append(a.notes, entry{at: at, o: Obj{"note": note, "owner": owner, "createdAt": TS(at), "offset": offsetToken(at, f.seq)}})
	f.AddLog(id, "Added note", owner, at, "note")
}

// AddRecipient adds a recipient (user id) with its state and method.
func (f *Server) AddRecipient(id, user, state, method string, at time.Time) {
	a := f.alert(id)
	a.recipients = append(a.recipients, Obj{"user": f.userMeta(user), "state": state, "method": method,
		"createdAt": TS(at), "updatedAt": TS(at)})
}
