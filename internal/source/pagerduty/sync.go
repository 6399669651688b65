package pagerduty

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// cursor is what Sync hands back to itself, as JSON, through the store.
//
// CompleteUntil: every log entry created before it, and every incident created before
// it, is stored. The next sync reads log entries from CompleteUntil−5m (the overlap
// catches late arrivals; records are upserts) and fetches every incident those entries
// name. Open holds the incidents that were open at CompleteUntil, with their creation
// time and first acknowledgement, so they are kept current until they resolve and their
// first acknowledgement survives (PagerDuty empties acknowledgements[] on resolve).
// ReferenceAt is when users, teams, services and escalation policies were last read;
// ServiceTeam maps a service to the team of the service or its escalation policy, for
// incidents and change events that carry no team; ServiceName maps it to its name, for
// change events whose service references carry no summary. Change events are read by
// their timestamp over the same window as log entries.
type cursor struct {
	httpapi.SyncCursor
	Open        map[string]openIncident `json:"open,omitempty"`
	ServiceTeam map[string]string       `json:"service_team,omitempty"`
	ServiceName map[string]string       `json:"service_name,omitempty"`
}

type openIncident struct {
	Created time.Time `json:"created"`
	Ack     time.Time `json:"ack,omitzero"`
}

const cursorVersion = 1

// run is the state of one Sync.
type run struct {
	s   *Source
	cur cursor
	now time.Time

	teamNames   map[string]string // team id → name (when reference data was read)
	serviceTeam map[string]string // service id → team name
	serviceName map[string]string // service id → name

	incidents map[string]*pdIncident
	entries   map[string]*logEntry // by log entry id
}

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{s: s, cur: *cur, now: p.Now, incidents: map[string]*pdIncident{}, entries: map[string]*logEntry{}}
		return r.sync(ctx, p)
	})
}

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	from, until := p.From, p.Now

	// 1. Reference data, hourly: people and teams go out in their own batch.
	r.serviceTeam, r.serviceName = r.cur.ServiceTeam, r.cur.ServiceName
	if p.Refresh {
		ref, err := r.reference(ctx)
		if err != nil {
			return res, err
		}
		res.Reference = &ref
	}

	// 2. The account-wide log entry stream of the window.
	leq := url.Values{"time_zone": {"UTC"}, "is_overview": {"false"}}
	err := fetchRange(ctx, s.client, "/log_entries", leq, from, until, func(p *logEntriesPage) {
		for i := range *p.LogEntries {
			e := &(*p.LogEntries)[i]
			r.entries[e.ID] = e
		}
	})
	if err != nil {
		return res, err
	}

	// 3. Incidents: the ones still open, then every other one the window names.
	open := url.Values{"time_zone": {"UTC"}, "date_range": {"all"}, "statuses[]": {"triggered", "acknowledged"}}
	if err := fetchAll(ctx, s.client, "/incidents", open, r.addIncidents); err != nil {
		return res, err
	}
	wanted := map[string]bool{}
	for _, e := range r.entries {
		wanted[e.Incident.ID] = true
	}
	for id := range r.cur.Open {
		wanted[id] = true // resolved since the last sync (or vanished)
	}
	// Incidents created in the window (on back-fill all of history, in chunks of at most
	// six months). Read every sync, even when no log entry names a new incident, so an
	// incident whose log entries lag behind is still not missed.
	iq := url.Values{"time_zone": {"UTC"}}
	if err := fetchChunked(ctx, s.client, "/incidents", iq, from, until, maxIncidentRange, r.addIncidents); err != nil {
		return res, err
	}
	if err := r.fetchMissing(ctx, r.missing(wanted), from, p.HistoryStart); err != nil {
		return res, err
	}

	// 4. On-call shifts of the window (overlapping it).
	var shifts []incident.Shift
	oq := url.Values{"time_zone": {"UTC"}}
	err = fetchChunked(ctx, s.client, "/oncalls", oq, from, until, maxOncallRange, func(p *oncallsPage) {
		for _, o := range *p.Oncalls {
			shifts = append(shifts, r.shift(o))
		}
	})
	if err != nil {
		return res, err
	}

	// 5. Change events of the window (deploys, rollbacks, config changes).
	// A key without access to them (403, or 404) reads no changes; the rest goes on.
	var events []changeEvent
	err = fetchChunked(ctx, s.client, "/change_events", url.Values{}, from, until, maxIncidentRange, func(p *changeEventsPage) {
		events = append(events, *p.ChangeEvents...)
	})
	var he *httpapi.Error
	if errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound) {
		s.logger.Warn("change events are not available to this API key; no changes are read", "err", err)
		events, err = nil, nil
	}
	if err != nil {
		return res, err
	}

	// 6. Map.
	b := r.mapAll()
	b.Shifts = dedupShifts(shifts)
	b.Changes = r.changes(events)
	res.Data = b
	res.Next = cursor{Open: r.openSet(), ServiceTeam: r.serviceTeam, ServiceName: r.serviceName}
	res.Written = func() {
		s.logger.Debug("sync done", "backfill", p.Backfill, "incidents", len(b.Incidents), "log_entries", len(r.entries),
			"pages", len(b.Pages), "engagements", len(b.Engagements), "shifts", len(b.Shifts), "changes", len(b.Changes))
	}
	return res, nil
}

