package incident

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// never marks an absent or not-yet-happened instant in the ns timelines below.
const never = math.MaxInt64

// Compute turns history into the figures of the metric contract (METRICS.md) as of now.
// It is a pure function of its arguments (h is only read). Records stamped after now
// are treated as not having happened yet, so Compute on an old now replays the past.
//
// Labels: team "" is "unassigned", service "" is "unknown", severity is taken as
// stored except that "" is "unknown"; invalid UTF-8 is replaced. Person labels follow
// Settings.PersonLabel and are unique (see assignLabels). At most 64 windows are used.
//
// Internally everything is indexed by small ints (sources, teams, services, people,
// incidents) so the hot loops over pages and engagements do slice indexing, not
// map[string] lookups; each reference string is resolved once when loading.
func Compute(h *History, s Settings, now time.Time) *Snapshot {
	if h == nil {
		h = &History{}
	}
	c := &computer{h: h, s: s, now: now, nowNs: now.UnixNano()}
	c.init()
	// Independent work runs on a second goroutine (the target is a 2-core host): the
	// created totals read only History; engagements' incident lookups only read the
	// incident index, which nothing writes until loadPages has waited for them.
	var created []CreatedCount
	var totals sync.WaitGroup
	totals.Go(func() { created = c.createdTotals() })
	c.loadIncidents()
	c.loadRosters()
	engInc := make([]int32, len(h.Engagements))
	var engs sync.WaitGroup
	engs.Go(c.engagementLookup(engInc))
	c.loadPages(engs.Wait) // may index older incidents once engagements are looked up
	c.loadEngagements(engInc)
	c.loadShifts()
	c.finishPeople()
	c.setTeamHours()
	c.incidentFigures()
	var rec sync.WaitGroup
	rec.Go(c.recurrences) // writes only recCounts
	c.engagementFigures()
	c.pageFigures()
	rec.Wait()
	totals.Wait()
	return c.snapshot(created)
}

// interner maps label strings to dense ints. The last hit is cached because records
// usually come in runs of the same source or team, and comparing a string with itself
// is a pointer check.
type interner struct {
	byRaw   map[string]int32
	byLabel map[string]int32
	names   []string
	empty   string // the label for ""
	lastRaw string
	last    int32
	hasLast bool
}

func newInterner(empty string) interner {
	return interner{byRaw: map[string]int32{}, byLabel: map[string]int32{}, empty: empty}
}

func (in *interner) get(raw string) int32 {
	if in.hasLast && raw == in.lastRaw {
		return in.last
	}
	i, ok := in.byRaw[raw]
	if !ok {
		label := raw
		if label == "" {
			label = in.empty
		}
		if !utf8.ValidString(label) {
			label = strings.ToValidUTF8(label, "\uFFFD")
		}
		if i, ok = in.byLabel[label]; !ok {
			i = int32(len(in.names))
			in.names = append(in.names, label)
			in.byLabel[label] = i
		}
		in.byRaw[raw] = i
	}
	in.lastRaw, in.last, in.hasLast = raw, i, true
	return i
}

// inc is the compact form of an incident.
type inc struct {
	created, ack, resolved int64 // ns; ack, resolved = never when absent or after now
	src, team, svc, sev    int32
	orig                   int32 // index in History.Incidents
}

// eng is one engagement, grouped by incident.
type eng struct {
	at     int64
	person int32
	ack    bool // acknowledge or accept: starts engaged time
}

// pg is one counting-channel page, grouped by person.
type pg struct {
	at  int64
	inc int32
	seq int32 // original order, to break ties deterministically
}

// acc holds one responder row's figures for one window.
type acc struct {
	incidents, offrot int32
	nights            int32 // local nights with a sleep-band page, by the night's start
	pages             [NumPeriods]int32
	secs              [NumPeriods]int64 // ns
}

type teamRow struct{ team, row int32 }

type rowHead struct {
	team, person int32
	roster       bool
}

type comboKey struct{ src, team, svc, sev int32 }

type combo struct {
	key   comboKey
	inMax bool    // has an incident in the largest window: emit every window
	count []int32 // by window
	open  int32
}

