package rootly

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	pageSize       = 100 // page[size] of numbered lists
	eventPageSize  = 50  // page[size] of the alert event feed (max 50)
	maxOncallRange = 30 * 24 * time.Hour
	// overlap re-reads the tail of the previous window so that a record that became
	// visible late is not missed; records are upserts, so nothing is stored twice.
	overlap = 5 * time.Minute
	// listAttempts bounds how often a numbered listing is repeated when its total_count
	// changed while it was paged (records moved between pages).
	listAttempts = 3
	batchRecords = 2000
	// maxPages guards against an API that never stops paging.
	maxPages = 100000
)

// cursor is what Sync hands back to itself, as JSON, through the store.
//
// CompleteUntil: every incident updated before it, every alert event created before it
// and every on-call entry that started before it is stored. The next sync lists
// incidents with updated_at ≥ CompleteUntil−5m (new, acknowledged, resolved and edited
// ones alike), alert events with created_at in the same window, and on-call entries
// overlapping it. ReferenceAt is when users, teams and escalation policies were last
// read; ServicePolicy and TeamPolicy map a service or team id to the escalation policy
// that alerting it triggers (from /v1/escalation_policies), for off-rotation checks.
// Acks: see the field.
type cursor struct {
	httpapi.SyncCursor
	ServicePolicy map[string]string `json:"service_policy,omitempty"`
	TeamPolicy    map[string]string `json:"team_policy,omitempty"`
	// Acks keeps the first acknowledgement of incidents that have no acknowledged_at
	// but an acknowledged alert event, so a later re-read of the incident (without that
	// event in its window) keeps it. Entries leave with history.
	Acks map[string]ackEntry `json:"acks,omitempty"`
	// HasPages and HasOnCall: the account has shown a notification event / an on-call
	// entry (see Source.hasPages).
	HasPages  bool `json:"has_pages,omitempty"`
	HasOnCall bool `json:"has_oncall,omitempty"`
}

type ackEntry struct {
	Created time.Time `json:"created"`
	Ack     time.Time `json:"ack"`
}

const cursorVersion = 1

// run is the state of one Sync.
type run struct {
	s         *Source
	cur       cursor
	now       time.Time
	histStart time.Time

	servicePolicy, teamPolicy map[string]string

	incidents map[string]*rIncident
	skipped   map[string]bool // incidents of an excluded kind
	events    map[string]*resource[alertEventAttrs]
	shifts    []incident.Shift
	unstable  bool // a listing kept changing while paged: do not advance the cursor
	acks      map[string]ackEntry
	// pages/onCall: what this run learnt; 1 seen, -1 the API answered 404, 0 nothing.
	pages, onCall int
}

// rIncident is an incident with what its compound document carried for it.
type rIncident struct {
	id    string
	a     *incidentAttrs
	roles []roleAssignment
	keys  []dedupKey
}

type roleAssignment struct {
	id, person string
	at         time.Time
}

type dedupKey struct {
	key string
	at  time.Time
}

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{
			s:         s,
			cur:       *cur,
			now:       p.Now,
			histStart: p.HistoryStart,
			incidents: map[string]*rIncident{},
			skipped:   map[string]bool{},
			events:    map[string]*resource[alertEventAttrs]{},
		}
		return r.sync(ctx, p)
	})
}

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	backfill, from, until := p.Backfill, p.From, p.Now

	// 1. Reference data, hourly: people and teams go out in their own batch.
	r.servicePolicy, r.teamPolicy = r.cur.ServicePolicy, r.cur.TeamPolicy
	if p.Refresh {
		ref, err := r.reference(ctx)
		if err != nil {
			return res, err
		}
		res.Reference = &ref
	}

	// 2. Incidents: on back-fill those created in history; then those updated since the
	// cursor (which includes the new ones). Roles and alerts come in the same document.
	field := "updated_at"
	if backfill {
		field = "created_at"
	}
	if err := r.listIncidents(ctx, field, from, until); err != nil {
		return res, err
	}

	// 3. The account-wide alert event feed of the window: pages and acknowledgements.
	if err := r.alertEvents(ctx, from, until); err != nil {
		return res, err
	}

	// 4. On-call entries overlapping the window.
	if err := r.oncalls(ctx, from, until); err != nil {
		return res, err
	}

	// 5. Pulses (deploys, rollbacks, config changes) created in the window.
	changes, err := r.pulses(ctx, from, until)
	if err != nil {
		return res, err
	}

	// 6. Map.
	b := r.mapAll()
	b.Shifts = r.shifts
	b.Changes = changes
	next := cursor{
		ServicePolicy: r.servicePolicy,
		TeamPolicy:    r.teamPolicy,
		Acks:          r.acks,
		HasPages:      r.pages > 0 || r.pages == 0 && r.cur.HasPages,
		HasOnCall:     r.onCall > 0 || r.onCall == 0 && r.cur.HasOnCall,
	}
	if r.unstable && !backfill {
		// Something may have been skipped: read the same window again next time.
		res.Reread = true
		s.logger.Warn("incident list kept changing while paged; the next sync re-reads this window")
	}
	res.Data, res.Next = b, next
	res.Written = func() {
		s.hasPages.Store(next.HasPages)
		s.hasOnCall.Store(next.HasOnCall)
		s.logger.Debug("sync done", "backfill", backfill, "incidents", len(b.Incidents), "alert_events", len(r.events),
			"pages", len(b.Pages), "engagements", len(b.Engagements), "shifts", len(b.Shifts), "changes", len(b.Changes))
	}
	return res, nil
}

