package incident

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Trends are the figures of METRICS.md "Trends, changes and prevention" that compare a
// window W with the one before it, (now−2W, now−W], and those about changes. They are
// computed from the same History as the snapshot, which must reach back
// Settings.HistoryNeeded.
type Trends struct {
	IncidentsPrevious []IncidentCount     // hero_incidents_previous
	MTTRPrevious      []TeamValue         // hero_incident_mttr_previous_seconds
	Interruptions     []TeamInterruptions // hero_team_interruptions
	// InterruptionsPrevious is hero_team_interruptions_previous.
	InterruptionsPrevious []TeamInterruptions
	LastIncident          []ServiceTime // hero_service_last_incident_timestamp_seconds
	Changes               []ChangeCount // hero_changes, hero_changes_failed and their _previous
	AfterChange           []ServiceCount
}

// TeamValue is one figure of a team in a window.
type TeamValue struct {
	Team, Window string
	Value        float64
}

// TeamInterruptions are the pages of a team's incidents in a window, by band.
type TeamInterruptions struct {
	Team, Window string
	Pages        [NumPeriods]int
}

// ServiceTime is an instant per team and service.
type ServiceTime struct {
	Team, Service string
	At            time.Time
}

// ChangeCount are the changes of a source, team and service in a window and the one
// before it, and how many of each failed.
type ChangeCount struct {
	Source, Team, Service, Window string
	Changes, Failed               int
	ChangesPrevious, FailedPrev   int
}

// ServiceCount is a count per team, service and window.
type ServiceCount struct {
	Team, Service, Window string
	Count                 int
}

// ReplayPrevious returns, for each window W of s, the snapshot replayed at now−W with W
// as its only window: Compute treats what happened after its now as not yet happened,
// so its figures are exactly those of (now−2W, now−W]. It costs one analytics run per
// window; the engine reuses the replays for a few minutes.
func ReplayPrevious(h *History, s Settings, now time.Time) []*Snapshot {
	out := make([]*Snapshot, 0, len(s.Windows))
	for _, w := range s.Windows {
		ps := s
		ps.Windows = []Window{w}
		out = append(out, Compute(h, ps, now.Add(-w.D)))
	}
	return out
}

// ComputeTrends returns the trends as of now. replays are ReplayPrevious's snapshots
// (one per window of s, in order; nil: no previous-window figures). cur is the
// snapshot of now, whose label sets the previous figures are completed with, so that a
// label set with incidents now and none before reads 0 before, not absent.
func ComputeTrends(h *History, s Settings, now time.Time, cur *Snapshot, replays []*Snapshot) *Trends {
	if h == nil {
		h = &History{}
	}
	t := &Trends{}
	if len(replays) == len(s.Windows) {
		for i, w := range s.Windows {
			t.addPrevious(w, cur, replays[i])
		}
	}
	t.Interruptions = interruptions(cur)
	t.LastIncident = lastIncidents(h, now)
	t.changes(h, s, now)
	return t
}

// addPrevious adds the figures of window w from the replayed snapshot prev.
func (t *Trends) addPrevious(w Window, cur, prev *Snapshot) {
	type key struct {
		src, team, svc string
		sev            Severity
	}
	counts := map[key]int{}
	for _, c := range prev.Incidents {
		counts[key{c.Source, c.Team, c.Service, c.Severity}] += c.Count
	}
	if cur != nil {
		for _, c := range cur.Incidents {
			if c.Window == w.Name {
				k := key{c.Source, c.Team, c.Service, c.Severity}
				counts[k] += 0
			}
		}
	}
	for k, n := range counts {
		t.IncidentsPrevious = append(t.IncidentsPrevious, IncidentCount{Source: k.src, Team: k.team, Service: k.svc, Severity: k.sev, Window: w.Name, Count: n})
	}
	slices.SortFunc(t.IncidentsPrevious, func(a, b IncidentCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Window, b.Window))
	})
	for _, tw := range prev.Teams {
		if tw.HasMTTR {
			t.MTTRPrevious = append(t.MTTRPrevious, TeamValue{Team: tw.Team, Window: w.Name, Value: tw.MTTR})
		}
	}
	slices.SortFunc(t.MTTRPrevious, func(a, b TeamValue) int { return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Window, b.Window)) })
	// Teams paged now and not before read 0 before, not absent.
	prevInt := interruptions(prev)
	had := map[string]bool{}
	for _, r := range prevInt {
		had[r.Team] = true
	}
	for _, r := range interruptions(cur) {
		if r.Window == w.Name && !had[r.Team] {
			prevInt = append(prevInt, TeamInterruptions{Team: r.Team, Window: w.Name})
		}
	}
	t.InterruptionsPrevious = append(t.InterruptionsPrevious, prevInt...)
	slices.SortFunc(t.InterruptionsPrevious, func(a, b TeamInterruptions) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Window, b.Window))
	})
}

// interruptions sums the responders' pages per team and window (teams whose sources
// supply pages only).
func interruptions(snap *Snapshot) []TeamInterruptions {
	if snap == nil {
		return nil
	}
	type key struct{ team, win string }
	sums := map[key]*[NumPeriods]int{}
	var keys []key
	for _, r := range snap.Responders {
		if !r.HasPages {
			continue
		}
		k := key{r.Team, r.Window}
		if sums[k] == nil {
			sums[k] = &[NumPeriods]int{}
			keys = append(keys, k)
		}
		for p := range NumPeriods {
			sums[k][p] += r.Interruptions[p]
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.team, b.team), cmp.Compare(a.win, b.win)) })
	out := make([]TeamInterruptions, 0, len(keys))
	for _, k := range keys {
		out = append(out, TeamInterruptions{Team: k.team, Window: k.win, Pages: *sums[k]})
	}
	return out
}