type teamAcc struct {
	ackSum, resSum int64 // ns: integer sums do not depend on the order of History
	ackN, resN     int
	solo           int
	durs           []float64
}

type shiftGroup struct {
	starts, maxEnd []int64 // sorted by start; maxEnd[k] = max End of shifts 0..k
}

type shiftKey struct{ person, src, policy int32 }

type computer struct {
	h     *History
	s     Settings
	now   time.Time
	nowNs int64

	nW       int
	wStart   []int64 // window w holds (wStart[w], now]
	wDesc    []int   // window indices, largest first
	maxStart int64   // wStart of the largest window

	defaultLoc *time.Location
	locs       map[string]*time.Location

	srcs  interner
	caps  []Capabilities // by source
	teams interner
	svcs  interner
	sevs  interner

	people people

	incs       []inc
	incBySrc   []map[string]int32
	recCands   []recCand
	incMapSize int
	lastInc    struct {
		src int32
		id  string
		i   int32
		ok  bool
	}
	teamCaps []Capabilities // OR over the sources of the team's incidents
	teamHas  []bool         // team has an incident in the largest window
	rosters  [][]int32
	hours    []*Hours // by team

	engStart []int32 // CSR over incidents
	engs     []eng
	pgStart  []int32 // CSR over people
	pgs      []pg

	policies    map[string]int32
	shiftGroups map[shiftKey]int32
	groups      []shiftGroup

	combos     []combo
	comboIdx   map[comboKey]int32
	teamW      []teamAcc // team*nW + w
	recIdx     map[[2]int32]int32
	recKeys    [][2]int32
	recCounts  []int32 // rec*nW + w
	openSolo   map[[2]int32]int
	rows       []rowHead
	accs       []acc       // row*nW + w
	personRows [][]teamRow // by person
}

func (c *computer) init() {
	s := &c.s
	c.defaultLoc = s.DefaultLocation
	if c.defaultLoc == nil {
		c.defaultLoc = time.UTC
	}
	c.locs = map[string]*time.Location{}
	if len(s.Windows) > 64 {
		s.Windows = s.Windows[:64] // window sets are uint64 bit masks
	}
	c.nW = len(s.Windows)
	c.wStart = make([]int64, c.nW)
	c.maxStart = c.nowNs
	for w, win := range s.Windows {
		c.wStart[w] = c.nowNs - int64(win.D)
		c.wDesc = append(c.wDesc, w)
		c.maxStart = min(c.maxStart, c.wStart[w])
	}
	slices.SortStableFunc(c.wDesc, func(a, b int) int { return cmp.Compare(c.wStart[a], c.wStart[b]) })

	c.srcs = newInterner("")
	c.teams = newInterner("unassigned")
	c.svcs = newInterner("unknown")
	c.sevs = newInterner(string(SeverityUnknown))
	names := make([]string, 0, len(c.h.Sources))
	for n := range c.h.Sources {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c.source(n)
	}
	c.buildPeople()
	c.comboIdx = map[comboKey]int32{}
	c.recIdx = map[[2]int32]int32{}
	c.openSolo = map[[2]int32]int{}
}

// source interns a source name and keeps the per-source tables in step.
func (c *computer) source(name string) int32 {
	i := c.srcs.get(name)
	for int(i) >= len(c.caps) {
		c.caps = append(c.caps, c.h.Sources[c.srcs.names[len(c.caps)]])
		c.incBySrc = append(c.incBySrc, nil)
		c.people.bySrc = append(c.people.bySrc, map[string]int32{})
	}
	return i
}

func (c *computer) team(name string) int32 {
	t := c.teams.get(name)
	for int(t) >= len(c.teamCaps) {
		c.teamCaps = append(c.teamCaps, Capabilities{})
		c.teamHas = append(c.teamHas, false)
		c.rosters = append(c.rosters, nil)
	}
	return t
}

func ns(t time.Time) int64 {
	if t.IsZero() {
		return never
	}
	return t.UnixNano()
}

