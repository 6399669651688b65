// Package demo is the built-in demo source: a deterministic simulation of a small
// organisation (three teams, twelve people in six time zones) whose incident history
// shows every pattern hero_exporter exists to reveal — a hero carrying one team, a
// recurring incident, long solo incidents, an off-rotation helper and, for contrast, a
// healthy team. It needs no config and no account (`hero_exporter --demo`).
//
// The simulation is anchored to absolute time: the incidents created in an hour are a
// pure function of (seed, hour). Any sync over any range therefore yields the same
// records with the same ids, so a restart on the same storage upserts identical
// records, and tests can pin now.
package demo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

const (
	// Backfill is how far back the first sync (empty cursor) reaches.
	Backfill = 90 * 24 * time.Hour
	// Reemit is how far before the cursor each later sync regenerates, so incidents
	// that were open at the last sync are re-emitted with their acknowledgement and
	// resolution. It must exceed the longest incident (9 h plus acknowledgement).
	Reemit = 48 * time.Hour
	// batchSlots is the number of hour slots per written batch: one day keeps a batch
	// at a few hundred records.
	batchSlots = 24
)

// Source is the demo source. It is safe for use by one Sync at a time, as the source
// scheduler runs it; it holds no mutable state.
type Source struct {
	name string
	seed int64
	now  func() time.Time
	org  *org
}

var _ source.Source = (*Source)(nil)

// New returns a demo source named name. seed selects the simulation (the same seed
// always yields the same history); now is the clock, time.Now when nil.
func New(name string, seed int64, now func() time.Time) *Source {
	if now == nil {
		now = time.Now
	}
	return &Source{name: name, seed: seed, now: now, org: newOrg(seed)}
}

// Name is the configured source name.
func (s *Source) Name() string { return s.name }

// Type is "demo".
func (s *Source) Type() string { return Type }

// Capabilities: the simulation supplies every part of the model.
func (s *Source) Capabilities() incident.Capabilities {
	return incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}
}

