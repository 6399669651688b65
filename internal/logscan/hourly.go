package logscan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Exceptions over time: per log, the events of each hour by fingerprint, for the trend
// figures of METRICS.md (window events, the previous window, top 10, retired
// fingerprints). An hour holds at most top_k fingerprints; events of further ones count
// under OtherFingerprint. Hours older than the horizon (twice the longest window) are
// dropped, so a log keeps at most (top_k + 1) × horizon/1h counts.

// OtherFingerprint is the key of the events an hour could not track by fingerprint.
const OtherFingerprint = "other"

// hourKeyPrefix names an hour's row in the log state ("hour:<unix seconds>"): closed
// hours are saved once, each in its own row; the hours still open travel with the
// positions in the follower row, so a restart neither loses nor counts them twice.
const hourKeyPrefix = "hour:"

// Window is one configured window, for the trend figures.
type Window struct {
	Name string
	D    time.Duration
}

// WindowStat are a log's exception figures over one window and the one before it.
type WindowStat struct {
	Window string
	// Events are the events of the window per tracked fingerprint (those in Stats
	// .Fingerprints); Other is the rest of the window's events.
	Events         map[string]uint64
	Other          uint64
	EventsPrevious uint64
	// Top10 and Top10Previous are the events of the ten fingerprints with the most
	// events in that same window.
	Top10, Top10Previous uint64
	// Retired counts fingerprints with events in the previous window and none in this one.
	Retired int
}

// hourCounts are one hour's events by fingerprint.
type hourCounts map[string]uint64

// addHour counts ev at instant at (called with c.mu held).
func (c *Counter) addHour(fp string, at time.Time) {
	if c.hourly == nil {
		c.hourly = map[int64]hourCounts{}
	}
	h := at.Unix() / 3600 * 3600
	m := c.hourly[h]
	if m == nil {
		m = hourCounts{}
		c.hourly[h] = m
	}
	if _, ok := m[fp]; !ok && len(m) >= c.top.k {
		fp = OtherFingerprint
	}
	m[fp]++
	if h != c.closed.hour {
		c.closed.gen++ // not the current hour of the cached sums: they are stale
	}
	delete(c.savedHours, h) // changed since saved (a late event of a closed hour)
}

// SetWindows sets the windows of the trend figures and keeps hours back to twice the
// longest of them.
func (c *Counter) SetWindows(ws []Window) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.windows = slices.Clone(ws)
	c.closed.gen++
	c.horizon = 0
	for _, w := range ws {
		c.horizon = max(c.horizon, 2*w.D)
	}
}

// closedSums caches, per window, the sums of the hours before the current one: within an
// hour the windows' membership does not change (windows are whole hours), so a scrape
// adds only the current hour's counts instead of summing every hour kept (at the bound,
// 135,744 counts). gen counts changes to hours other than the current one.
type closedSums struct {
	hour, gen, builtGen int64
	valid               bool
	wins                []closedWindow
}

type closedWindow struct {
	cur, prev         map[string]uint64
	curTotal, prevSum uint64
	sorted            []fpCount // cur by count, descending
	retired           int       // prev > 0 and cur == 0
}

type fpCount struct {
	fp string
	n  uint64
}

// windowStats computes the trend figures as of now (c.mu held). An hour belongs to a
// window when it overlaps it; an hour across the edge between the window and the one
// before counts whole in the window.
func (c *Counter) windowStats(now time.Time, tracked []FingerprintStat) []WindowStat {
	if len(c.windows) == 0 {
		return nil
	}
	n := now.Unix()
	curHour := n / 3600 * 3600
	if !c.closed.valid || c.closed.hour != curHour || c.closed.builtGen != c.closed.gen {
		c.buildClosed(n, curHour)
	}
	open := c.hourly[curHour]
	out := make([]WindowStat, 0, len(c.windows))
	for i, w := range c.windows {
		cw := &c.closed.wins[i]
		ws := WindowStat{Window: w.Name, Events: map[string]uint64{}, EventsPrevious: cw.prevSum}
		total := cw.curTotal
		for _, k := range open {
			total += k
		}
		for _, f := range tracked {
			k := cw.cur[f.Fingerprint] + open[f.Fingerprint]
			ws.Events[f.Fingerprint] = k
			total -= k
		}
		ws.Other = total
		ws.Top10 = mergedTop10(cw.sorted, cw.cur, open)
		ws.Top10Previous = top10(cw.prev)
		ws.Retired = cw.retired
		for fp, k := range open {
			if k > 0 && fp != OtherFingerprint && cw.prev[fp] > 0 && cw.cur[fp] == 0 {
				ws.Retired-- // fired before, quiet in the closed hours, but not in this one
			}
		}
		out = append(out, ws)
	}
	return out
}