// inWindows returns the bit set of windows that instant t belongs to.
func (c *computer) inWindows(t int64) uint64 {
	if t > c.nowNs || t <= c.maxStart {
		return 0
	}
	var m uint64
	for w := 0; w < c.nW; w++ {
		if t > c.wStart[w] {
			m |= 1 << w
		}
	}
	return m
}

// loadIncidents keeps, in compact form, the incidents that can affect a figure: created
// in the largest window, open now, or resolved inside it. Older incidents are only
// counted (created totals) and remembered for recurrence; not indexing them keeps the
// id map a third of the size at 90 days of history, which matters because lookups in a
// map that outgrows the CPU caches cost a cache miss each.
func (c *computer) loadIncidents() {
	h := c.h
	from := c.maxStart - int64(c.s.RecurrenceWithin)
	// first pass on times only, so the id maps can be sized exactly: growing a map of
	// a few hundred thousand entries rehashes it many times
	type relInc struct {
		i                int32
		created, resolve int64
	}
	var rel []relInc
	for i := range h.Incidents {
		x := &h.Incidents[i]
		if x.CreatedAt.IsZero() {
			continue
		}
		created := x.CreatedAt.UnixNano()
		if created > c.nowNs {
			continue // not created yet as of now
		}
		res := ns(x.ResolvedAt)
		if res > c.nowNs {
			res = never
		}
		relevant := created > c.maxStart || res > c.maxStart
		if c.nW > 0 && created > from {
			k := int32(-1)
			if relevant {
				k = int32(len(rel))
			}
			c.recCands = append(c.recCands, recCand{created, int32(i), k})
		}
		if relevant {
			rel = append(rel, relInc{int32(i), created, res})
		}
	}
	c.incs = make([]inc, 0, len(rel))
	c.incMapSize = len(rel)
	for _, r := range rel {
		c.addInc(int(r.i), r.created, r.resolve)
	}
}

// addInc appends History.Incidents[i] to the compact incidents and the id index.
func (c *computer) addInc(i int, created, res int64) int32 {
	x := &c.h.Incidents[i]
	src := c.source(x.Source)
	m := c.incBySrc[src]
	if m == nil {
		m = make(map[string]int32, c.incMapSize) // most histories have one big source
		c.incBySrc[src] = m
	}
	ack := ns(x.AcknowledgedAt)
	if ack > c.nowNs {
		ack = never
	}
	t := c.team(x.Team)
	c.teamCaps[t] = orCaps(c.teamCaps[t], c.caps[src])
	k := int32(len(c.incs))
	m[x.ID] = k // (Source, ID) is unique by contract; a duplicate would just win
	c.incs = append(c.incs, inc{
		created: created, ack: ack, resolved: res,
		src: src, team: t, svc: c.svcs.get(x.Service), sev: c.sevs.get(string(x.Severity)),
		orig: int32(i),
	})
	return k
}

func orCaps(a, b Capabilities) Capabilities {
	return Capabilities{
		People: a.People || b.People, Pages: a.Pages || b.Pages,
		Engagements: a.Engagements || b.Engagements, OnCall: a.OnCall || b.OnCall,
	}
}

// loadRosters collects, per team name, the members of every source's team of that name.
func (c *computer) loadRosters() {
	for i := range c.h.Teams {
		tm := &c.h.Teams[i]
		src := c.source(tm.Source)
		t := c.team(tm.Name)
		for _, id := range tm.Members {
			p := c.people.get(src, tm.Source, id)
			if !slices.Contains(c.rosters[t], p) {
				c.rosters[t] = append(c.rosters[t], p)
			}
		}
	}
}

// findIncident looks an incident up by source and id. The last hit is remembered:
// pages and engagements of one incident usually come together, and comparing a string
// with the one just looked up is far cheaper than a probe of a large map.
func (c *computer) findIncident(src int32, id string) (int32, bool) {
	if c.lastInc.ok && c.lastInc.src == src && c.lastInc.id == id {
		return c.lastInc.i, true
	}
	m := c.incBySrc[src]
	if m == nil {
		return 0, false
	}
	i, ok := m[id]
	if ok {
		c.lastInc.src, c.lastInc.id, c.lastInc.i, c.lastInc.ok = src, id, i, true
	}
	return i, ok
}