// Sync writes the history from the cursor (minus Reemit) — or, on first start, from
// now−Backfill — up to now, one batch per simulated day. Each batch carries the end of
// the range it completes as cursor (RFC 3339, UTC), the last one now itself. Only
// events at or before now are written; incidents still open are written open and
// re-emitted, resolved, by a later sync.
func (s *Source) Sync(ctx context.Context, cursor string, sink source.Sink) error {
	now := s.now().UTC()
	from := now.Add(-Backfill)
	if cursor != "" {
		c, err := ParseCursor(cursor)
		if err != nil {
			return fmt.Errorf("demo source %q: %w", s.name, err)
		}
		// A cursor older than the back-fill horizon (a long outage) regenerates only the
		// horizon, like a first start would.
		if c = c.Add(-Reemit); c.After(from) {
			from = c
		}
	}

	slotSec := int64(slotLen / time.Second)
	firstSlot, lastSlot := floorDiv(from.Unix(), slotSec), floorDiv(now.Unix(), slotSec)
	// People, rosters and the on-call schedule go with the first batch so that the
	// incidents that follow never reference an unknown person. The schedule starts with
	// the first slot, not at from, so every written incident has its on-call shift.
	first := &source.Batch{
		People: s.people(), Teams: s.teams(),
		Shifts: s.org.shifts(s.name, time.Unix(firstSlot*slotSec, 0), now),
	}

	if firstSlot > lastSlot {
		first.Cursor = FormatCursor(now)
		if err := sink.Write(ctx, s.name, first); err != nil {
			return fmt.Errorf("demo source %q: write: %w", s.name, err)
		}
		return nil
	}
	for a := firstSlot; a <= lastSlot; a += batchSlots {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo source %q: %w", s.name, err)
		}
		end := min(a+batchSlots, lastSlot+1)
		b := &source.Batch{}
		if a == firstSlot {
			b = first
		}
		for slot := a; slot < end; slot++ {
			for _, si := range s.generateSlot(slot) {
				inc, pages, engs, ok := si.asOf(now)
				if !ok {
					continue
				}
				b.Incidents = append(b.Incidents, inc)
				b.Pages = append(b.Pages, pages...)
				b.Engagements = append(b.Engagements, engs...)
				if c, ok := s.causingChange(si.inc); ok && !c.Time.After(now) {
					b.Changes = append(b.Changes, c)
				}
			}
			if in, ok := s.legacyIncident(slot); ok {
				in, _, _, ok = (&simIncident{inc: in}).asOf(now)
				if ok {
					b.Incidents = append(b.Incidents, in)
				}
			}
			for _, c := range s.quietDeploys(slot) {
				if !c.Time.After(now) {
					b.Changes = append(b.Changes, c)
				}
			}
		}
		// Everything created before the end of this batch's last slot is now written as
		// of now, so the cursor may advance there (never past now).
		b.Cursor = FormatCursor(time.Unix(end*slotSec, 0))
		if end == lastSlot+1 {
			b.Cursor = FormatCursor(now)
		}
		if err := sink.Write(ctx, s.name, b); err != nil {
			return fmt.Errorf("demo source %q: write batch from %s: %w", s.name, time.Unix(a*slotSec, 0).UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

func (s *Source) people() []incident.Person {
	out := make([]incident.Person, len(s.org.people))
	for i, p := range s.org.people {
		p.Source = s.name
		out[i] = p
	}
	return out
}

func (s *Source) teams() []incident.Team {
	out := make([]incident.Team, 0, len(s.org.teams))
	for _, t := range s.org.teams {
		out = append(out, incident.Team{Source: s.name, Name: t.name, Members: append([]string(nil), t.members...)})
	}
	return out
}

// FormatCursor renders a cursor: the instant up to which history is complete.
func FormatCursor(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseCursor reads a cursor written by FormatCursor. Unix milliseconds are accepted as
// well, so a store or a test may hand over a plain number.
func ParseCursor(c string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, c); err == nil {
		return t.UTC(), nil
	}
	ms, err := strconv.ParseInt(c, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid cursor %q: want RFC 3339 or unix milliseconds", c)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// causingChange is the change behind the recurring incident: a configuration change to
// payments-db 20 minutes before each connection-pool exhaustion, so the demo shows
// failed changes and incidents after a change.
func (s *Source) causingChange(in incident.Incident) (incident.Change, bool) {
	if in.RecurrenceKey != RecurringKey {
		return incident.Change{}, false
	}
	return incident.Change{Source: s.name, ID: "demo-change-" + in.ID, Team: TeamPayments, Service: in.Service,
		Kind: incident.ChangeConfig, Time: in.CreatedAt.Add(-20 * time.Minute)}, true
}

// quietDeploys are the releases that went out without an incident after them: the
// search-frontend every 8 hours and payments-web every 12, ten minutes into the hour
// (services that have no incidents in the demo).
func (s *Source) quietDeploys(slot int64) []incident.Change {
	at := time.Unix(slot*int64(slotLen/time.Second), 0).UTC().Add(10 * time.Minute)
	var out []incident.Change
	if slot%8 == 0 {
		out = append(out, incident.Change{Source: s.name, ID: fmt.Sprintf("demo-deploy-search-frontend-%d", slot), Team: TeamSearch,
			Service: "search-frontend", Kind: incident.ChangeDeploy, Time: at})
	}
	if slot%12 == 6 {
		out = append(out, incident.Change{Source: s.name, ID: fmt.Sprintf("demo-deploy-payments-web-%d", slot), Team: TeamPayments,
			Service: "payments-web", Kind: incident.ChangeDeploy, Time: at})
	}
	return out
}

// LegacyService is the demo's service whose incidents are falling after a fix: from
// legacyStart its incident rate halves every legacyHalfLife (about 40 in the first 28
// days), so any window has about half the incidents of the one before it, and after a
// year the service is quiet. Like everything in the demo it depends on absolute time
// only: a restart or a later back-fill writes the same incidents.
const LegacyService = "search-legacy-indexer"

var legacyStart = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

const (
	legacyHalfLife = 28 * 24 * time.Hour
	legacyTotal    = 58.0 // incidents over the service's whole decline
)

// legacyCount is how many LegacyService incidents happened before t.
func legacyCount(t time.Time) int {
	if !t.After(legacyStart) {
		return 0
	}
	return int(legacyTotal * (1 - math.Exp2(-float64(t.Sub(legacyStart))/float64(legacyHalfLife))))
}

// legacyIncident is LegacyService's incident of slot, when the slot has one: when the
// count rises during the slot, at seven minutes into it.
func (s *Source) legacyIncident(slot int64) (incident.Incident, bool) {
	start := time.Unix(slot*int64(slotLen/time.Second), 0).UTC()
	if legacyCount(start.Add(slotLen)) == legacyCount(start) {
		return incident.Incident{}, false
	}
	t := s.org.byName[TeamSearch]
	created := start.Add(7 * time.Minute)
	return incident.Incident{Source: s.name, ID: fmt.Sprintf("demo-legacy-%d", slot), Team: t.name,
		EscalationPolicy: t.policy, Service: LegacyService, Severity: incident.SeverityHigh,
		Title:     "Index build stalled on " + LegacyService,
		CreatedAt: created, AcknowledgedAt: created.Add(5 * time.Minute), ResolvedAt: created.Add(50 * time.Minute)}, true
}
