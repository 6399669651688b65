package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// Progress compares a window W with the one before it, (now−2W, now−W]: what fell is
// good news and is said first.
type Progress struct {
	// Available is false when the snapshot holds no previous-window figures.
	Available bool `json:"available"`
	// Window is W.
	Window string  `json:"window"`
	Trends []Trend `json:"trends"`
	// Quiet are services of the team whose last incident is at least a window ago.
	Quiet []QuietService `json:"quiet_services"`
	// Missing names the progress figures the snapshot does not hold (yet).
	Missing []string `json:"missing,omitempty"`
	// Retired are the fingerprints of a log with events in the previous window and none
	// in this one (logs only).
	Retired int `json:"retired_fingerprints,omitempty"`
}

// Trend is one figure now and in the previous window. For every figure the report
// lists, less is better.
type Trend struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"` // count, seconds or ratio
	Now    float64 `json:"now"`
	Before float64 `json:"before"`
	// Change is (Now − Before) / Before; 0 when Before is 0.
	Change float64 `json:"change"`
	// Direction is fell, rose, unchanged or new (nothing before, something now).
	Direction string `json:"direction"`
}

// Good reports whether the figure fell.
func (t Trend) Good() bool { return t.Direction == "fell" }

// QuietService is a service with no incident for a while.
type QuietService struct {
	Service string    `json:"service"`
	Since   time.Time `json:"last_incident"`
	Days    int       `json:"quiet_days"`
}

// Figures of the progress section, by name.
const (
	trendIncidents     = "incidents"
	trendMTTR          = "MTTR"
	trendSleepPages    = "sleep-hour pages"
	trendChangeFailure = "change failure ratio"
	trendQuiet         = "quiet services"
	trendTop10         = "top-10 exception events"
	trendRetired       = "retired fingerprints"
)

func newTrend(name, unit string, now, before float64) Trend {
	t := Trend{Name: name, Unit: unit, Now: now, Before: before}
	switch {
	case now < before:
		t.Direction = "fell"
	case now > before && before == 0:
		t.Direction = "new"
	case now > before:
		t.Direction = "rose"
	default:
		t.Direction = "unchanged"
	}
	if before != 0 {
		t.Change = (now - before) / before
	}
	return t
}