// engagementLookup returns the work that finds the indexed incident of every
// engagement (-1: none). It runs concurrently with loadPages, so it works on copies
// of the source table and only reads the id maps, with its own last-hit cache.
// Engagements of incidents that are not indexed cannot affect any figure (see
// loadIncidents), so they are dropped like those of unknown incidents.
func (c *computer) engagementLookup(incOf []int32) func() {
	srcIdx := maps.Clone(c.srcs.byRaw)
	bySrc := slices.Clone(c.incBySrc)
	nowNs := c.nowNs
	es := c.h.Engagements
	return func() {
		// sName is the source whose id map lastS is; the last hit (lastID → last) is
		// only valid within it. Both change together, so the result never depends on
		// the order in which sources' engagements come.
		var sName, lastID string
		last, lastS, lastOK := int32(-1), int32(-1), false
		for i := range es {
			e := &es[i]
			incOf[i] = -1
			if e.At.IsZero() || e.At.UnixNano() > nowNs {
				continue
			}
			if lastOK && e.IncidentID == lastID && e.Source == sName {
				incOf[i] = last
				continue
			}
			if lastS < 0 || e.Source != sName {
				s, ok := srcIdx[e.Source]
				if !ok || bySrc[s] == nil {
					continue
				}
				lastS, sName, lastOK = s, e.Source, false
			}
			x, ok := bySrc[lastS][e.IncidentID]
			if !ok {
				continue
			}
			incOf[i] = x
			lastID, last, lastOK = e.IncidentID, x, true
		}
	}
}

// loadEngagements groups the engagements found by engagementLookup by incident
// (counting sort: two passes) and resolves their people.
func (c *computer) loadEngagements(incOf []int32) {
	es := c.h.Engagements
	c.engStart = make([]int32, len(c.incs)+1)
	for _, x := range incOf {
		if x >= 0 {
			c.engStart[x+1]++
		}
	}
	for i := 1; i < len(c.engStart); i++ {
		c.engStart[i] += c.engStart[i-1]
	}
	c.engs = make([]eng, c.engStart[len(c.incs)])
	fill := slices.Clone(c.engStart[:len(c.incs)])
	for i := range es {
		x := incOf[i]
		if x < 0 {
			continue
		}
		e := &es[i]
		p := c.people.get(c.incs[x].src, e.Source, e.PersonID)
		c.engs[fill[x]] = eng{at: e.At.UnixNano(), person: p, ack: e.Kind == EngageAcknowledge || e.Kind == EngageAccept}
		fill[x]++
	}
}

// Values of pg.inc besides an incident index.
const (
	pgUnresolved = -1 // not needed: cannot affect a counted page in any window
	pgUnknown    = -2 // incident unknown: the page is ignored
	pgPending    = -3 // incident not indexed: looked up among older incidents
)