func (r *run) addIncidents(p *incidentsPage) {
	for i := range *p.Incidents {
		in := &(*p.Incidents)[i]
		r.incidents[in.ID] = in
	}
}

func (r *run) missing(wanted map[string]bool) []string {
	var ids []string
	for id := range wanted {
		if r.incidents[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// fetchMissing fetches incidents the window names that neither the open list nor the
// window's creation range returned: ones that resolved since the last sync, and ones
// that changed after they resolved. Many recently resolved ones go by creation-time
// range, a few by id. An incident created before the window that was not open at the
// last sync also has its own log entries read, so that its first acknowledgement (lost
// from the incident object on resolve) is recomputed rather than guessed.
func (r *run) fetchMissing(ctx context.Context, ids []string, from, histStart time.Time) error {
	s := r.s
	var recent []string
	var oldest time.Time
	for _, id := range ids {
		if o, ok := r.cur.Open[id]; ok {
			recent = append(recent, id)
			if oldest.IsZero() || o.Created.Before(oldest) {
				oldest = o.Created
			}
		}
	}
	if len(recent) > byIDThreshold && oldest.Before(from) {
		iq := url.Values{"time_zone": {"UTC"}}
		if err := fetchChunked(ctx, s.client, "/incidents", iq, oldest, from, maxIncidentRange, r.addIncidents); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if r.incidents[id] != nil {
			continue
		}
		var body incidentBody
		err := s.client.GetJSON(ctx, "/incidents/"+url.PathEscape(id), url.Values{"time_zone": {"UTC"}}, &body)
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			s.logger.Warn("incident named by a log entry no longer exists; skipping it", "incident", id)
			r.drop(id)
			continue
		}
		if err != nil {
			return err
		}
		in := body.Incident
		r.incidents[in.ID] = in
		if _, wasOpen := r.cur.Open[id]; wasOpen || !in.CreatedAt.Before(from) || in.CreatedAt.Before(histStart) {
			continue
		}
		q := url.Values{"time_zone": {"UTC"}, "is_overview": {"false"}}
		err = fetchAll(ctx, s.client, "/incidents/"+url.PathEscape(id)+"/log_entries", q, func(p *logEntriesPage) {
			for i := range *p.LogEntries {
				e := &(*p.LogEntries)[i]
				r.entries[e.ID] = e
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// drop forgets an incident that no longer exists, and its log entries.
func (r *run) drop(id string) {
	for k, e := range r.entries {
		if e.Incident.ID == id {
			delete(r.entries, k)
		}
	}
}

// openSet is the cursor's set of open incidents after this sync.
func (r *run) openSet() map[string]openIncident {
	acks := r.firstAcks()
	out := map[string]openIncident{}
	for id, in := range r.incidents {
		if in.Status == "resolved" {
			continue
		}
		out[id] = openIncident{Created: in.CreatedAt.UTC(), Ack: acks[id]}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