// ---- fetching ----

type numbered interface {
	httpapi.Validator
	next() *int
	total() *int
}

type numberedDoc[D any] interface {
	*D
	numbered
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fetchPages reads every page of a page[number] list, following meta.next_page. It
// reports whether meta.total_count changed between pages (records were added or moved
// while paging).
func fetchPages[D any, PD numberedDoc[D]](ctx context.Context, c *httpapi.Client, path string, q url.Values, each func(PD)) (bool, error) {
	return httpapi.FetchNumbered(ctx, c, path, q, httpapi.Numbering{PageParam: "page[number]", SizeParam: "page[size]", Size: pageSize, MaxPages: maxPages},
		func(d PD) (next, total *int) { return d.next(), d.total() }, each)
}

func (r *run) reference(ctx context.Context) (source.Batch, error) {
	s := r.s
	var b source.Batch
	_, err := fetchPages(ctx, s.client, "/v1/users", url.Values{}, func(d *usersDoc) {
		for _, u := range *d.Data {
			a := u.Attributes
			tz := s.cfg.DefaultTimezone
			if a.TimeZone != nil && *a.TimeZone != "" {
				tz = *a.TimeZone
			}
			b.People = append(b.People, incident.Person{
				Source: s.cfg.Name, ID: string(u.ID), Name: userName(a), Email: a.Email, TimeZone: tz,
			})
		}
	})
	if err != nil {
		return b, err
	}
	_, err = fetchPages(ctx, s.client, "/v1/teams", url.Values{}, func(d *teamsDoc) {
		for _, t := range *d.Data {
			members := make([]string, 0, len(t.Attributes.UserIDs))
			for _, id := range t.Attributes.UserIDs {
				members = append(members, string(id))
			}
			b.Teams = append(b.Teams, incident.Team{Source: s.cfg.Name, Name: t.Attributes.Name, Members: members})
		}
	})
	if err != nil {
		return b, err
	}
	r.servicePolicy, r.teamPolicy = map[string]string{}, map[string]string{}
	var pols []resource[policyAttrs]
	_, err = fetchPages(ctx, s.client, "/v1/escalation_policies", url.Values{}, func(d *policiesDoc) {
		pols = append(pols, *d.Data...)
	})
	// The first policy (by id, for determinism) that names a service or team wins.
	sort.Slice(pols, func(i, j int) bool { return pols[i].ID < pols[j].ID })
	for _, p := range pols {
		for _, sv := range p.Attributes.ServiceIDs {
			if _, ok := r.servicePolicy[sv]; !ok {
				r.servicePolicy[sv] = string(p.ID)
			}
		}
		for _, g := range p.Attributes.GroupIDs {
			if _, ok := r.teamPolicy[g]; !ok {
				r.teamPolicy[g] = string(p.ID)
			}
		}
	}
	if len(r.servicePolicy) == 0 {
		r.servicePolicy = nil
	}
	if len(r.teamPolicy) == 0 {
		r.teamPolicy = nil
	}
	return b, err
}

// pulses reads the pulses created in [from, to) and maps them: one change per service a
// pulse names (id: the pulse's id, or "<pulse id>/<service name>" when it names
// several), one on an unknown service when it names none. The time is created_at; the
// team a "team" label, else none (the analytics take the service's team from its
// incidents); the kind an explicit kind, change_type or type label, else the summary
// and source (see source.ChangeKind). A range Rootly will not page through (400 past
// its first page) is split in half; a key that may not read pulses (403, 404) reads
// none, and the rest of the sync goes on.
func (r *run) pulses(ctx context.Context, from, to time.Time) ([]incident.Change, error) {
	var out []incident.Change
	err := r.pulseRange(ctx, from, to, func(d *pulsesDoc) {
		for _, p := range *d.Data {
			out = append(out, r.pulseChanges(string(p.ID), p.Attributes)...)
		}
	})
	var he *httpapi.Error
	if errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound) {
		r.s.logger.Warn("pulses are not available to this API key; no changes are read", "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (r *run) pulseRange(ctx context.Context, from, to time.Time, each func(*pulsesDoc)) error {
	if !from.Before(to) {
		return nil
	}
	q := url.Values{
		"filter[created_at][gte]": {formatTime(from)},
		"filter[created_at][lt]":  {formatTime(to)},
	}
	var got []*pulsesDoc
	_, err := fetchPages(ctx, r.s.client, "/v1/pulses", q, func(d *pulsesDoc) { got = append(got, d) })
	var he *httpapi.Error
	if errors.As(err, &he) && he.Status == http.StatusBadRequest && len(got) > 0 && to.Sub(from) >= 2*time.Second {
		mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
		if err := r.pulseRange(ctx, from, mid, each); err != nil {
			return err
		}
		return r.pulseRange(ctx, mid, to, each)
	}
	if err != nil {
		return err
	}
	for _, d := range got {
		each(d)
	}
	return nil
}

func (r *run) pulseChanges(id string, a *pulseAttrs) []incident.Change {
	label := func(keys ...string) string {
		for _, k := range keys {
			for _, l := range a.Labels {
				if strings.EqualFold(l.Key, k) && l.Value != "" {
					return l.Value
				}
			}
		}
		return ""
	}
	src := ""
	if a.Source != nil {
		src = *a.Source
	}
	c := incident.Change{Source: r.s.cfg.Name, ID: id, Team: label("team"),
		Kind: source.ChangeKind(label("kind", "change_type", "type"), a.Summary, src), Time: a.CreatedAt.UTC()}
	if len(a.Services) == 0 {
		return []incident.Change{c}
	}
	out := make([]incident.Change, 0, len(a.Services))
	for _, sv := range a.Services {
		c := c
		c.Service = sv.name()
		if len(a.Services) > 1 {
			c.ID = id + "/" + c.Service
		}
		out = append(out, c)
	}
	return out
}

func userName(a *userAttrs) string {
	if a.FullName != nil && *a.FullName != "" {
		return *a.FullName
	}
	var parts []string
	for _, p := range []*string{a.FirstName, a.LastName} {
		if p != nil && *p != "" {
			parts = append(parts, *p)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " ")
	}
	return a.Email
}

// listIncidents reads the incidents whose field (created_at or updated_at) lies in
// [from, to). A listing whose total_count changed while it was paged (an incident was
// updated and moved, so another may have slid onto a page already read) is repeated, up
// to listAttempts times; the union of what was read is kept.
func (r *run) listIncidents(ctx context.Context, field string, from, to time.Time) error {
	for attempt := 1; ; attempt++ {
		changed, err := r.listIncidentRange(ctx, field, from, to)
		if err != nil || !changed {
			return err
		}
		if attempt >= listAttempts {
			r.unstable = true
			return nil
		}
	}
}

// listIncidentRange lists one range. Rootly refuses deep offset pagination with a 400
// ("offset pagination exceeds limit"); a range that hits it past its first page is
// split in half, recursively.
func (r *run) listIncidentRange(ctx context.Context, field string, from, to time.Time) (bool, error) {
	if !from.Before(to) {
		return false, nil
	}
	q := url.Values{
		"filter[" + field + "][gte]": {formatTime(from)},
		"filter[" + field + "][lt]":  {formatTime(to)},
		"sort":                       {field},
		"include":                    {"roles,alerts"},
	}
	pages := 0
	var got []*incidentsDoc
	changed, err := fetchPages(ctx, r.s.client, "/v1/incidents", q, func(d *incidentsDoc) {
		pages++
		got = append(got, d)
	})
	var he *httpapi.Error
	if errors.As(err, &he) && he.Status == http.StatusBadRequest && pages > 0 && to.Sub(from) >= 2*time.Second {
		mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
		r.s.logger.Debug("splitting an incident range the API will not page through", "from", from, "to", to)
		c1, err := r.listIncidentRange(ctx, field, from, mid)
		if err != nil {
			return false, err
		}
		c2, err := r.listIncidentRange(ctx, field, mid, to)
		return c1 || c2, err
	}
	if err != nil {
		return false, err
	}
	for _, d := range got {
		r.addIncidents(d)
	}
	return changed, nil
}

func (r *run) addIncidents(d *incidentsDoc) {
	inc := map[string]*included{}
	for i := range d.Included {
		x := &d.Included[i]
		inc[x.Type+"/"+string(x.ID)] = x
	}
	for _, res := range *d.Data {
		id := string(res.ID)
		a := res.Attributes
		if r.s.exclude[a.Kind] {
			r.skipped[id] = true
			continue
		}
		if a.CreatedAt.Before(r.histStart) {
			continue // updated lately but older than history: outside every window
		}
		ri := &rIncident{id: id, a: a}
		for _, ref := range res.Relationships["roles"].refs() {
			x := inc[ref.Type+"/"+ref.ID]
			if x == nil {
				continue
			}
			var ra roleAssignmentAttrs
			if json.Unmarshal(x.Attributes, &ra) != nil {
				continue
			}
			person := ""
			if ra.User != nil {
				person = string(ra.User.ID)
			}
			if person == "" && ra.UserID != nil {
				person = string(*ra.UserID)
			}
			at := ra.CreatedAt
			if at == nil {
				at = ra.UpdatedAt
			}
			if person == "" || at == nil {
				continue // an unassigned role, or no time to place the engagement
			}
			ri.roles = append(ri.roles, roleAssignment{id: string(x.ID), person: person, at: at.UTC()})
		}
		for _, ref := range res.Relationships["alerts"].refs() {
			x := inc[ref.Type+"/"+ref.ID]
			if x == nil {
				continue
			}
			var al alertAttrs
			if json.Unmarshal(x.Attributes, &al) != nil || al.DeduplicationKey == nil || *al.DeduplicationKey == "" {
				continue
			}
			var at time.Time
			if al.CreatedAt != nil {
				at = *al.CreatedAt
			}
			ri.keys = append(ri.keys, dedupKey{*al.DeduplicationKey, at})
		}
		r.incidents[id] = ri
	}
}

// alertEvents reads the alert event feed of [from, to), oldest first, following
// meta.next_cursor. A 404 means the account has no Rootly On-Call: pages are absent.
func (r *run) alertEvents(ctx context.Context, from, to time.Time) error {
	s := r.s
	q := url.Values{
		"filter[created_at][gte]": {formatTime(from)},
		"filter[created_at][lt]":  {formatTime(to)},
		"sort":                    {"created_at"},
		"page[size]":              {strconv.Itoa(eventPageSize)},
	}
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages >= maxPages {
			return fmt.Errorf("GET /v1/alert_events: more than %d pages", maxPages)
		}
		var d alertEventsDoc
		err := s.client.GetJSON(ctx, "/v1/alert_events", q, &d)
		var he *httpapi.Error
		if pages == 0 && errors.As(err, &he) && he.Status == http.StatusNotFound {
			if r.cur.HasPages || !backfillDone(r) {
				s.logger.Warn("the alert event feed is not available (no Rootly On-Call?); pages are absent for this source")
			}
			r.pages = -1
			return nil
		}
		if err != nil {
			return err
		}
		for i := range *d.Data {
			e := &(*d.Data)[i]
			r.events[string(e.ID)] = e
			if pageChannel(e.Attributes.Action) != "" && e.Attributes.person() != "" {
				r.pages = 1
			}
		}
		nc := d.Meta.NextCursor
		if nc == nil || *nc == "" || len(*d.Data) == 0 {
			return nil
		}
		if seen[*nc] {
			return errors.New("GET /v1/alert_events: the API returned the same page cursor twice")
		}
		seen[*nc] = true
		q.Set("page[after]", *nc)
	}
}

// oncalls reads on-call entries overlapping [from, to) in ranges of at most 30 days.
// A 404 means on-call is not enabled for the account: on-call data is absent.
func (r *run) oncalls(ctx context.Context, from, to time.Time) error {
	s := r.s
	seen := map[string]int{}
	for lo := from; lo.Before(to); {
		hi := lo.Add(maxOncallRange)
		if hi.After(to) {
			hi = to
		}
		var d oncallsDoc
		q := url.Values{"since": {formatTime(lo)}, "until": {formatTime(hi)}}
		err := s.client.GetJSON(ctx, "/v1/oncalls", q, &d)
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			if r.cur.HasOnCall || !backfillDone(r) {
				s.logger.Warn("/v1/oncalls is not available (no Rootly On-Call?); off-rotation figures are absent for this source")
			}
			r.shifts, r.onCall = nil, -1
			return nil
		}
		if err != nil {
			return err
		}
		if len(*d.Data) > 0 {
			r.onCall = 1
		}
		for _, o := range *d.Data {
			a := o.Attributes
			level := 1
			if a.EscalationLevel != nil {
				level = *a.EscalationLevel
			}
			sh := incident.Shift{
				Source: s.cfg.Name, PersonID: string(a.UserID), EscalationPolicy: a.EscalationPolicyID,
				Level: level, Start: a.StartsAt.UTC(), End: a.EndsAt.UTC(),
			}
			sh.ID = strings.Join([]string{sh.EscalationPolicy, strconv.Itoa(level), sh.PersonID, sh.Start.Format(time.RFC3339)}, "/")
			if i, ok := seen[sh.ID]; ok {
				r.shifts[i] = sh // an entry spanning two ranges comes twice
				continue
			}
			seen[sh.ID] = len(r.shifts)
			r.shifts = append(r.shifts, sh)
		}
		lo = hi
	}
	return nil
}

