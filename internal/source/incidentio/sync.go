package incidentio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// cursor is what Sync hands back to itself, as JSON, through the store.
//
// CompleteUntil: every incident updated before it, and every escalation updated before
// it, is stored as it was then. The next sync reads incidents and escalations updated
// from CompleteUntil−5m (late indexing; records are upserts). An incident that changed
// has all its escalations re-read (incident[one_of]) and its updates re-read, so its
// first acknowledgement, resolve time and engagements are recomputed, not carried.
// Tail and EscTail hold the updated_at of the incidents and escalations updated in the
// last 5 minutes before CompleteUntil: the next sync lists them again (the overlap)
// but reads and writes them again only if they changed.
type cursor struct {
	httpapi.SyncCursor
	Tail    map[string]time.Time `json:"tail,omitempty"`
	EscTail map[string]time.Time `json:"esc_tail,omitempty"`
}

const cursorVersion = 1

type level struct {
	path  string
	level int
}

// reference is the organisation's users, schedules and escalation paths.
type reference struct {
	users      []user
	schedules  []schedule
	levels     map[string][]level // schedule id → the escalation path levels that target it
	userZone   map[string]string  // user id → the time zone of a schedule they are on
	teamPath   map[string]string  // team (catalog entry id) → the first escalation path of the team
	noOnCall   bool               // the on-call API is not available to the key (403/404)
	shifts     []incident.Shift
	shiftsFrom time.Time
}