// label renders a team, service or source as the snapshot does: empty is def, invalid
// UTF-8 is replaced.
func label(s, def string) string {
	if s == "" {
		return def
	}
	if !utf8.ValidString(s) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// lastIncidents: the creation time of the newest incident (created by now) per team and
// service.
func lastIncidents(h *History, now time.Time) []ServiceTime {
	type key struct{ team, svc string }
	last := map[key]time.Time{}
	for i := range h.Incidents {
		in := &h.Incidents[i]
		if in.CreatedAt.After(now) {
			continue
		}
		k := key{label(in.Team, "unassigned"), label(in.Service, "unknown")}
		if in.CreatedAt.After(last[k]) {
			last[k] = in.CreatedAt
		}
	}
	out := make([]ServiceTime, 0, len(last))
	for k, at := range last {
		out = append(out, ServiceTime{Team: k.team, Service: k.svc, At: at})
	}
	slices.SortFunc(out, func(a, b ServiceTime) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service))
	})
	return out
}

// changes computes hero_changes, hero_changes_failed (and _previous) and
// hero_incidents_after_change. A change fails when an incident on its service is created
// within ChangeFailureWithin after it (both ends included); an incident is after a
// change when such a change precedes it. Service "" is "unknown" (and unknown services
// are not matched with incidents); a change without a team takes the team of its
// service's newest incident, else "unassigned".
func (t *Trends) changes(h *History, s Settings, now time.Time) {
	if len(h.Changes) == 0 {
		return
	}
	within := s.ChangeFailureWithin
	nowNs := now.UnixNano()
	// Incident creation times per service, sorted; the team of each service's newest.
	bySvc := map[string][]int64{}
	type teamAt struct {
		team string
		at   int64
	}
	svcTeam := map[string]teamAt{}
	type incAt struct {
		team string
		at   int64
	}
	incs := map[string][]incAt{}
	for i := range h.Incidents {
		in := &h.Incidents[i]
		at := in.CreatedAt.UnixNano()
		if at > nowNs || in.Service == "" {
			continue
		}
		bySvc[in.Service] = append(bySvc[in.Service], at)
		incs[in.Service] = append(incs[in.Service], incAt{label(in.Team, "unassigned"), at})
		if cur, ok := svcTeam[in.Service]; !ok || at > cur.at {
			svcTeam[in.Service] = teamAt{label(in.Team, "unassigned"), at}
		}
	}
	for _, v := range bySvc {
		slices.Sort(v)
	}
	// Change times per service, sorted, for incidents after a change.
	chBySvc := map[string][]int64{}
	type ckey struct{ src, team, svc, win string }
	counts := map[ckey]*ChangeCount{}
	failed := func(svc string, at int64) bool {
		ts := bySvc[svc]
		i, _ := slices.BinarySearch(ts, at)
		return i < len(ts) && ts[i] <= at+int64(within)
	}
	for i := range h.Changes {
		c := &h.Changes[i]
		at := c.Time.UnixNano()
		if at > nowNs {
			continue
		}
		if c.Service != "" {
			chBySvc[c.Service] = append(chBySvc[c.Service], at)
		}
		team := c.Team
		if team == "" {
			team = svcTeam[c.Service].team
		}
		team = label(team, "unassigned")
		fail := c.Service != "" && failed(c.Service, at)
		for _, w := range s.Windows {
			cur := at > nowNs-int64(w.D)
			prev := !cur && at > nowNs-2*int64(w.D)
			if !cur && !prev {
				continue
			}
			k := ckey{c.Source, team, label(c.Service, "unknown"), w.Name}
			cc := counts[k]
			if cc == nil {
				cc = &ChangeCount{Source: k.src, Team: k.team, Service: k.svc, Window: k.win}
				counts[k] = cc
			}
			switch {
			case cur && fail:
				cc.Changes++
				cc.Failed++
			case cur:
				cc.Changes++
			case fail:
				cc.ChangesPrevious++
				cc.FailedPrev++
			default:
				cc.ChangesPrevious++
			}
		}
	}
	for _, cc := range counts {
		t.Changes = append(t.Changes, *cc)
	}
	slices.SortFunc(t.Changes, func(a, b ChangeCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Window, b.Window))
	})
	// Incidents after a change: per (team, service) with a change in the window, or in
	// the window before (so that a fall to zero reads 0).
	for _, v := range chBySvc {
		slices.Sort(v)
	}
	type skey struct{ team, svc, win string }
	after := map[skey]int{}
	for _, cc := range t.Changes {
		if cc.Service == "unknown" {
			continue
		}
		// Every team that had incidents on the service, and the change's team.
		after[skey{cc.Team, cc.Service, cc.Window}] += 0
	}
	for svc, list := range incs {
		chs := chBySvc[svc]
		if len(chs) == 0 {
			continue
		}
		for _, in := range list {
			// the latest change at or before the incident
			i, found := slices.BinarySearch(chs, in.at)
			if !found {
				i--
			}
			if i < 0 || in.at-chs[i] > int64(within) {
				continue
			}
			for _, w := range s.Windows {
				if in.at > nowNs-int64(w.D) {
					after[skey{in.team, label(svc, "unknown"), w.Name}]++
				}
			}
		}
	}
	for k, n := range after {
		t.AfterChange = append(t.AfterChange, ServiceCount{Team: k.team, Service: k.svc, Window: k.win, Count: n})
	}
	slices.SortFunc(t.AfterChange, func(a, b ServiceCount) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Window, b.Window))
	})
}