// loadPages keeps pages that can count (not email, not after now) grouped by person in
// time order, then resolves their incidents. Only pages that can influence a page
// counted in a window are resolved: the window's pages and, going back, the run of
// pages each less than PageDedup after the one before it. A page before a gap of at
// least PageDedup cannot suppress anything after the gap, whatever came before it.
func (c *computer) loadPages(beforeIndexing func()) {
	ps := c.h.Pages
	perOf := make([]int32, len(ps))
	incOf := make([]int32, len(ps))
	var counts []int32
	for i := range ps {
		p := &ps[i]
		perOf[i] = -1
		if p.Channel == ChannelEmail || p.At.IsZero() || p.At.UnixNano() > c.nowNs {
			continue
		}
		src := c.source(p.Source)
		per := c.people.get(src, p.Source, p.PersonID)
		perOf[i] = per
		// pages in the windows are resolved here, in History order (cache-friendly);
		// the few earlier ones that matter are resolved below
		incOf[i] = pgUnresolved
		if p.At.UnixNano() > c.maxStart {
			incOf[i] = pgPending
			if x, ok := c.findIncident(src, p.IncidentID); ok {
				incOf[i] = x
			}
		}
		for int(per) >= len(counts) {
			counts = append(counts, 0)
		}
		counts[per]++
	}
	c.pgStart = make([]int32, len(c.people.list)+1)
	for p, n := range counts {
		c.pgStart[p+1] = n
	}
	for i := 1; i < len(c.pgStart); i++ {
		c.pgStart[i] += c.pgStart[i-1]
	}
	c.pgs = make([]pg, c.pgStart[len(c.pgStart)-1])
	fill := slices.Clone(c.pgStart)
	for i := range ps {
		p := perOf[i]
		if p < 0 {
			continue
		}
		c.pgs[fill[p]] = pg{at: ps[i].At.UnixNano(), inc: incOf[i], seq: int32(i)}
		fill[p]++
	}
	dedup := int64(c.s.PageDedup)
	pending := map[srcID][]int32{} // by incident: positions in c.pgs
	for p := 0; p+1 < len(c.pgStart); p++ {
		part := c.pgs[c.pgStart[p]:c.pgStart[p+1]]
		// pdqsort is linear on the usual already-sorted input
		slices.SortFunc(part, func(a, b pg) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
		j := sort.Search(len(part), func(k int) bool { return part[k].at > c.maxStart })
		if j == len(part) {
			continue
		}
		for j > 0 && part[j].at-part[j-1].at < dedup {
			j--
		}
		for k := j; k < len(part); k++ {
			g := &part[k]
			if g.inc >= 0 {
				continue
			}
			pa := &ps[g.seq]
			src := c.source(pa.Source)
			if x, ok := c.findIncident(src, pa.IncidentID); ok {
				g.inc = x
			} else {
				g.inc = pgPending
				key := srcID{src, pa.IncidentID}
				pending[key] = append(pending[key], c.pgStart[p]+int32(k))
			}
		}
	}
	beforeIndexing()
	c.resolvePending(pending)
}

type srcID struct {
	src int32
	id  string
}

// resolvePending finds the older (not indexed) incidents that pages refer to with one
// pass over History.Incidents, indexing the ones found; the rest are unknown.
func (c *computer) resolvePending(pending map[srcID][]int32) {
	if len(pending) == 0 {
		return
	}
	for i := range c.h.Incidents {
		x := &c.h.Incidents[i]
		src, ok := c.srcs.byRaw[x.Source]
		if !ok {
			continue
		}
		key := srcID{src, x.ID}
		pos, ok := pending[key]
		if !ok || x.CreatedAt.IsZero() || x.CreatedAt.UnixNano() > c.nowNs {
			continue
		}
		res := ns(x.ResolvedAt)
		if res > c.nowNs {
			res = never
		}
		k := c.addInc(i, x.CreatedAt.UnixNano(), res)
		for _, q := range pos {
			c.pgs[q].inc = k
		}
		delete(pending, key)
	}
	for _, pos := range pending {
		for _, q := range pos {
			c.pgs[q].inc = pgUnknown
		}
	}
}

// loadShifts groups shifts by (person, source, policy) sorted by start, with a running
// maximum of end so "on call at t" is one binary search.
func (c *computer) loadShifts() {
	c.policies = map[string]int32{}
	c.shiftGroups = map[shiftKey]int32{}
	type span struct{ start, end int64 }
	var spans [][]span
	for i := range c.h.Shifts {
		sh := &c.h.Shifts[i]
		src := c.source(sh.Source)
		pol, ok := c.policies[sh.EscalationPolicy]
		if !ok {
			pol = int32(len(c.policies))
			c.policies[sh.EscalationPolicy] = pol
		}
		k := shiftKey{c.people.get(src, sh.Source, sh.PersonID), src, pol}
		g, ok := c.shiftGroups[k]
		if !ok {
			g = int32(len(spans))
			c.shiftGroups[k] = g
			spans = append(spans, nil)
		}
		start := int64(math.MinInt64) // no start: on call since forever
		if !sh.Start.IsZero() {
			start = sh.Start.UnixNano()
		}
		spans[g] = append(spans[g], span{start, ns(sh.End)})
	}
	c.groups = make([]shiftGroup, len(spans))
	for g, ss := range spans {
		slices.SortFunc(ss, func(a, b span) int { return cmp.Compare(a.start, b.start) })
		sg := shiftGroup{starts: make([]int64, len(ss)), maxEnd: make([]int64, len(ss))}
		var m int64 = math.MinInt64
		for k, s := range ss {
			m = max(m, s.end)
			sg.starts[k], sg.maxEnd[k] = s.start, m
		}
		c.groups[g] = sg
	}
}

// onCall reports whether person p has a shift of source src for policy pol at instant t
// (Start ≤ t < End, or no End).
func (c *computer) onCall(p, src, pol int32, t int64) bool {
	if pol < 0 {
		return false
	}
	g, ok := c.shiftGroups[shiftKey{p, src, pol}]
	if !ok {
		return false
	}
	sg := &c.groups[g]
	k := sort.Search(len(sg.starts), func(i int) bool { return sg.starts[i] > t })
	return k > 0 && sg.maxEnd[k-1] > t
}

func (c *computer) setTeamHours() {
	c.hours = make([]*Hours, len(c.teams.names))
	for t, name := range c.teams.names {
		if th, ok := c.s.TeamHours[name]; ok {
			c.hours[t] = &th
		} else {
			c.hours[t] = &c.s.Hours
		}
	}
	c.teamW = make([]teamAcc, len(c.teams.names)*c.nW)
	c.personRows = make([][]teamRow, len(c.people.list))
}

func (c *computer) hoursFor(p, team int32) *Hours {
	if h := c.people.list[p].hours; h != nil {
		return h
	}
	return c.hours[team]
}

func (c *computer) combo(x *inc) *combo {
	k := comboKey{x.src, x.team, x.svc, x.sev}
	i, ok := c.comboIdx[k]
	if !ok {
		i = int32(len(c.combos))
		c.comboIdx[k] = i
		c.combos = append(c.combos, combo{key: k, count: make([]int32, c.nW)})
	}
	return &c.combos[i]
}

// incidentFigures: counts, open, MTTA, MTTR and resolve durations.
func (c *computer) incidentFigures() {
	for i := range c.incs {
		x := &c.incs[i]
		open := x.resolved == never
		mask := c.inWindows(x.created)
		if mask == 0 && !open {
			continue
		}
		cb := c.combo(x)
		if open {
			cb.open++
		}
		if mask == 0 {
			continue
		}
		cb.inMax = true
		c.teamHas[x.team] = true
		sk := [2]int32{x.team, x.svc}
		if _, ok := c.recIdx[sk]; !ok {
			c.recIdx[sk] = int32(len(c.recKeys))
			c.recKeys = append(c.recKeys, sk)
			c.recCounts = append(c.recCounts, make([]int32, c.nW)...)
		}
		for w := 0; w < c.nW; w++ {
			if mask&(1<<w) == 0 {
				continue
			}
			cb.count[w]++
			ta := &c.teamW[int(x.team)*c.nW+w]
			if x.ack != never {
				ta.ackSum += max(x.ack-x.created, 0)
				ta.ackN++
			}
			if !open {
				d := max(x.resolved-x.created, 0)
				ta.resSum += d
				ta.resN++
				ta.durs = append(ta.durs, seconds(d))
			}
		}
	}
}

// seconds converts a ns duration, clamping the negative ones that clock skew between
// a tool's records can produce.
func seconds(d int64) float64 {
	return float64(max(d, 0)) / 1e9
}

type recCand struct {
	created int64
	orig    int32 // index in History.Incidents
	inc     int32 // compact index, -1 when not indexed (then not in any window)
}

// recurrences: only incidents created in the largest window, or up to
// RecurrenceWithin before it, can matter (loadIncidents collects them); they are swept
// in creation order keeping the last creation time per key. Ties in creation time are
// broken by History order, so of two same-key incidents created at the same instant the
// second recurs.
func (c *computer) recurrences() {
	cs := c.recCands
	slices.SortFunc(cs, func(a, b recCand) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.orig, b.orig))
	})
	last := make(map[uint64]int64, len(cs))
	within := int64(c.s.RecurrenceWithin)
	for _, cd := range cs {
		key := recurrenceHash(&c.h.Incidents[cd.orig])
		prev, seen := last[key]
		last[key] = cd.created
		if !seen || cd.created-prev > within || cd.inc < 0 {
			continue
		}
		x := &c.incs[cd.inc]
		mask := c.inWindows(x.created)
		if mask == 0 {
			continue
		}
		r := int(c.recIdx[[2]int32{x.team, x.svc}])
		for w := 0; w < c.nW; w++ {
			if mask&(1<<w) != 0 {
				c.recCounts[r*c.nW+w]++
			}
		}
	}
}