// buildClosed sums the hours before curHour into each window and the one before it.
func (c *Counter) buildClosed(n, curHour int64) {
	c.closed.wins = c.closed.wins[:0]
	for _, w := range c.windows {
		d := int64(w.D / time.Second)
		cw := closedWindow{cur: map[string]uint64{}, prev: map[string]uint64{}}
		for h, m := range c.hourly {
			if h >= curHour {
				continue
			}
			end := h + 3600
			var into map[string]uint64
			switch {
			case end > n-d:
				into = cw.cur
			case end > n-2*d:
				into = cw.prev
			default:
				continue
			}
			for fp, k := range m {
				into[fp] += k
			}
		}
		for fp, k := range cw.cur {
			cw.curTotal += k
			if fp != OtherFingerprint {
				cw.sorted = append(cw.sorted, fpCount{fp, k})
			}
		}
		slices.SortFunc(cw.sorted, func(a, b fpCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.fp, b.fp)) })
		for fp, k := range cw.prev {
			cw.prevSum += k
			if fp != OtherFingerprint && k > 0 && cw.cur[fp] == 0 {
				cw.retired++
			}
		}
		c.closed.wins = append(c.closed.wins, cw)
	}
	c.closed.hour, c.closed.builtGen, c.closed.valid = curHour, c.closed.gen, true
}

// mergedTop10 is top10 of closed + open without building the merged map: only the
// fingerprints of the open hour change, so the ten largest are among them and the first
// 10 + len(open) of the closed ranking.
func mergedTop10(sorted []fpCount, closed, open hourCounts) uint64 {
	cand := make([]uint64, 0, 10+2*len(open))
	for i := 0; i < len(sorted) && i < 10+len(open); i++ {
		if _, inOpen := open[sorted[i].fp]; !inOpen {
			cand = append(cand, sorted[i].n)
		}
	}
	for fp, k := range open {
		if fp != OtherFingerprint {
			cand = append(cand, closed[fp]+k)
		}
	}
	slices.SortFunc(cand, func(a, b uint64) int { return cmp.Compare(b, a) })
	var s uint64
	for i := 0; i < len(cand) && i < 10; i++ {
		s += cand[i]
	}
	return s
}

// top10 is the sum of the ten largest fingerprint counts (other is no fingerprint).
func top10(m map[string]uint64) uint64 {
	ks := make([]uint64, 0, len(m))
	for fp, k := range m {
		if fp != OtherFingerprint {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b uint64) int { return cmp.Compare(b, a) })
	var s uint64
	for i := 0; i < len(ks) && i < 10; i++ {
		s += ks[i]
	}
	return s
}

// hoursToSave returns the closed hours (before now's hour) not saved yet, and forgets the
// hours older than the horizon, returning them to delete.
func (c *Counter) hoursToSave(now time.Time) (save map[int64]hourCounts, drop []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := now.Unix() / 3600 * 3600
	if c.savedHours == nil {
		c.savedHours = map[int64]bool{}
	}
	for h, m := range c.hourly {
		if c.horizon > 0 && h+3600 <= now.Add(-c.horizon).Unix() {
			delete(c.hourly, h)
			delete(c.savedHours, h)
			c.closed.gen++
			drop = append(drop, h)
			continue
		}
		if h < cur && !c.savedHours[h] {
			if save == nil {
				save = map[int64]hourCounts{}
			}
			save[h] = maps(m)
		}
	}
	return save, drop
}

// markSaved records that the hours were saved in rows of their own.
func (c *Counter) markSaved(hours map[int64]hourCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, m := range hours {
		if cur := c.hourly[h]; cur != nil && sameCounts(cur, m) {
			c.savedHours[h] = true
		}
	}
}

// openHours are the hours not saved in rows of their own (c.mu held).
func (c *Counter) openHours() map[string]hourCounts {
	out := map[string]hourCounts{}
	for h, m := range c.hourly {
		if !c.savedHours[h] {
			out[strconv.FormatInt(h, 10)] = maps(m)
		}
	}
	return out
}

// loadHours restores hours: saved rows first, then the open hours of the follower row,
// which win (an hour may be in both when a restart came between the two saves).
func (c *Counter) loadHours(rows map[int64]hourCounts, open map[string]hourCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hourly, c.savedHours = map[int64]hourCounts{}, map[int64]bool{}
	c.closed.gen++
	for h, m := range rows {
		c.hourly[h], c.savedHours[h] = m, true
	}
	for k, m := range open {
		h, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		c.hourly[h] = m
		delete(c.savedHours, h)
	}
}

func hourKey(h int64) string { return hourKeyPrefix + strconv.FormatInt(h, 10) }

func parseHourKey(k string) (int64, bool) {
	s, ok := strings.CutPrefix(k, hourKeyPrefix)
	if !ok {
		return 0, false
	}
	h, err := strconv.ParseInt(s, 10, 64)
	return h, err == nil
}

func maps(m hourCounts) hourCounts {
	out := make(hourCounts, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sameCounts(a, b hourCounts) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// SeedHourlyCounts writes hourly counts of log for hours that have none yet, in rows of
// their own as the follower saves closed hours; it writes nothing when the log already
// has any. The demo uses it to show a fingerprint that went quiet before it started.
func SeedHourlyCounts(ctx context.Context, store StateStore, log string, counts map[time.Time]map[string]uint64) error {
	st, err := store.LoadLogState(ctx, log)
	if err != nil {
		return fmt.Errorf("logscan: seed hourly counts of %s: %w", log, err)
	}
	for k := range st {
		if _, ok := parseHourKey(k); ok {
			return nil
		}
	}
	for at, m := range counts {
		v, err := jsonMarshal(hourCounts(m))
		if err != nil {
			return fmt.Errorf("logscan: seed hourly counts of %s: %w", log, err)
		}
		if err := store.SaveLogState(ctx, log, hourKey(at.Unix()/3600*3600), v); err != nil {
			return fmt.Errorf("logscan: seed hourly counts of %s: %w", log, err)
		}
	}
	return nil
}