type run struct {
	s   *Source
	cur cursor
	now time.Time
	ref *reference

	incidents   map[string]*ioIncident
	escalations map[string]*escalation
	byIncident  map[string]map[string]bool // incident id → escalation ids
	updates     map[string][]incidentUpdate
}

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{
			s:           s,
			cur:         *cur,
			now:         p.Now,
			incidents:   map[string]*ioIncident{},
			escalations: map[string]*escalation{},
			byIncident:  map[string]map[string]bool{},
			updates:     map[string][]incidentUpdate{},
		}
		return r.sync(ctx, p)
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	histStart, backfill, from, refreshed := p.HistoryStart, p.Backfill, p.From, p.Refresh

	// 1. Reference data and on-call shifts.
	r.ref = s.ref
	var refBatch source.Batch
	if refreshed {
		shiftFrom := histStart
		if !backfill {
			shiftFrom = later(histStart, from.Add(-s.cfg.ReferenceInterval))
		}
		ref, err := r.readReference(ctx, shiftFrom, r.now.Add(entriesAhead))
		if err != nil {
			return res, err
		}
		r.ref = ref
		res.Reference = &refBatch
		for _, u := range ref.users {
			tz := ref.userZone[u.ID]
			if tz == "" {
				tz = s.cfg.DefaultTimezone
			}
			refBatch.People = append(refBatch.People, incident.Person{Source: s.cfg.Name, ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: tz})
		}
	}

	// 2. Incidents: all of history on back-fill, else those updated since the cursor.
	iq := url.Values{"page_size": {strconv.Itoa(incidentPageSize)}, "sort_by": {"created_at_oldest_first"}}
	if backfill {
		iq.Set("created_at[gte]", ts(histStart))
	} else {
		iq.Set("updated_at[gte]", ts(from))
	}
	err := fetchAfter(ctx, s.client, "/v2/incidents", iq, "after", func(p *incidentsPage) {
		for i := range *p.Incidents {
			in := &(*p.Incidents)[i]
			if !in.CreatedAt.Before(histStart) {
				r.incidents[in.ID] = in
			}
		}
	})
	if err != nil {
		return res, err
	}

	// 3. Escalations updated in the window; incidents they name that did not change
	// themselves are fetched by id.
	onCall := !r.ref.noOnCall
	if onCall {
		eq := url.Values{"page_size": {strconv.Itoa(escalationPageSize)}, "updated_at[gte]": {ts(from)}}
		err := fetchAfter(ctx, s.client, "/v2/escalations", eq, "after", r.addEscalations)
		if unavailable(err) {
			s.logger.Warn("escalations are not available to this API key; no pages, acknowledgements or off-rotation", "err", err)
			onCall = false
		} else if err != nil {
			return res, err
		}
	}
	// The overlap lists again what the last sync saw: an incident is read and written
	// again only when it, or one of its escalations, changed since.
	changedEsc := map[string]bool{}
	for id, e := range r.escalations {
		if t, ok := r.cur.EscTail[id]; !ok || e.UpdatedAt == nil || !t.Equal(e.UpdatedAt.UTC()) {
			changedEsc[id] = true
		}
	}
	escChanged := func(inc string) bool {
		for eid := range r.byIncident[inc] {
			if changedEsc[eid] {
				return true
			}
		}
		return false
	}
	unchanged := map[string]*ioIncident{}
	for id, in := range r.incidents {
		if t, ok := r.cur.Tail[id]; ok && in.UpdatedAt != nil && t.Equal(in.UpdatedAt.UTC()) && !escChanged(id) {
			unchanged[id] = in
			delete(r.incidents, id)
		}
	}
	var named []string
	for id := range r.byIncident {
		if r.incidents[id] == nil && unchanged[id] == nil && escChanged(id) {
			named = append(named, id)
		}
	}
	sort.Strings(named)
	for _, id := range named {
		var body incidentBody
		err := s.client.GetJSON(ctx, "/v2/incidents/"+url.PathEscape(id), nil, &body)
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			s.logger.Warn("incident named by an escalation does not exist; skipping it", "incident", id)
			continue
		}
		if err != nil {
			return res, err
		}
		if !body.Incident.CreatedAt.Before(histStart) {
			r.incidents[id] = body.Incident
		}
	}
	ids := r.counted()
	// An incremental sync saw only the escalations that changed: read all escalations
	// of every incident it writes, so the first acknowledgement is recomputed.
	if !backfill && onCall {
		for i := 0; i < len(ids); i += oneOfBatch {
			q := url.Values{"page_size": {strconv.Itoa(escalationPageSize)}, "incident[one_of]": ids[i:min(i+oneOfBatch, len(ids))]}
			if err := fetchAfter(ctx, s.client, "/v2/escalations", q, "after", r.addEscalations); err != nil {
				return res, err
			}
		}
	}

	// 4. Updates of every incident written: resolve time and who moved it.
	for _, id := range ids {
		q := url.Values{"incident_id": {id}, "page_size": {strconv.Itoa(incidentPageSize)}}
		err := fetchAfter(ctx, s.client, "/v2/incident_updates", q, "after", func(p *updatesPage) {
			r.updates[id] = append(r.updates[id], *p.IncidentUpdates...)
		})
		if err != nil {
			return res, err
		}
	}

	// 5. Map.
	b := r.mapAll(ids)
	if refreshed {
		b.Shifts = r.ref.shifts
	}
	next := cursor{Tail: map[string]time.Time{}, EscTail: map[string]time.Time{}}
	tailFrom := r.now.Add(-overlap)
	for _, m := range []map[string]*ioIncident{r.incidents, unchanged} {
		for id, in := range m {
			if in.UpdatedAt != nil && !in.UpdatedAt.Before(tailFrom) {
				next.Tail[id] = in.UpdatedAt.UTC()
			}
		}
	}
	for id, e := range r.escalations {
		if e.UpdatedAt != nil && !e.UpdatedAt.Before(tailFrom) {
			next.EscTail[id] = e.UpdatedAt.UTC()
		}
	}
	if len(next.Tail) == 0 {
		next.Tail = nil
	}
	if len(next.EscTail) == 0 {
		next.EscTail = nil
	}
	res.Data, res.Next = b, next
	res.Written = func() {
		if refreshed {
			s.ref = r.ref
		}
		// Pages and on-call need incident.io On-call: readable escalations and an
		// escalation path that targets a schedule.
		paths := !r.ref.noOnCall && len(r.ref.levels) > 0
		s.setOnCallCaps(onCall && paths, onCall && paths && len(r.ref.schedules) > 0)
		s.logger.Debug("sync done", "backfill", backfill, "incidents", len(ids), "escalations", len(r.escalations),
			"pages", len(b.Pages), "engagements", len(b.Engagements), "shifts", len(b.Shifts))
	}
	return res, nil
}

func (r *run) addEscalations(p *escalationsPage) {
	for i := range *p.Escalations {
		e := &(*p.Escalations)[i]
		r.escalations[e.ID] = e
		for _, ri := range e.RelatedIncidents {
			if r.byIncident[ri.ID] == nil {
				r.byIncident[ri.ID] = map[string]bool{}
			}
			r.byIncident[ri.ID][e.ID] = true
		}
	}
}