// backfillDone reports whether an earlier sync completed (warnings about a missing
// add-on are logged on the first sync and when it disappears, not every minute).
func backfillDone(r *run) bool { return !r.cur.CompleteUntil.IsZero() }

// ---- mapping ----

// pageChannel maps an alert event action that notifies a person to a page channel.
// "notified" is a push notification to the mobile app (the remaining notification
// channels have their own actions: called, texted, emailed, slacked …); "paged" is a
// page through the Rootly app, counted as push.
func pageChannel(action string) string {
	switch action {
	case "called":
		return incident.ChannelPhone
	case "texted":
		return incident.ChannelSMS
	case "notified", "paged":
		return incident.ChannelPush
	case "emailed":
		return incident.ChannelEmail
	}
	return ""
}

// engagementKind maps an alert event by a person to an engagement kind; "" when none.
func engagementKind(e *alertEventAttrs) string {
	switch {
	case e.Action == "acknowledged":
		return incident.EngageAcknowledge
	case e.Action == "resolved":
		return incident.EngageResolve
	case e.Action == "escalated":
		return incident.EngageAction // escalated by hand
	case e.Kind == "note":
		return incident.EngageNote
	}
	return ""
}

// severity maps Rootly's severity levels: critical → critical, high → high, medium and
// low → low; no severity → unknown.
func severity(a *incidentAttrs) incident.Severity {
	if a.Severity == nil || a.Severity.Data == nil {
		return incident.SeverityUnknown
	}
	switch strings.ToLower(a.Severity.Data.Attributes.Severity) {
	case "critical":
		return incident.SeverityCritical
	case "high":
		return incident.SeverityHigh
	case "medium", "low":
		return incident.SeverityLow
	}
	return incident.SeverityUnknown
}

