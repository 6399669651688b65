package incident

import "time"

const (
	secondsPerDay = 24 * 60 * 60
	nsPerMinute   = int64(time.Minute)
	nsPerDay      = int64(24 * time.Hour)
)

// PeriodAt returns the band that instant t falls in for a person in loc with hours h.
// Bands are decided on the local wall clock at minute resolution: sleep first (it
// applies every day), then business (a business weekday that is not a holiday, inside
// the business range), else off hours. A nil loc means UTC.
func PeriodAt(t time.Time, loc *time.Location, h Hours) Period {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	hh, mm, _ := lt.Clock()
	m := hh*60 + mm
	if h.Sleep.Contains(m) {
		return PeriodSleep
	}
	if !h.Business.Contains(m) || !h.BusinessDays[lt.Weekday()] {
		return PeriodOffHours
	}
	if h.Holidays != nil {
		y, mo, d := lt.Date()
		if h.Holidays.IsHoliday(y, mo, d) {
			return PeriodOffHours
		}
	}
	return PeriodBusiness
}

// SplitByPeriod returns how many seconds of [start, end) fall in each period for a
// person in loc with hours h (index by Period). It gives the same answer as summing
// PeriodAt over every instant, but costs O(days + zone transitions): the span is cut
// at the zone's offset changes (time.Time.ZoneBounds), and inside a piece with one
// fixed offset the wall clock is a plain shift of the instant, so local days and band
// boundaries are found with integer arithmetic. That is what keeps it exact across DST
// gaps (skipped wall times simply never occur) and overlaps (a repeated wall hour is
// counted once per real instant). A nil loc means UTC.
func SplitByPeriod(start, end time.Time, loc *time.Location, h Hours) [NumPeriods]float64 {
	var out [NumPeriods]float64
	if !end.After(start) {
		return out
	}
	if loc == nil {
		loc = time.UTC
	}
	ns := splitTimes(start, end, loc, &h)
	for p := range out {
		out[p] = float64(ns[p]) / 1e9
	}
	return out
}

// splitTimes is SplitByPeriod in nanoseconds, with hours by pointer.
func splitTimes(cur, end time.Time, loc *time.Location, h *Hours) [NumPeriods]int64 {
	var out [NumPeriods]int64
	b := newDayBands(h)
	for cur.Before(end) {
		lt := cur.In(loc)
		_, off := lt.Zone()
		_, zoneEnd := lt.ZoneBounds()
		segEnd := end
		if !zoneEnd.IsZero() && zoneEnd.Before(segEnd) && zoneEnd.After(cur) {
			segEnd = zoneEnd
		}
		b.add(&out, cur, segEnd.Sub(cur), off)
		cur = segEnd
	}
	return out
}

// dayBands is the local day cut at every band edge, so that each piece has one period
// for a given kind of day (business day or not).
type dayBands struct {
	h     *Hours
	edges [6]int // minutes of day, ascending, edges[0] = 0, edges[n-1] = 1440
	n     int
	// period of each piece on a business day and on any other day
	onBiz, offBiz [5]Period
}

func newDayBands(h *Hours) dayBands {
	b := dayBands{h: h}
	cand := [6]int{0, clampMinute(h.Sleep.Start), clampMinute(h.Sleep.End),
		clampMinute(h.Business.Start), clampMinute(h.Business.End), 24 * 60}
	// insertion sort with dedup of six values
	for _, v := range cand {
		i := 0
		for i < b.n && b.edges[i] < v {
			i++
		}
		if i < b.n && b.edges[i] == v {
			continue
		}
		copy(b.edges[i+1:b.n+1], b.edges[i:b.n])
		b.edges[i] = v
		b.n++
	}
	for k := 0; k+1 < b.n; k++ {
		m := b.edges[k]
		switch {
		case h.Sleep.Contains(m):
			b.onBiz[k], b.offBiz[k] = PeriodSleep, PeriodSleep
		case h.Business.Contains(m):
			b.onBiz[k], b.offBiz[k] = PeriodBusiness, PeriodOffHours
		default:
			b.onBiz[k], b.offBiz[k] = PeriodOffHours, PeriodOffHours
		}
	}
	return b
}

func clampMinute(m int) int {
	return min(max(m, 0), 24*60)
}

// add accumulates into ns the span of length total starting at instant cur, during
// which the zone offset is off seconds.
func (b *dayBands) add(ns *[NumPeriods]int64, cur time.Time, total time.Duration, off int) {
	wall := cur.Unix() + int64(off)
	day := floorDiv(wall, secondsPerDay)
	sod := wall - day*secondsPerDay
	// offsets below are nanoseconds relative to cur; the local day starts at or before it
	dayStart := -(sod*int64(time.Second) + int64(cur.Nanosecond()))
	tot := int64(total)
	for dayStart < tot {
		periods := &b.offBiz
		if b.isBusinessDay(day) {
			periods = &b.onBiz
		}
		for k := 0; k+1 < b.n; k++ {
			lo := max(dayStart+int64(b.edges[k])*nsPerMinute, 0)
			hi := min(dayStart+int64(b.edges[k+1])*nsPerMinute, tot)
			if hi > lo {
				ns[periods[k]] += hi - lo
			}
		}
		dayStart += nsPerDay
		day++
	}
}

// isBusinessDay reports whether local day number day (days since 1970-01-01 on the
// wall clock) is a business weekday and not a holiday.
func (b *dayBands) isBusinessDay(day int64) bool {
	wd := time.Weekday((floorMod(day, 7) + 4) % 7) // 1970-01-01 was a Thursday
	if !b.h.BusinessDays[wd] {
		return false
	}
	if b.h.Holidays == nil {
		return true
	}
	y, m, d := time.Unix(day*secondsPerDay, 0).UTC().Date()
	return !b.h.Holidays.IsHoliday(y, m, d)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
