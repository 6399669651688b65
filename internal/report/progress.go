package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
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
	if len(good) == 0 {
		return fmt.Sprintf("No figure fell against the previous %s.", p.Window)
	}
	return fmt.Sprintf("Better than the previous %s: %s.", p.Window, strings.Join(good, "; "))
}

// teamProgress reads the previous-window figures of a team from the snapshot.
func teamProgress(_ *incident.Snapshot, _ string, win incident.Window) Progress {
	return Progress{Window: win.Name, Trends: []Trend{}, Quiet: []QuietService{},
		Missing: []string{trendIncidents, trendMTTR, trendSleepPages, trendQuiet, trendChangeFailure}}
}

// logProgress reads the previous-window exception figures of a log from the snapshot.
func logProgress(_ *incident.Snapshot, _ string, win incident.Window) Progress {
	return Progress{Window: win.Name, Trends: []Trend{}, Quiet: []QuietService{},
		Missing: []string{trendTop10, trendRetired}}
}