// wanted reports whether records of incident id are written: it was read in this run,
// or the event says it was created inside history (so an earlier sync stored it).
func (r *run) wanted(id string, e *alertEventAttrs) bool {
	if r.skipped[id] {
		return false
	}
	if r.incidents[id] != nil {
		return true
	}
	if e.Incident != nil && e.Incident.ID == id && r.s.exclude[e.Incident.Kind] {
		return false
	}
	if e.Incident != nil && e.Incident.ID == id && e.Incident.CreatedAt != "" {
		if t, err := time.Parse(time.RFC3339, e.Incident.CreatedAt); err == nil {
			return !t.Before(r.histStart)
		}
	}
	return false
}

func (r *run) mapAll() *source.Batch {
	name := r.s.cfg.Name
	b := &source.Batch{}
	firstAck := map[string]time.Time{}
	r.acks = map[string]ackEntry{}
	for id, a := range r.cur.Acks {
		if !a.Created.Before(r.histStart) {
			r.acks[id] = a
			firstAck[id] = a.Ack
		}
	}

	eids := make([]string, 0, len(r.events))
	for id := range r.events {
		eids = append(eids, id)
	}
	sort.Strings(eids)
	for _, eid := range eids {
		e := r.events[eid]
		a := e.Attributes
		person := a.person()
		if person == "" {
			continue // an event of the system or an integration
		}
		incs := a.incidents()
		for _, inc := range incs {
			if !r.wanted(inc, a) {
				continue
			}
			id := eid
			if len(incs) > 1 {
				id = eid + "/" + inc
			}
			at := a.CreatedAt.UTC()
			if ch := pageChannel(a.Action); ch != "" {
				b.Pages = append(b.Pages, incident.Page{Source: name, ID: id, IncidentID: inc, PersonID: person, At: at, Channel: ch})
				continue
			}
			kind := engagementKind(a)
			if kind == "" {
				continue
			}
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: id, IncidentID: inc, PersonID: person, Kind: kind, At: at})
			if kind == incident.EngageAcknowledge {
				if t, ok := firstAck[inc]; !ok || at.Before(t) {
					firstAck[inc] = at
				}
			}
		}
	}

	ids := make([]string, 0, len(r.incidents))
	for id := range r.incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ri := r.incidents[id]
		in := r.mapIncident(ri, firstAck[id])
		b.Incidents = append(b.Incidents, in)
		if ri.a.AcknowledgedAt == nil && !in.AcknowledgedAt.IsZero() {
			r.acks[id] = ackEntry{Created: in.CreatedAt, Ack: in.AcknowledgedAt}
		} else {
			delete(r.acks, id)
		}
		if rb := ri.a.ResolvedBy; rb != nil && rb.ID != "" && !in.ResolvedAt.IsZero() {
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "resolved_by/" + id,
				IncidentID: id, PersonID: string(rb.ID), Kind: incident.EngageResolve, At: in.ResolvedAt})
		}
		for _, ra := range ri.roles {
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "role/" + id + "/" + ra.id,
				IncidentID: id, PersonID: ra.person, Kind: incident.EngageAction, At: ra.at})
		}
	}
	if len(r.acks) == 0 {
		r.acks = nil
	}
	return b
}

