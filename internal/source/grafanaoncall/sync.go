package grafanaoncall

import (
	"context"
	"net/url"
	"sort"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// cursor is what Sync hands back to itself, as JSON, through the store.
//
// CompleteUntil: every alert group created before it is stored. The next sync reads
// alert groups created from CompleteUntil−5m (the overlap catches late arrivals;
// records are upserts). Open holds the alert groups that were open at CompleteUntil,
// with their creation time and first acknowledgement, so they are kept current until
// they resolve and their first acknowledgement survives an unacknowledge. ReferenceAt
// is when the reference data (users, teams, integrations, routes, escalation policies,
// schedules and final shifts) was last read; Integrations and Routes keep what the
// alert group mapping needs from it between refreshes.
type cursor struct {
	httpapi.SyncCursor
	Open         map[string]openGroup `json:"open,omitempty"`
	Integrations map[string]integ     `json:"integrations,omitempty"`
	Routes       map[string]string    `json:"routes,omitempty"` // route id → escalation chain id
}

type openGroup struct {
	Created time.Time `json:"created"`
	Ack     time.Time `json:"ack,omitzero"`
}

// integ is what an alert group takes from its integration.
type integ struct {
	Team    string `json:"team,omitempty"`    // team name
	Service string `json:"service,omitempty"` // integration name
	Chain   string `json:"chain,omitempty"`   // escalation chain of the default route
}

const cursorVersion = 1

// run is the state of one Sync.
type run struct {
	s   *Source
	cur cursor
	now time.Time

	integrations map[string]integ
	routes       map[string]string

	groups   map[string]*alertGroup
	inWindow map[string]bool // created in this sync's window
	notes    map[string]resolutionNote
	shifts   map[string]incident.Shift
}

// startedAtLayout is the started_at filter's documented format, in UTC.
const startedAtLayout = "2006-01-02T15:04:05"

// Sync reads what is new since cursor and writes it to sink. See cursor for the design.
func (s *Source) Sync(ctx context.Context, rawCursor string, sink source.Sink) error {
	return httpapi.Sync(ctx, &s.syncer, rawCursor, sink, func(ctx context.Context, p httpapi.Plan, cur *cursor) (httpapi.Result[cursor], error) {
		r := &run{
			s:        s,
			cur:      *cur,
			now:      p.Now,
			groups:   map[string]*alertGroup{},
			inWindow: map[string]bool{},
			notes:    map[string]resolutionNote{},
			shifts:   map[string]incident.Shift{},
		}
		return r.sync(ctx, p)
	})
}

func (r *run) sync(ctx context.Context, p httpapi.Plan) (httpapi.Result[cursor], error) {
	s := r.s
	var res httpapi.Result[cursor]
	histStart, backfill, from, refreshed := p.HistoryStart, p.Backfill, p.From, p.Refresh

	// 1. Reference data, hourly: people and teams go out in their own batch.
	r.integrations, r.routes = r.cur.Integrations, r.cur.Routes
	if refreshed {
		shiftsFrom := histStart
		if !backfill {
			shiftsFrom = r.cur.ReferenceAt.Add(-shiftLookback)
			if shiftsFrom.Before(histStart) {
				shiftsFrom = histStart
			}
		}
		ref, err := r.reference(ctx, shiftsFrom)
		if err != nil {
			return res, err
		}
		res.Reference = &ref
	}

	// 2. Alert groups created in the window (on back-fill, all of history).
	q := url.Values{"started_at": {from.UTC().Format(startedAtLayout) + "_" + r.now.Format(startedAtLayout)}}
	err := fetchAll(ctx, s, "/api/v1/alert_groups/", q, nil, func(g alertGroup) {
		r.inWindow[g.ID] = true
		r.add(g)
	})
	if err != nil {
		return res, err
	}
	// 3. Every open alert group, however old, and those open at the last sync that are
	// in neither list (resolved since, or deleted).
	for _, state := range []string{"new", "acknowledged", "silenced"} {
		if err := fetchAll(ctx, s, "/api/v1/alert_groups/", url.Values{"state": {state}}, nil, r.add); err != nil {
			return res, err
		}
	}
	var gone []string
	for _, id := range sortedKeys(r.cur.Open) {
		if r.groups[id] != nil {
			continue
		}
		found := false
		err := fetchAll(ctx, s, "/api/v1/alert_groups/", url.Values{"id": {id}}, nil, func(g alertGroup) {
			if g.ID == id {
				found = true
			}
			r.add(g)
		})
		if err != nil {
			return res, err
		}
		if !found {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		s.logger.Warn("alert groups open at the last sync no longer exist; they stay stored as they were", "alert_groups", gone)
	}

	// 4. Resolution notes.
	if err := r.readNotes(ctx, backfill); err != nil {
		return res, err
	}

	// 5. Map.
	b := r.mapAll()
	res.Data = b
	res.Next = cursor{Open: r.openSet(), Integrations: r.integrations, Routes: r.routes}
	res.Written = func() {
		s.logger.Debug("sync done", "backfill", backfill, "reference", refreshed, "alert_groups", len(b.Incidents),
			"engagements", len(b.Engagements), "shifts", len(b.Shifts), "notes", len(r.notes))
	}
	return res, nil
}

func (r *run) add(g alertGroup) {
	r.groups[g.ID] = &g
}

// readNotes reads the resolution notes of the alert groups that need them: on
// back-fill, every group (through the org-wide list); afterwards, the groups that are
// resolved and were created in the window or open at the last sync. A note written on
// an alert group after the sync that saw it resolve is not read (see the docs).
func (r *run) readNotes(ctx context.Context, backfill bool) error {
	s := r.s
	keep := func(n resolutionNote) {
		if r.groups[n.AlertGroupID] != nil {
			r.notes[n.ID] = n
		}
	}
	if backfill {
		return fetchAll(ctx, s, "/api/v1/resolution_notes/", url.Values{}, nil, keep)
	}
	var need []string
	for id, g := range r.groups {
		_, wasOpen := r.cur.Open[id]
		if g.resolved() && (r.inWindow[id] || wasOpen) {
			need = append(need, id)
		}
	}
	sort.Strings(need)
	if len(need) == 0 {
		return nil
	}
	if len(need) > notesPerGroupMax {
		// The org-wide list when it takes fewer requests than one per group.
		useAll := false
		err := fetchAll(ctx, s, "/api/v1/resolution_notes/", url.Values{}, func(p *listPage[resolutionNote]) bool {
			per := max(1, len(*p.Results))
			pages := (*p.Count + per - 1) / per
			useAll = pages <= len(need)
			return useAll
		}, keep)
		if err != nil || useAll {
			return err
		}
	}
	for _, id := range need {
		if err := fetchAll(ctx, s, "/api/v1/resolution_notes/", url.Values{"alert_group_id": {id}}, nil, keep); err != nil {
			return err
		}
	}
	return nil
}

// firstAck is an alert group's first acknowledgement: the earlier of the one kept in
// the cursor and acknowledged_at.
func (r *run) firstAck(g *alertGroup) time.Time {
	ack := r.cur.Open[g.ID].Ack
	if g.AcknowledgedAt != nil && (ack.IsZero() || g.AcknowledgedAt.Before(ack)) {
		ack = g.AcknowledgedAt.UTC()
	}
	if !ack.IsZero() && ack.Before(g.CreatedAt.UTC()) {
		ack = g.CreatedAt.UTC()
	}
	return ack
}

// openSet is the cursor's set of open alert groups after this sync.
func (r *run) openSet() map[string]openGroup {
	out := map[string]openGroup{}
	for id, g := range r.groups {
		if !g.resolved() {
			out[id] = openGroup{Created: g.CreatedAt.UTC(), Ack: r.firstAck(g)}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