// row returns the responder row of (team, person), creating it.
func (c *computer) row(team, p int32) int32 {
	for _, tr := range c.personRows[p] { // a person is in few teams
		if tr.team == team {
			return tr.row
		}
	}
	r := int32(len(c.rows))
	c.rows = append(c.rows, rowHead{team: team, person: p})
	for range c.nW {
		c.accs = append(c.accs, acc{})
	}
	c.personRows[p] = append(c.personRows[p], teamRow{team, r})
	return r
}

// engaged is one person's engagement summary on one incident.
type engaged struct {
	person     int32
	first, ack int64
}

// engagementFigures walks each incident's engagements: engaged incidents, off-rotation,
// engaged seconds by period, solo long and open solo.
func (c *computer) engagementFigures() {
	nP := len(c.people.list)
	stamp := make([]int32, nP) // stamp[p] = incident+1 when p is in scratch
	slot := make([]int32, nP)
	var scratch []engaged
	soloAfter := int64(c.s.SoloAfter)
	for i := range c.incs {
		x := &c.incs[i]
		open := x.resolved == never
		if !open && x.resolved <= c.maxStart {
			continue // ended before every window: contributes nothing
		}
		scratch = scratch[:0]
		for _, e := range c.engs[c.engStart[i]:c.engStart[i+1]] {
			var en *engaged
			if stamp[e.person] == int32(i)+1 {
				en = &scratch[slot[e.person]]
			} else {
				stamp[e.person] = int32(i) + 1
				slot[e.person] = int32(len(scratch))
				scratch = append(scratch, engaged{person: e.person, first: never, ack: never})
				en = &scratch[len(scratch)-1]
			}
			en.first = min(en.first, e.at)
			if e.ack {
				en.ack = min(en.ack, e.at)
			}
		}
		mask := c.inWindows(x.created)
		// Solo figures need engagement data: without it every incident would look solo.
		hasEng := c.caps[x.src].Engagements
		if open {
			// "older than solo_after": strictly; solo long below is "at least"
			if hasEng && c.nowNs-x.created > soloAfter && len(scratch) <= 1 {
				c.openSolo[[2]int32{x.src, x.team}]++
			}
		} else if hasEng && mask != 0 && x.resolved-x.created >= soloAfter && len(scratch) == 1 {
			for w := 0; w < c.nW; w++ {
				if mask&(1<<w) != 0 {
					c.teamW[int(x.team)*c.nW+w].solo++
				}
			}
		}
		if len(scratch) == 0 {
			continue
		}
		end := x.resolved
		if open {
			end = c.nowNs
		}
		onCallSrc := c.caps[x.src].OnCall && mask != 0
		pol := int32(-1) // the incident's policy; -1: nobody has shifts for it
		if onCallSrc {
			if p, ok := c.policies[c.h.Incidents[x.orig].EscalationPolicy]; ok {
				pol = p
			}
		}
		for k := range scratch {
			en := &scratch[k]
			r := int32(-1)
			if mask != 0 {
				r = c.row(x.team, en.person)
				offrot := onCallSrc && !c.onCall(en.person, x.src, pol, en.first)
				for w := 0; w < c.nW; w++ {
					if mask&(1<<w) != 0 {
						a := &c.accs[int(r)*c.nW+w]
						a.incidents++
						if offrot {
							a.offrot++
						}
					}
				}
			}
			start := en.ack
			if start == never {
				start = en.first
			}
			if start >= end || end <= c.maxStart {
				continue
			}
			if r < 0 {
				r = c.row(x.team, en.person)
			}
			c.addEngaged(r, en.person, x.team, start, end)
		}
	}
}

