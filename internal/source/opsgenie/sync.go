package opsgenie

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
// CompleteUntil: every alert created before it is stored, with the logs, notes and
// recipients it had when it was last seen changing. The next sync lists alerts created
// from CompleteUntil−5m (late indexing; records are upserts) and all open alerts.
// Known holds the alerts that were open at CompleteUntil and those created in the last
// 5 minutes before it, with their updatedAt: an alert is read in detail (logs, notes,
// recipients) only when it is new or its updatedAt moved, and a known open alert that
// is no longer open is fetched by id (it closed).
type cursor struct {
	httpapi.SyncCursor
	Known map[string]knownAlert `json:"known,omitempty"`
}

type knownAlert struct {
	Updated time.Time `json:"updated,omitzero"`
	Open    bool      `json:"open,omitempty"`
}

const cursorVersion = 1

// reference is the account's users, teams and schedules.
type reference struct {
	people      []incident.Person
	teams       []incident.Team
	byUsername  map[string]string // username (an email, lower case) → user id
	teamName    map[string]string // team id → name
	schedules   []schedule
	scheduleKey map[string]string // schedule id → on-call key (owner team id, else schedule id)
	escKey      map[string]string // escalation id → on-call key (owner team, else its first schedule's key)
}

// details are what an alert's logs, notes and recipients say.
type details struct {
	logs       []alertLog
	notes      []alertNote
	recipients []recipient
}

type run struct {
	s   *Source
	cur cursor
	now time.Time
	ref *reference

	alerts  map[string]*alert
	details map[string]*details
}

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{s: s, cur: *cur, now: p.Now, alerts: map[string]*alert{}, details: map[string]*details{}}
		return r.sync(ctx, p)
	})
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	histStart, backfill, from, until := p.HistoryStart, p.Backfill, p.From, p.Now

	// 1. Reference data and on-call shifts: on the first sync after a start, on
	// back-fill, then every ReferenceInterval.
	var shifts []incident.Shift
	r.ref = s.ref
	if p.Refresh {
		ref, err := r.readReference(ctx)
		if err != nil {
			return res, err
		}
		r.ref = ref
		res.Reference = &source.Batch{People: ref.people, Teams: ref.teams}
		shiftFrom := histStart
		if !backfill {
			shiftFrom = later(histStart, from.Add(-s.cfg.ReferenceInterval))
		}
		if shifts, err = r.readShifts(ctx, shiftFrom, r.now.Add(timelineAhead)); err != nil {
			return res, err
		}
	}

	// 2. Alerts created in the window, and every open alert.
	window := fmt.Sprintf("createdAt>=%d AND createdAt<%d", ms(from), ms(until))
	if err := r.listAlerts(ctx, window, from); err != nil {
		return res, err
	}
	if err := r.listAlerts(ctx, fmt.Sprintf("createdAt>=%d AND status=open", ms(histStart)), histStart); err != nil {
		return res, err
	}
	for id, a := range r.alerts {
		if a.CreatedAt.Before(histStart) {
			delete(r.alerts, id) // open for longer than history: out of scope
		}
	}
	// Known open alerts that are open no more: closed (or deleted) since the last sync.
	var closed []string
	for id, k := range r.cur.Known {
		if k.Open && r.alerts[id] == nil {
			closed = append(closed, id)
		}
	}
	sort.Strings(closed)
	for _, id := range closed {
		var body alertBody
		err := s.client.GetJSON(ctx, "/v2/alerts/"+url.PathEscape(id), url.Values{"identifierType": {"id"}}, &body)
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			s.logger.Warn("alert open at the last sync no longer exists; skipping it", "alert", id)
			continue
		}
		if err != nil {
			return res, err
		}
		if !body.Data.CreatedAt.Before(histStart) {
			r.alerts[id] = body.Data
		}
	}

	// 3. Details of the alerts that are new or changed.
	ids := make([]string, 0, len(r.alerts))
	for id, a := range r.alerts {
		k, known := r.cur.Known[id]
		if known && a.UpdatedAt != nil && k.Updated.Equal(a.UpdatedAt.UTC()) && k.Open == (a.Status == "open") {
			continue // seen before, unchanged
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	kept := ids[:0]
	for _, id := range ids {
		d, err := r.readDetails(ctx, id)
		var he *httpapi.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			// Deleted between the list and its details: it is gone from later lists too.
			s.logger.Warn("alert deleted while being read; skipping it", "alert", id)
			delete(r.alerts, id)
			continue
		}
		if err != nil {
			return res, err
		}
		r.details[id] = d
		kept = append(kept, id)
	}
	ids = kept

	// 4. Map.
	b := r.mapAll(ids)
	b.Shifts = shifts
	next := cursor{Known: map[string]knownAlert{}}
	for id, a := range r.alerts {
		if a.Status == "open" || !a.CreatedAt.Before(until.Add(-overlap)) {
			k := knownAlert{Open: a.Status == "open"}
			if a.UpdatedAt != nil {
				k.Updated = a.UpdatedAt.UTC()
			}
			next.Known[id] = k
		}
	}
	if len(next.Known) == 0 {
		next.Known = nil
	}
	res.Data, res.Next = b, next
	res.Written = func() {
		if p.Refresh {
			s.ref = r.ref
			enabled := false
			for _, sc := range r.ref.schedules {
				enabled = enabled || sc.Enabled
			}
			s.setOnCall(enabled)
		}
		s.logger.Debug("sync done", "backfill", backfill, "alerts", len(r.alerts), "detailed", len(ids),
			"pages", len(b.Pages), "engagements", len(b.Engagements), "shifts", len(b.Shifts))
	}
	return res, nil
}