// counted are the incidents written, sorted. Not written: incidents still in triage
// (not yet accepted; written once accepted, when they change), declined ones (declined
// from triage, so never written), and test or tutorial incidents. Merged and canceled
// incidents are written as resolved at that change, so an incident stored while live
// and then merged or canceled does not stay open for ever.
func (r *run) counted() []string {
	var ids []string
	for id, in := range r.incidents {
		switch {
		case in.IncidentStatus.Category == "triage", in.IncidentStatus.Category == "declined":
			continue
		case in.Mode == "test", in.Mode == "tutorial":
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ended: merged into another incident or canceled — over, like a resolved one.
func ended(category string) bool { return category == "merged" || category == "canceled" }

// fetchAfter reads a list endpoint page by page: the cursor of the next page is the
// response's pagination_meta.after, sent back as cursorParam ("after", or
// "entry_window_start" for schedule entries). An empty cursor or page ends the list.
func fetchAfter[P any, PT interface {
	*P
	httpapi.Validator
	next() (string, int)
}](ctx context.Context, c *httpapi.Client, path string, q url.Values, cursorParam string, each func(PT)) error {
	q = cloneQuery(q)
	seen := map[string]bool{}
	for {
		pt := PT(new(P))
		if err := c.GetJSON(ctx, path, q, pt); err != nil {
			return err
		}
		each(pt)
		next, n := pt.next()
		if next == "" || n == 0 {
			return nil
		}
		if seen[next] {
			return fmt.Errorf("GET %s: pagination cursor repeats itself", path)
		}
		seen[next] = true
		q.Set(cursorParam, next)
	}
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func (r *run) readReference(ctx context.Context, from, to time.Time) (*reference, error) {
	c := r.s.client
	ref := &reference{levels: map[string][]level{}, userZone: map[string]string{}, teamPath: map[string]string{}, shiftsFrom: from}
	q := url.Values{"page_size": {strconv.Itoa(incidentPageSize)}}
	// Deactivated users too: people who left still own their past engagements.
	uq := url.Values{"page_size": {strconv.Itoa(incidentPageSize)}, "include_inactive": {"true"}}
	if err := fetchAfter(ctx, c, "/v2/users", uq, "after", func(p *usersPage) { ref.users = append(ref.users, *p.Users...) }); err != nil {
		return nil, err
	}
	err := fetchAfter(ctx, c, "/v2/schedules", q, "after", func(p *schedulesPage) { ref.schedules = append(ref.schedules, *p.Schedules...) })
	if unavailable(err) {
		r.s.logger.Warn("on-call schedules are not available to this API key; no shifts, pages or off-rotation", "err", err)
		ref.noOnCall = true
		return ref, nil
	}
	if err != nil {
		return nil, err
	}
	pq := url.Values{"page_size": {strconv.Itoa(escalationPageSize)}}
	err = fetchAfter(ctx, c, "/v2/escalation_paths", pq, "after", func(p *pathsPage) {
		for _, ep := range *p.EscalationPaths {
			for _, tid := range ep.TeamIDs {
				if ref.teamPath[tid] == "" {
					ref.teamPath[tid] = ep.ID
				}
			}
			n := 0
			var walk func(nodes []pathNode)
			walk = func(nodes []pathNode) {
				for _, node := range nodes {
					switch {
					case node.Level != nil:
						n++
						for _, t := range node.Level.Targets {
							if t.Type == "schedule" && t.ID != "" {
								ref.levels[t.ID] = append(ref.levels[t.ID], level{path: ep.ID, level: n})
							}
						}
					case node.IfElse != nil:
						walk(node.IfElse.ThenPath)
						walk(node.IfElse.ElsePath)
					}
				}
			}
			walk(ep.Path)
		}
	})
	if unavailable(err) {
		r.s.logger.Warn("escalation paths are not available to this API key; no shifts, pages or off-rotation", "err", err)
		ref.noOnCall = true
		return ref, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(ref.schedules, func(i, j int) bool { return ref.schedules[i].ID < ref.schedules[j].ID })
	start := gridFloor(from)
	seen := map[string]bool{}
	for _, sc := range ref.schedules {
		q := url.Values{"schedule_id": {sc.ID}, "entry_window_start": {ts(start)}, "entry_window_end": {ts(to)}}
		err := fetchAfter(ctx, c, "/v2/schedule_entries", q, "entry_window_start", func(p *entriesPage) {
			for _, e := range *p.ScheduleEntries.Final {
				if e.User == nil || e.User.ID == "" {
					continue
				}
				if ref.userZone[e.User.ID] == "" && sc.Timezone != "" {
					ref.userZone[e.User.ID] = sc.Timezone
				}
				for _, l := range ref.levels[sc.ID] {
					sh := incident.Shift{Source: r.s.cfg.Name, PersonID: e.User.ID, EscalationPolicy: l.path, Level: l.level,
						Start: e.StartAt.UTC(), End: e.EndAt.UTC()}
					sh.ID = l.path + "/" + strconv.Itoa(l.level) + "/" + sc.ID + "/" + sh.PersonID + "/" + sh.Start.Format(time.RFC3339)
					if !seen[sh.ID] {
						seen[sh.ID] = true
						ref.shifts = append(ref.shifts, sh)
					}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return ref, nil
}

// unavailable reports whether err is the API refusing a feature the organisation or
// key does not have (403, 404), rather than a failure.
func unavailable(err error) bool {
	var he *httpapi.Error
	return errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound)
}

// gridFloor rounds t down to a 7-day grid from the Unix epoch: entries the API clips
// at the window start are clipped at the same instant by every sync, so they keep
// their shift id.
func gridFloor(t time.Time) time.Time {
	const step = 7 * 24 * time.Hour
	return time.Unix(0, 0).UTC().Add(t.Sub(time.Unix(0, 0)) / step * step)
}
