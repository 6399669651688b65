package incident

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// snapshot turns the accumulators into sorted rows, deciding which label sets appear
// (a zero is a fact, an absent series is "unknown"):
//   - hero_incidents: every (source, team, service, severity) with an incident in the
//     largest window, in every window;
//   - open: those label sets plus any with an incident open now; open solo: every
//     (source, team) of the open label sets;
//   - recurrences: every (team, service) with an incident in the largest window;
//   - teams: every team with an incident in the largest window;
//   - responders: every (team, person) with an engaged incident, a counted page or
//     engaged time in the largest window, plus the roster of every team that has a
//     team row (idle members get zeros). Roster rows are limited to those teams so
//     a team that had nothing to do does not export a block of zeros.
func (c *computer) snapshot(created []CreatedCount) *Snapshot {
	snap := &Snapshot{At: c.now, Windows: slices.Clone(c.s.Windows)}
	srcs, teams, svcs, sevs := c.srcs.names, c.teams.names, c.svcs.names, c.sevs.names
	win := func(w int) string { return c.s.Windows[w].Name }

	soloKeys := map[[2]int32]bool{}
	for i := range c.combos {
		cb := &c.combos[i]
		k := cb.key
		if cb.inMax {
			for w := 0; w < c.nW; w++ {
				snap.Incidents = append(snap.Incidents, IncidentCount{
					Source: srcs[k.src], Team: teams[k.team], Service: svcs[k.svc],
					Severity: Severity(sevs[k.sev]), Window: win(w), Count: int(cb.count[w]),
				})
			}
		}
		snap.Open = append(snap.Open, OpenCount{
			Source: srcs[k.src], Team: teams[k.team], Service: svcs[k.svc],
			Severity: Severity(sevs[k.sev]), Count: int(cb.open),
		})
		st := [2]int32{k.src, k.team}
		if !soloKeys[st] && c.caps[k.src].Engagements {
			soloKeys[st] = true
			snap.OpenSolo = append(snap.OpenSolo, SourceTeamCount{Source: srcs[k.src], Team: teams[k.team], Count: c.openSolo[st]})
		}
	}
	snap.CreatedTotal = created

	for r, k := range c.recKeys {
		for w := 0; w < c.nW; w++ {
			snap.Recurrences = append(snap.Recurrences, RecurrenceCount{
				Team: teams[k[0]], Service: svcs[k[1]], Window: win(w), Count: int(c.recCounts[r*c.nW+w]),
			})
		}
	}

	for t, has := range c.teamHas {
		if !has {
			continue
		}
		for _, p := range c.rosters[t] {
			c.rows[c.row(int32(t), p)].roster = true
		}
	}
	rowsByTeam := make([][]int32, len(teams))
	for r := range c.rows {
		t := c.rows[r].team
		rowsByTeam[t] = append(rowsByTeam[t], int32(r))
	}
	sums := make([]int, len(teams)*c.nW)
	var xs []int
	for t := range teams {
		for w := 0; w < c.nW; w++ {
			xs = xs[:0]
			for _, r := range rowsByTeam[t] {
				n := int(c.accs[int(r)*c.nW+w].incidents)
				sums[t*c.nW+w] += n
				if n > 0 || c.rows[r].roster {
					xs = append(xs, n)
				}
			}
			if !c.teamHas[t] {
				continue
			}
			tw := c.teamWindow(t, w, xs)
			tw.Team, tw.Window = teams[t], win(w)
			snap.Teams = append(snap.Teams, tw)
		}
	}

	snap.Responders = make([]ResponderWindow, 0, len(c.rows)*c.nW)
	oncall := c.oncallSpans()
	for r, rh := range c.rows {
		caps := c.teamCaps[rh.team]
		for w := 0; w < c.nW; w++ {
			a := &c.accs[r*c.nW+w]
			rw := ResponderWindow{
				Team: teams[rh.team], Person: c.people.list[rh.person].label, Window: win(w),
				Incidents: int(a.incidents),
				HasPages:  caps.Pages,
				HasOnCall: caps.OnCall,
			}
			if sum := sums[int(rh.team)*c.nW+w]; sum > 0 && caps.Engagements {
				rw.HasLoadRatio, rw.LoadRatio = true, float64(a.incidents)/float64(sum)
			}
			if caps.Pages {
				rw.InterruptedNights = int(a.nights)
			}
			for q := range a.pages {
				rw.Interruptions[q] = int(a.pages[q])
				rw.EngagedSeconds[q] = float64(a.secs[q]) / 1e9
			}
			if caps.OnCall {
				rw.OffRotation = int(a.offrot)
				rw.OnCallSeconds = c.oncallSeconds(oncall[rh.person], w, rh.person, rh.team)
			}
			snap.Responders = append(snap.Responders, rw)
		}
	}

	sortSnapshot(snap)
	return snap
}