// listAlerts reads every alert matching query, oldest first, following the paging
// links. When the next link would go past maxOffset, a createdAt-bounded query restarts
// from the newest createdAt seen (keyset), so that no deep offset is needed.
func (r *run) listAlerts(ctx context.Context, query string, lower time.Time) error {
	c := r.s.client
	base := query
	q := url.Values{"query": {query}, "sort": {"createdAt"}, "order": {"asc"}, "limit": {strconv.Itoa(pageLimit)}, "offset": {"0"}}
	path := "/v2/alerts"
	for pages := 0; ; pages++ {
		if pages > 100000 {
			return errors.New("GET /v2/alerts: too many pages")
		}
		resp, err := c.Get(ctx, path, q)
		if err != nil {
			return err
		}
		var p alertsPage
		if err := resp.DecodeJSON(&p); err != nil {
			return err
		}
		var last time.Time
		for i := range *p.Data {
			a := &(*p.Data)[i]
			r.alerts[a.ID] = a
			last = a.CreatedAt.UTC()
		}
		link := nextLink(resp, p.Paging)
		if link == "" || len(*p.Data) == 0 {
			return nil
		}
		np, nq, err := c.ResolveLink(link)
		if err != nil || np != path {
			return fmt.Errorf("GET %s: bad paging link: %v", path, err)
		}
		off, _ := strconv.Atoi(nq.Get("offset"))
		if off+pageLimit > r.s.maxOffset {
			if lower.IsZero() || !last.After(lower) {
				return fmt.Errorf("GET %s: more than %d alerts in one millisecond or an unbounded query; cannot page further", path, r.s.maxOffset)
			}
			lower = last
			q = url.Values{"query": {fmt.Sprintf("createdAt>=%d AND %s", ms(last), afterFirstClause(base))},
				"sort": {"createdAt"}, "order": {"asc"}, "limit": {strconv.Itoa(pageLimit)}, "offset": {"0"}}
			continue
		}
		q = nq
	}
}

// afterFirstClause drops the leading "createdAt>=… AND " of a window query.
func afterFirstClause(q string) string {
	for i := 0; i+5 <= len(q); i++ {
		if q[i:i+5] == " AND " {
			return q[i+5:]
		}
	}
	return q
}