// addEngaged splits [start, end) by period once per distinct clip: windows are taken
// largest first, and a smaller window only needs a new split when its start cuts the
// span further.
func (c *computer) addEngaged(r, p, team int32, start, end int64) {
	loc := c.people.list[p].loc
	h := c.hoursFor(p, team)
	var split [NumPeriods]int64
	var lastLo int64
	have := false
	for _, w := range c.wDesc {
		lo := max(start, c.wStart[w])
		if lo >= end {
			break // smaller windows start later still
		}
		if !have || lo != lastLo {
			split = splitNs(lo, end, loc, h)
			lastLo, have = lo, true
		}
		a := &c.accs[int(r)*c.nW+w]
		for q := range split {
			a.secs[q] += split[q]
		}
	}
}

func splitNs(lo, hi int64, loc *time.Location, h *Hours) [NumPeriods]int64 {
	return splitTimes(time.Unix(0, lo), time.Unix(0, hi), loc, h)
}

// pageFigures counts interruptions. Dedup is per person across all incidents and
// teams: a page within PageDedup of the last page that COUNTED is dropped, so a steady
// stream of pages 30 s apart counts once a minute rather than once overall (comparing
// with the last page seen would swallow an endless stream). The comparison runs over
// all of the person's history, not just the windows, so counting at a window's start
// does not depend on where the window starts.
func (c *computer) pageFigures() {
	dedup := int64(c.s.PageDedup)
	nights := map[[2]int64]bool{} // (row, the night's start) already counted
	for p := int32(0); int(p)+1 < len(c.pgStart); p++ {
		last, any := int64(0), false
		for _, g := range c.pgs[c.pgStart[p]:c.pgStart[p+1]] {
			if g.inc < 0 {
				continue // not needed (see loadPages) or unknown incident: ignored
			}
			if any && g.at-last < dedup {
				continue
			}
			last, any = g.at, true
			mask := c.inWindows(g.at)
			if mask == 0 {
				continue
			}
			team := c.incs[g.inc].team
			r := c.row(team, p)
			hours := c.hoursFor(p, team)
			per := periodAt(time.Unix(0, g.at), c.people.list[p].loc, hours)
			for w := 0; w < c.nW; w++ {
				if mask&(1<<w) != 0 {
					c.accs[int(r)*c.nW+w].pages[per]++
				}
			}
			if per == PeriodSleep {
				c.countNight(r, g.at, c.people.list[p].loc, hours, nights)
			}
		}
	}
}