// Format renders a trend's value for people.
func (t Trend) Format(v float64) string {
	switch t.Unit {
	case "seconds":
		return Duration(v)
	case "ratio":
		return percent(v)
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Describe says what happened to the figure in words: "fell from 40 to 22 (−45 %)".
func (t Trend) Describe() string {
	from, to := t.Format(t.Before), t.Format(t.Now)
	switch t.Direction {
	case "fell":
		return fmt.Sprintf("fell from %s to %s (−%.0f %%)", from, to, math.Abs(t.Change)*100)
	case "rose":
		return fmt.Sprintf("rose from %s to %s (+%.0f %%)", from, to, t.Change*100)
	case "new":
		return fmt.Sprintf("%s, none before", to)
	}
	return fmt.Sprintf("unchanged at %s", to)
}

// Summary is the headline sentence of the progress: what got better.
func (p Progress) Summary() string {
	if !p.Available {
		return fmt.Sprintf("Figures of the previous %s are not in this snapshot, so progress cannot be shown yet.", p.Window)
	}
	var good []string
	for _, t := range p.Trends {
		if t.Good() {
			good = append(good, t.Name+" "+t.Describe())
		}
	}
	if n := len(p.Quiet); n > 0 {
		good = append(good, fmt.Sprintf("%s without an incident for %s or more", plural(n, "service"), p.Window))
	}
	if p.Retired > 0 {
		good = append(good, fmt.Sprintf("%s that fired in the previous %s went quiet", plural(p.Retired, "fingerprint"), p.Window))
	}
	if len(good) == 0 {
		return fmt.Sprintf("No figure fell against the previous %s.", p.Window)
	}
	return fmt.Sprintf("Better than the previous %s: %s.", p.Window, strings.Join(good, "; "))
}

// teamProgress reads the previous-window figures of a team from the snapshot: incidents,
// MTTR, sleep-hour pages and the change failure ratio now and in the window before, and
// the services quiet for at least the window. A figure the snapshot cannot supply for
// the team (no MTTR before, no changes, no pages) is left out and named in Missing.
func teamProgress(snap *incident.Snapshot, team string, win incident.Window) Progress {
	p := Progress{Window: win.Name, Trends: []Trend{}, Quiet: []QuietService{}}
	if snap == nil || snap.Trends == nil {
		p.Missing = []string{trendIncidents, trendMTTR, trendSleepPages, trendQuiet, trendChangeFailure}
		return p
	}
	tr := snap.Trends
	p.Available = true
	var now, before float64
	for _, c := range snap.Incidents {
		if c.Team == team && c.Window == win.Name {
			now += float64(c.Count)
		}
	}
	for _, c := range tr.IncidentsPrevious {
		if c.Team == team && c.Window == win.Name {
			before += float64(c.Count)
		}
	}
	p.Trends = append(p.Trends, newTrend(trendIncidents, "count", now, before))

	mttrNow, hasNow := 0.0, false
	for _, t := range snap.Teams {
		if t.Team == team && t.Window == win.Name && t.HasMTTR {
			mttrNow, hasNow = t.MTTR, true
		}
	}
	mttrBefore, hasBefore := 0.0, false
	for _, v := range tr.MTTRPrevious {
		if v.Team == team && v.Window == win.Name {
			mttrBefore, hasBefore = v.Value, true
		}
	}
	if hasNow && hasBefore {
		p.Trends = append(p.Trends, newTrend(trendMTTR, "seconds", mttrNow, mttrBefore))
	} else {
		p.Missing = append(p.Missing, trendMTTR)
	}

	sleepNow, sleepBefore, hasPages := 0.0, 0.0, false
	for _, r := range tr.Interruptions {
		if r.Team == team && r.Window == win.Name {
			sleepNow, hasPages = float64(r.Pages[incident.PeriodSleep]), true
		}
	}
	for _, r := range tr.InterruptionsPrevious {
		if r.Team == team && r.Window == win.Name {
			sleepBefore = float64(r.Pages[incident.PeriodSleep])
		}
	}
	if hasPages {
		p.Trends = append(p.Trends, newTrend(trendSleepPages, "count", sleepNow, sleepBefore))
	} else {
		p.Missing = append(p.Missing, trendSleepPages)
	}

	var ch, failed, chBefore, failedBefore float64
	for _, c := range tr.Changes {
		if c.Team == team && c.Window == win.Name {
			ch += float64(c.Changes)
			failed += float64(c.Failed)
			chBefore += float64(c.ChangesPrevious)
			failedBefore += float64(c.FailedPrev)
		}
	}
	if ch > 0 && chBefore > 0 {
		p.Trends = append(p.Trends, newTrend(trendChangeFailure, "ratio", failed/ch, failedBefore/chBefore))
	} else {
		p.Missing = append(p.Missing, trendChangeFailure)
	}

	for _, l := range tr.LastIncident {
		if l.Team != team {
			continue
		}
		if quiet := snap.At.Sub(l.At); quiet >= win.D {
			p.Quiet = append(p.Quiet, QuietService{Service: l.Service, Since: l.At, Days: int(quiet / (24 * time.Hour))})
		}
	}
	return p
}

// logProgress reads the exception figures of a log over the window and the one before
// it (the follower's hourly counts): top-10 volume and retired fingerprints.
func logProgress(s logscan.Stats, win incident.Window) Progress {
	p := Progress{Window: win.Name, Trends: []Trend{}, Quiet: []QuietService{}}
	for _, w := range s.Windows {
		if w.Window != win.Name {
			continue
		}
		p.Available = true
		p.Trends = append(p.Trends, newTrend(trendTop10, "count", float64(w.Top10), float64(w.Top10Previous)))
		// Retired fingerprints are good news when there are some: shown as a count now
		// against none before, it would read as a rise, so it is reported as what fell:
		// the fingerprints still firing.
		p.Retired = w.Retired
		return p
	}
	p.Missing = []string{trendTop10, trendRetired}
	return p
}