func nextLink(resp *httpapi.Response, p *paging) string {
	if h := resp.Header.Get("X-Paging-Next"); h != "" {
		return h
	}
	if p != nil {
		return p.Next
	}
	return ""
}

// fetchLinked reads a list endpoint page by page, following X-Paging-Next (or the
// body's paging.next), and hands every decoded page to each.
func fetchLinked[P any, PT interface {
	*P
	httpapi.Validator
	links() (*paging, int)
}](ctx context.Context, c *httpapi.Client, path string, q url.Values, each func(PT)) error {
	seen := map[string]bool{}
	for {
		resp, err := c.Get(ctx, path, q)
		if err != nil {
			return err
		}
		pt := PT(new(P))
		if err := resp.DecodeJSON(pt); err != nil {
			return err
		}
		each(pt)
		pg, n := pt.links()
		link := nextLink(resp, pg)
		if link == "" || n == 0 {
			return nil
		}
		if seen[link] {
			return fmt.Errorf("GET %s: paging link repeats itself", path)
		}
		seen[link] = true
		np, nq, err := c.ResolveLink(link)
		if err != nil || np != path {
			return fmt.Errorf("GET %s: bad paging link: %v", path, err)
		}
		q = nq
	}
}

func (p *logsPage) links() (*paging, int)  { return p.Paging, len(*p.Data) }
func (p *notesPage) links() (*paging, int) { return p.Paging, len(*p.Data) }
func (p *usersPage) links() (*paging, int) { return p.Paging, len(*p.Data) }

func (r *run) readDetails(ctx context.Context, id string) (*details, error) {
	c := r.s.client
	d := &details{}
	base := "/v2/alerts/" + url.PathEscape(id)
	q := url.Values{"identifierType": {"id"}, "order": {"asc"}, "direction": {"next"}, "limit": {strconv.Itoa(pageLimit)}}
	if err := fetchLinked(ctx, c, base+"/logs", q, func(p *logsPage) { d.logs = append(d.logs, *p.Data...) }); err != nil {
		return nil, err
	}
	if err := fetchLinked(ctx, c, base+"/notes", q, func(p *notesPage) { d.notes = append(d.notes, *p.Data...) }); err != nil {
		return nil, err
	}
	var rb recipientsBody
	if err := c.GetJSON(ctx, base+"/recipients", url.Values{"identifierType": {"id"}}, &rb); err != nil {
		return nil, err
	}
	d.recipients = *rb.Data
	return d, nil
}

func (r *run) readReference(ctx context.Context) (*reference, error) {
	s := r.s
	c := s.client
	ref := &reference{byUsername: map[string]string{}, teamName: map[string]string{}, scheduleKey: map[string]string{},
		escKey: map[string]string{}}
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "offset": {"0"}}
	err := fetchLinked(ctx, c, "/v2/users", q, func(p *usersPage) {
		for _, u := range *p.Data {
			tz := u.TimeZone
			if tz == "" {
				tz = s.cfg.DefaultTimezone // unset: the customer's zone
			}
			email := ""
			if containsAt(u.Username) {
				email = u.Username
			}
			ref.people = append(ref.people, incident.Person{Source: s.cfg.Name, ID: u.ID, Name: u.FullName, Email: email, TimeZone: tz})
			ref.byUsername[lower(u.Username)] = u.ID
		}
	})
	if err != nil {
		return nil, err
	}
	var tb teamsBody
	if err := c.GetJSON(ctx, "/v2/teams", nil, &tb); err != nil {
		return nil, err
	}
	for _, t := range *tb.Data {
		ref.teamName[t.ID] = t.Name
		var one teamBody
		if err := c.GetJSON(ctx, "/v2/teams/"+url.PathEscape(t.ID), url.Values{"identifierType": {"id"}}, &one); err != nil {
			return nil, err
		}
		members := []string{}
		for _, m := range one.Data.Members {
			members = append(members, m.User.ID)
		}
		ref.teams = append(ref.teams, incident.Team{Source: s.cfg.Name, Name: t.Name, Members: members})
	}
	var sb schedulesBody
	if err := c.GetJSON(ctx, "/v2/schedules", nil, &sb); err != nil {
		return nil, err
	}
	for _, sc := range *sb.Data {
		ref.schedules = append(ref.schedules, sc)
		ref.scheduleKey[sc.ID] = onCallKey(sc)
	}
	// Escalations: an alert routed to an escalation (not a team) is checked against
	// the on-call of the escalation's owner team, else of its first schedule.
	var eb escalationsBody
	if err := c.GetJSON(ctx, "/v2/escalations", nil, &eb); err != nil {
		return nil, err
	}
	for _, e := range *eb.Data {
		switch {
		case e.OwnerTeam != nil && e.OwnerTeam.ID != "":
			ref.escKey[e.ID] = e.OwnerTeam.ID
		default:
			for _, rule := range e.Rules {
				if rule.Recipient != nil && rule.Recipient.Type == "schedule" && ref.scheduleKey[rule.Recipient.ID] != "" {
					ref.escKey[e.ID] = ref.scheduleKey[rule.Recipient.ID]
					break
				}
			}
		}
	}
	return ref, nil
}