// countNight counts, once per responder row, the local night that a sleep-band page at
// ns falls in, in every window that holds the night's start: a night is identified by
// the local date on which its sleep band starts (a page at 03:00 in a 22:00–08:00 band
// belongs to the night that started the evening before).
func (c *computer) countNight(r int32, at int64, loc *time.Location, h *Hours, seen map[[2]int64]bool) {
	if loc == nil {
		loc = time.UTC
	}
	lt := time.Unix(0, at).In(loc)
	y, mo, d := lt.Date()
	if h.Sleep.Start > h.Sleep.End && lt.Hour()*60+lt.Minute() < h.Sleep.End {
		y, mo, d = lt.AddDate(0, 0, -1).Date() // after midnight: the night began the day before
	}
	start := time.Date(y, mo, d, h.Sleep.Start/60, h.Sleep.Start%60, 0, 0, loc).UnixNano()
	k := [2]int64{int64(r), start}
	if seen[k] {
		return
	}
	seen[k] = true
	mask := c.inWindows(start)
	for w := 0; w < c.nW; w++ {
		if mask&(1<<w) != 0 {
			c.accs[int(r)*c.nW+w].nights++
		}
	}
}

func periodAt(t time.Time, loc *time.Location, h *Hours) Period {
	return PeriodAt(t, loc, *h)
}