// teamWindow computes a team's figures for window w; xs are the engaged-incident
// counts of its roster plus everyone who engaged (zeros for idle members).
func (c *computer) teamWindow(t, w int, xs []int) TeamWindow {
	var tw TeamWindow
	ta := &c.teamW[t*c.nW+w]
	if ta.ackN > 0 {
		tw.HasMTTA, tw.MTTA = true, float64(ta.ackSum)/1e9/float64(ta.ackN)
	}
	if ta.resN > 0 {
		tw.HasMTTR, tw.MTTR = true, float64(ta.resSum)/1e9/float64(ta.resN)
		slices.Sort(ta.durs)
		tw.ResolveP50 = nearestRank(ta.durs, 50)
		tw.ResolveP90 = nearestRank(ta.durs, 90)
	}
	tw.HasEngagements = c.teamCaps[t].Engagements
	tw.SoloLong = ta.solo
	sum, top := 0, 0
	for _, x := range xs {
		sum += x
		top = max(top, x)
		if x > 0 {
			tw.Responders++
		}
	}
	if sum == 0 || !c.teamCaps[t].Engagements {
		return tw
	}
	tw.HasLoad = true
	tw.TopRatio = float64(top) / float64(sum)
	tw.Gini = Gini(xs)
	tw.BusFactor = BusFactor(xs)
	return tw
}

// nearestRank returns the pct-th percentile of sorted by the nearest-rank method: the
// value at 1-based rank ceil(pct/100 · n). Integer arithmetic, so ranks are exact
// (p90 of 10 values is the 9th, not the 10th through float rounding). Every result is
// an observed duration, never an interpolation.
func nearestRank(sorted []float64, pct int) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (pct*n + 99) / 100
	return sorted[min(max(rank, 1), n)-1]
}

// Gini returns the Gini coefficient Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean) of xs, 0 for an empty
// or all-zero set. It sorts a copy and uses the equivalent O(n log n) form
// (2 Σ i·x₍ᵢ₎)/(n Σx) − (n+1)/n over the ascending order.
func Gini(xs []int) float64 {
	n := len(xs)
	s := slices.Clone(xs)
	slices.Sort(s)
	sum, weighted := 0, 0
	for i, x := range s {
		sum += x
		weighted += (i + 1) * x
	}
	if n == 0 || sum == 0 {
		return 0
	}
	// One division of exact integers, so {0, 2, 3} gives 0.4 and not 0.40000000000000013.
	return float64(2*weighted-(n+1)*sum) / float64(n*sum)
}

// BusFactor returns the smallest number of people whose shares of xs add up to at
// least half, 0 when the sum is 0.
func BusFactor(xs []int) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0
	for _, x := range s {
		sum += x
	}
	if sum == 0 {
		return 0
	}
	cum := 0
	for k := len(s) - 1; k >= 0; k-- {
		cum += s[k]
		if 2*cum >= sum { // integers: no rounding at exactly one half
			return len(s) - k
		}
	}
	return len(s)
}

