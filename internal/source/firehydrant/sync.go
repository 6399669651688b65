package firehydrant

import (
	"context"
	"errors"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// API limits and sync parameters.
const (
	perPage = 100
	// overlap re-reads the tail of the previous window so that a change that became
	// visible late is not missed; records are upserts, so nothing is stored twice.
	overlap      = 5 * time.Minute
	listAttempts = 3
	batchRecords = 2000
	maxPages     = 100000
	// maxSeen bounds the cursor's change-detection hashes.
	maxSeen = 5000
)

// eventTypes are the timeline event types read for engagement: notes and updates
// posted by a person, messages added to the timeline by hand, and role changes.
const eventTypes = "note,bulk_update,generic_chat_message,role_update"

// cursor is what Sync hands back to itself, as JSON, through the store.
//
// CompleteUntil: every incident updated before it is stored. The next sync lists
// incidents updated after CompleteUntil−5m (new ones included). Seen holds a hash of
// each listed incident's JSON: an incident listed again with the same JSON (the
// overlap re-reads an update already read) costs no further request. The incident
// entity has no updated_at, so a second change within the overlap that leaves its JSON
// identical (a message added to the timeline by hand) waits for the incident's next
// change. ReferenceAt is when users and teams were last read.
type cursor struct {
	httpapi.SyncCursor
	Seen map[string]string `json:"seen,omitempty"`
}

const cursorVersion = 1

type run struct {
	s         *Source
	cur       cursor
	now       time.Time
	histStart time.Time

	incidents map[string]*fhIncident
	hashes    map[string]string
	events    map[string][]event     // by incident
	extra     map[string][]milestone // milestones read per incident
	unstable  bool
}

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{
			s: s, cur: *cur, now: p.Now, histStart: p.HistoryStart,
			incidents: map[string]*fhIncident{}, hashes: map[string]string{},
			events: map[string][]event{}, extra: map[string][]milestone{},
		}
		return r.sync(ctx, p)
	})
}

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	backfill := p.Backfill
	q := url.Values{}
	if backfill {
		q.Set("created_at_or_after", formatTime(p.HistoryStart))
	} else {
		q.Set("updated_after", formatTime(p.From))
	}

	// 1. Reference data, hourly.
	if p.Refresh {
		ref, err := r.reference(ctx)
		if err != nil {
			return res, err
		}
		res.Reference = &ref
	}

	// 2. Incidents new or changed since the cursor (all of history on back-fill).
	if err := r.listIncidents(ctx, q); err != nil {
		return res, err
	}

	// 3. Per incident, only for those the list returned (new or changed since the
	// cursor): timeline events (the API has no account-wide event list) and, when the
	// list did not carry them, milestones.
	ids := make([]string, 0, len(r.incidents))
	for id := range r.incidents {
		if h, ok := r.cur.Seen[id]; ok && h == r.hashes[id] {
			continue // listed again (the overlap) with the same JSON: stored already
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	kept := ids[:0]
	for _, id := range ids {
		ok, err := r.details(ctx, r.incidents[id])
		if err != nil {
			return res, err
		}
		if ok {
			kept = append(kept, id)
		}
	}
	ids = kept

	// 4. Change events that started in the window (all of history on back-fill).
	changes, err := r.changeEvents(ctx, p.From)
	if err != nil {
		return res, err
	}

	// 5. Map.
	b := r.mapAll(ids)
	b.Changes = changes
	var next cursor
	if len(r.hashes) <= maxSeen {
		next.Seen = r.hashes
	}
	if len(next.Seen) == 0 {
		next.Seen = nil
	}
	if r.unstable && !backfill {
		res.Reread = true
		s.logger.Warn("incident list kept changing while paged; the next sync re-reads this window")
	}
	res.Data, res.Next = b, next
	res.Written = func() {
		s.logger.Debug("sync done", "backfill", backfill, "incidents", len(b.Incidents), "engagements", len(b.Engagements),
			"changes", len(b.Changes))
	}
	return res, nil
}

// changeEvents reads the change events that started at or after from and maps them:
// one change per service an event names (id: the event's id, or "<event id>/<service
// id>" when it names several), one on an unknown service when it names none. The time
// is starts_at (created_at when it has none); the team is a "team" label, else none
// (the analytics take the service's team from its incidents); the kind an explicit
// kind, change_type or type label, else the summary (see source.ChangeKind). A key that
// may not read changes (403, 404) reads none; the rest of the sync goes on.
func (r *run) changeEvents(ctx context.Context, from time.Time) ([]incident.Change, error) {
	s := r.s
	var out []incident.Change
	_, err := fetchAll(ctx, s.client, "/v1/changes/events", url.Values{"starts_at": {formatTime(from)}}, func(p *changeEventsPage) {
		for _, e := range *p.Data {
			at := e.StartsAt
			if at == nil {
				at = e.CreatedAt
			}
			if at.Before(from) {
				continue
			}
			label := func(keys ...string) string {
				for _, k := range keys {
					if v, ok := e.Labels[k].(string); ok && v != "" {
						return v
					}
				}
				return ""
			}
			c := incident.Change{Source: s.cfg.Name, ID: e.ID, Team: label("team"),
				Kind: source.ChangeKind(label("kind", "change_type", "type"), e.Summary), Time: at.UTC()}
			if len(e.Services) == 0 {
				out = append(out, c)
			}
			for _, sv := range e.Services {
				c := c
				if len(e.Services) > 1 {
					c.ID = e.ID + "/" + sv.ID
				}
				c.Service = sv.Name
				if c.Service == "" {
					c.Service = sv.ID
				}
				out = append(out, c)
			}
		}
	})
	var he *httpapi.Error
	if errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound) {
		s.logger.Warn("change events are not available to this API key; no changes are read", "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// pageOf is a pointer to a decoded list page.
type pageOf[P any] interface {
	*P
	paged
}

// fetchAll reads every page of a list, following pagination.next. It reports whether
// pagination.count changed between pages (records were added or moved while paging).
func fetchAll[P any, PT pageOf[P]](ctx context.Context, c *httpapi.Client, path string, q url.Values, each func(PT)) (bool, error) {
	return httpapi.FetchNumbered(ctx, c, path, q, httpapi.Numbering{PageParam: "page", SizeParam: "per_page", Size: perPage, MaxPages: maxPages},
		func(pt PT) (next, total *int) {
			if pg := pt.pager(); pg != nil {
				return pg.Next, pg.Count
			}
			return nil, nil
		}, each)
}

func (r *run) reference(ctx context.Context) (source.Batch, error) {
	s := r.s
	var b source.Batch
	_, err := fetchAll(ctx, s.client, "/v1/users", url.Values{}, func(p *usersPage) {
		for _, u := range *p.Data {
			// FireHydrant users have no time zone: the configured default stands in.
			b.People = append(b.People, incident.Person{Source: s.cfg.Name, ID: u.ID, Name: u.Name, Email: u.Email,
				TimeZone: s.cfg.DefaultTimezone})
		}
	})
	if err != nil {
		return b, err
	}
	_, err = fetchAll(ctx, s.client, "/v1/teams", url.Values{}, func(p *teamsPage) {
		for _, t := range *p.Data {
			members := []string{}
			for _, m := range t.Memberships {
				if m.User != nil && m.User.ID != "" {
					members = append(members, m.User.ID)
				}
			}
			b.Teams = append(b.Teams, incident.Team{Source: s.cfg.Name, Name: t.Name, Members: members})
		}
	})
	return b, err
}

// listIncidents lists incidents; a listing whose count changed while paged is repeated
// (up to listAttempts times), keeping the union.
func (r *run) listIncidents(ctx context.Context, q url.Values) error {
	for attempt := 1; ; attempt++ {
		changed, err := fetchAll(ctx, r.s.client, "/v1/incidents", q, func(p *incidentsPage) {
			for i, in := range p.incidents {
				if in.CreatedAt.Before(r.histStart) {
					continue // older than history: outside every window
				}
				r.incidents[in.ID] = in
				r.hashes[in.ID] = hashOf((*p.Data)[i])
			}
		})
		if err != nil || !changed {
			return err
		}
		if attempt >= listAttempts {
			r.unstable = true
			return nil
		}
	}
}

func hashOf(raw []byte) string {
	h := fnv.New64a()
	_, _ = h.Write(raw)
	return strconv.FormatUint(h.Sum64(), 16)
}

// details reads an incident's timeline events and, when the list carried no occurred
// milestone, its milestones. It reports false for an incident deleted since it was
// listed (404): it is left out of this sync.
func (r *run) details(ctx context.Context, in *fhIncident) (bool, error) {
	c := r.s.client
	base := "/v1/incidents/" + url.PathEscape(in.ID)
	gone := func(err error) bool {
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			r.s.logger.Warn("incident listed but no longer found; skipping it", "incident", in.ID)
			return true
		}
		return false
	}
	_, err := fetchAll(ctx, c, base+"/events", url.Values{"types": {eventTypes}}, func(p *eventsPage) {
		r.events[in.ID] = append(r.events[in.ID], *p.Data...)
	})
	if gone(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(in.milestonesOf()) > 0 {
		return true, nil
	}
	_, err = fetchAll(ctx, c, base+"/milestones", url.Values{}, func(p *milestonesPage) {
		r.extra[in.ID] = append(r.extra[in.ID], *p.Data...)
	})
	if gone(err) {
		return false, nil
	}
	return err == nil, err
}

func (r *run) mapAll(ids []string) *source.Batch {
	name := r.s.cfg.Name
	b := &source.Batch{}
	for _, id := range ids {
		in := r.incidents[id]
		ms := in.milestonesOf()
		for _, m := range r.extra[id] {
			if m.OccurredAt != nil {
				ms = append(ms, m)
			}
		}
		out := incident.Incident{Source: name, ID: in.ID, Title: in.Name, Severity: severity(in.Severity),
			CreatedAt: in.CreatedAt.UTC()}
		for _, ta := range in.TeamAssignments {
			if ta.Team != nil && ta.Team.Name != "" && (out.Team == "" || ta.Status == "active") {
				out.Team = ta.Team.Name
				if ta.Status == "active" {
					break
				}
			}
		}
		if len(in.Services) > 0 {
			out.Service = in.Services[0].Name
		}
		for _, m := range ms {
			at := m.OccurredAt.UTC()
			slug := strings.ToLower(m.slug())
			kind := incident.EngageAction
			switch {
			case r.s.ackSet[slug]:
				kind = incident.EngageAcknowledge
				if out.AcknowledgedAt.IsZero() || at.Before(out.AcknowledgedAt) {
					out.AcknowledgedAt = at
				}
			case r.s.resSet[slug]:
				kind = incident.EngageResolve
				if out.ResolvedAt.IsZero() || at.Before(out.ResolvedAt) {
					out.ResolvedAt = at
				}
			}
			// A lifecycle milestone's id may be that of its definition, shared by every
			// incident: the engagement id is the incident's and the slug's.
			if m.UpdatedBy.person() && slug != "" {
				b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "milestone/" + id + "/" + slug,
					IncidentID: id, PersonID: m.UpdatedBy.ID, Kind: kind, At: at})
			}
		}
		if !out.AcknowledgedAt.IsZero() && out.AcknowledgedAt.Before(out.CreatedAt) {
			out.AcknowledgedAt = out.CreatedAt
		}
		if !out.ResolvedAt.IsZero() && out.ResolvedAt.Before(out.CreatedAt) {
			out.ResolvedAt = out.CreatedAt
		}
		b.Incidents = append(b.Incidents, out)
		for _, ra := range in.RoleAssignments {
			if ra.User == nil || ra.User.ID == "" || ra.CreatedAt == nil || ra.ID == "" {
				continue
			}
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "role/" + id + "/" + ra.ID,
				IncidentID: id, PersonID: ra.User.ID, Kind: incident.EngageAction, At: ra.CreatedAt.UTC()})
		}
		for _, e := range r.events[id] {
			if !e.Author.person() {
				continue
			}
			kind := incident.EngageNote
			if e.Type == "role_update" {
				kind = incident.EngageAction
			}
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "event/" + id + "/" + e.ID,
				IncidentID: id, PersonID: e.Author.ID, Kind: kind, At: e.OccurredAt.UTC()})
		}
	}
	return b
}

// severity maps FireHydrant's (org-configured) severity: SEV0/SEV1 (or P1, S1) →
// critical, SEV2 → high, SEV3 and lower → low; the names critical, high, medium, low,
// info map by name; none or anything else → unknown.
func severity(s string) incident.Severity {
	if sev, ok := source.SeverityLevel(s); ok {
		return sev
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return incident.SeverityCritical
	case "high":
		return incident.SeverityHigh
	case "medium", "low", "info", "minor":
		return incident.SeverityLow
	}
	return incident.SeverityUnknown
}