func (r *run) mapIncident(ri *rIncident, eventAck time.Time) incident.Incident {
	a := ri.a
	out := incident.Incident{
		Source:    r.s.cfg.Name,
		ID:        ri.id,
		Title:     a.Title,
		Severity:  severity(a),
		CreatedAt: a.CreatedAt.UTC(),
	}
	if len(a.Groups) > 0 {
		out.Team = a.Groups[0].name()
	}
	if len(a.Services) > 0 {
		out.Service = a.Services[0].name()
	}
	for _, sv := range a.Services {
		if p := r.servicePolicy[sv.id()]; p != "" && out.EscalationPolicy == "" {
			out.EscalationPolicy = p
		}
	}
	for _, g := range a.Groups {
		if p := r.teamPolicy[g.id()]; p != "" && out.EscalationPolicy == "" {
			out.EscalationPolicy = p
		}
	}
	if len(ri.keys) > 0 {
		k := ri.keys[0]
		for _, x := range ri.keys[1:] {
			if x.at.Before(k.at) {
				k = x
			}
		}
		out.RecurrenceKey = k.key
	}
	switch {
	case a.AcknowledgedAt != nil:
		out.AcknowledgedAt = a.AcknowledgedAt.UTC()
	case !eventAck.IsZero():
		out.AcknowledgedAt = eventAck
	}
	status := ""
	if a.Status != nil {
		status = *a.Status
	}
	switch {
	case a.ResolvedAt != nil:
		out.ResolvedAt = a.ResolvedAt.UTC()
	case status == "closed" && a.ClosedAt != nil:
		out.ResolvedAt = a.ClosedAt.UTC()
	case status == "cancelled" && a.CancelledAt != nil:
		out.ResolvedAt = a.CancelledAt.UTC()
	}
	if !out.AcknowledgedAt.IsZero() && out.AcknowledgedAt.Before(out.CreatedAt) {
		out.AcknowledgedAt = out.CreatedAt
	}
	if !out.ResolvedAt.IsZero() && out.ResolvedAt.Before(out.CreatedAt) {
		out.ResolvedAt = out.CreatedAt // back-dated: resolved before it was recorded
	}
	return out
}