func (c *computer) createdTotals() []CreatedCount {
	type key struct {
		src, team string
		sev       Severity
	}
	var out []CreatedCount
	if c.h.CreatedTotals != nil {
		idx := map[key]int{}
		for _, cc := range c.h.CreatedTotals {
			// the same label rules as for incidents
			if cc.Team == "" {
				cc.Team = "unassigned"
			}
			if cc.Severity == "" {
				cc.Severity = SeverityUnknown
			}
			cc.Source = strings.ToValidUTF8(cc.Source, "\uFFFD")
			cc.Team = strings.ToValidUTF8(cc.Team, "\uFFFD")
			k := key{cc.Source, cc.Team, cc.Severity}
			if i, ok := idx[k]; ok {
				out[i].Count += cc.Count
				continue
			}
			idx[k] = len(out)
			out = append(out, cc)
		}
		return out
	}
	// own interners: the computer's team table is sized already and must not grow here
	srcs, teams, sevs := newInterner(""), newInterner("unassigned"), newInterner(string(SeverityUnknown))
	type ikey struct{ src, team, sev int32 }
	idx := map[ikey]int{}
	for i := range c.h.Incidents {
		x := &c.h.Incidents[i]
		if x.CreatedAt.IsZero() || x.CreatedAt.After(c.now) {
			continue // as of now it does not exist yet
		}
		k := ikey{srcs.get(x.Source), teams.get(x.Team), sevs.get(string(x.Severity))}
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, CreatedCount{Source: srcs.names[k.src], Team: teams.names[k.team], Severity: Severity(sevs.names[k.sev])})
		}
		out[j].Count++
	}
	return out
}

func sortSnapshot(s *Snapshot) {
	slices.SortFunc(s.Incidents, func(a, b IncidentCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Window, b.Window))
	})
	slices.SortFunc(s.Open, func(a, b OpenCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Severity, b.Severity))
	})
	slices.SortFunc(s.OpenSolo, func(a, b SourceTeamCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team))
	})
	slices.SortFunc(s.CreatedTotal, func(a, b CreatedCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Severity, b.Severity))
	})
	slices.SortFunc(s.Recurrences, func(a, b RecurrenceCount) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Window, b.Window))
	})
	slices.SortFunc(s.Teams, func(a, b TeamWindow) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Window, b.Window))
	})
	slices.SortFunc(s.Responders, func(a, b ResponderWindow) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Person, b.Person), cmp.Compare(a.Window, b.Window))
	})
}

// span is [start, end) in unix ns.
type span struct{ start, end int64 }

// oncallSpans returns, per person, the union of their shifts (any source, policy and
// level): overlapping shifts count once.
func (c *computer) oncallSpans() [][]span {
	out := make([][]span, len(c.people.list))
	for i := range c.h.Shifts {
		sh := &c.h.Shifts[i]
		p := c.people.get(c.source(sh.Source), sh.Source, sh.PersonID)
		if int(p) >= len(out) {
			out = append(out, make([][]span, int(p)+1-len(out))...)
		}
		start := int64(math.MinInt64)
		if !sh.Start.IsZero() {
			start = sh.Start.UnixNano()
		}
		if end := ns(sh.End); end > start {
			out[p] = append(out[p], span{start, end})
		}
	}
	for p, ss := range out {
		if len(ss) < 2 {
			continue
		}
		slices.SortFunc(ss, func(a, b span) int { return cmp.Compare(a.start, b.start) })
		merged := ss[:1]
		for _, s := range ss[1:] {
			if last := &merged[len(merged)-1]; s.start <= last.end {
				last.end = max(last.end, s.end)
				continue
			}
			merged = append(merged, s)
		}
		out[p] = merged
	}
	return out
}

// oncallSeconds splits the on-call time of person p within window w ((start, now]) by
// band, in the person's zone with the hours that apply to them in team.
func (c *computer) oncallSeconds(ss []span, w int, p, team int32) [NumPeriods]float64 {
	var out [NumPeriods]float64
	lo, hi := c.wStart[w], c.nowNs
	for _, s := range ss {
		a, b := max(s.start, lo), min(s.end, hi)
		if a >= b {
			continue
		}
		part := SplitByPeriod(time.Unix(0, a), time.Unix(0, b), c.people.list[p].loc, *c.hoursFor(p, team))
		for q := range out {
			out[q] += part[q]
		}
	}
	return out
}