// onCallKey is the escalation-policy key of a schedule's shifts: the owner team's id
// (so an alert routed to a team is checked against every schedule of that team), else
// the schedule's own id.
func onCallKey(sc schedule) string {
	if sc.OwnerTeam != nil && sc.OwnerTeam.ID != "" {
		return sc.OwnerTeam.ID
	}
	return sc.ID
}

// timelineChunks are the starts of the timeline requests covering [from, to): chunks
// of timelineChunk days on a fixed grid (from the Unix epoch), so that a period the
// API clips at a chunk boundary is clipped at the same instant by every sync and keeps
// its shift id; only the chunk holding "to" grows from one sync to the next.
func timelineChunks(from, to time.Time) []time.Time {
	const chunk = timelineChunk * 24 * time.Hour
	start := time.Unix(0, 0).UTC().Add(from.Sub(time.Unix(0, 0)) / chunk * chunk)
	var out []time.Time
	for t := start; t.Before(to); t = t.Add(chunk) {
		out = append(out, t)
	}
	return out
}

// readShifts reads the final timeline of every schedule over [from, to), in chunks.
func (r *run) readShifts(ctx context.Context, from, to time.Time) ([]incident.Shift, error) {
	c := r.s.client
	seen := map[string]int{}
	var out []incident.Shift
	for _, sc := range r.ref.schedules {
		if !sc.Enabled {
			continue
		}
		key := r.ref.scheduleKey[sc.ID]
		for _, start := range timelineChunks(from, to) {
			q := url.Values{"identifierType": {"id"}, "date": {start.UTC().Format(time.RFC3339)},
				"interval": {strconv.Itoa(timelineChunk)}, "intervalUnit": {"days"}}
			var tb timelineBody
			if err := c.GetJSON(ctx, "/v2/schedules/"+url.PathEscape(sc.ID)+"/timeline", q, &tb); err != nil {
				return nil, err
			}
			for _, rot := range tb.Data.FinalTimeline.Rotations {
				for _, p := range rot.Periods {
					if p.Recipient == nil || p.Recipient.Type != "user" || p.Recipient.ID == "" {
						continue
					}
					sh := incident.Shift{Source: r.s.cfg.Name, PersonID: p.Recipient.ID, EscalationPolicy: key, Level: 1,
						Start: p.StartDate.UTC(), End: p.EndDate.UTC()}
					sh.ID = key + "/" + sc.ID + "/" + rot.ID + "/" + sh.PersonID + "/" + sh.Start.Format(time.RFC3339)
					if i, ok := seen[sh.ID]; ok {
						out[i] = sh // a period crossing a chunk boundary comes twice
						continue
					}
					seen[sh.ID] = len(out)
					out = append(out, sh)
				}
			}
		}
	}
	return out, nil
}
