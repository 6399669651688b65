package incident

import (
	"fmt"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/pseudonym"
)

// Window is a look-back window: an incident belongs to it when created in (now−D, now].
type Window struct {
	Name string // the label value, a Prometheus duration such as "7d"
	D    time.Duration
}

// ClockRange is a span of the local day, in minutes since midnight. End may be less
// than Start, meaning the span wraps past midnight (22:00–08:00).
type ClockRange struct {
	Start, End int
}

// Contains reports whether minute-of-day m lies in the range.
func (r ClockRange) Contains(m int) bool {
	if r.Start <= r.End {
		return m >= r.Start && m < r.End
	}
	return m >= r.Start || m < r.End
}

// HolidayCalendar tells whether a local calendar date is a public holiday.
type HolidayCalendar interface {
	IsHoliday(year int, month time.Month, day int) bool
}

// Hours are the rules that sort a local time into a period.
type Hours struct {
	Business     ClockRange
	BusinessDays [7]bool // indexed by time.Weekday
	Sleep        ClockRange
	Holidays     HolidayCalendar // nil: no holidays
}

// DefaultHours are the bands of the metric contract: business 08:00–18:00 Mon–Fri,
// sleep 22:00–08:00 every day, no holidays.
func DefaultHours() Hours {
	return Hours{
		Business:     ClockRange{Start: 8 * 60, End: 18 * 60},
		BusinessDays: [7]bool{false, true, true, true, true, true, false},
		Sleep:        ClockRange{Start: 22 * 60, End: 8 * 60},
	}
}

// PersonOverride applies a time zone and/or hours to the people it matches. A match
// field that is empty matches anything; at least one is set.
type PersonOverride struct {
	Email, Name, ID string
	Location        *time.Location // nil: keep the source's zone
	Hours           *Hours         // nil: keep the team's or default hours
}

// Settings are the analytics parameters taken from the configuration.
type Settings struct {
	Windows          []Window
	DefaultLocation  *time.Location
	Hours            Hours
	TeamHours        map[string]Hours // by team name
	People           []PersonOverride
	SoloAfter        time.Duration // default 20m
	RecurrenceWithin time.Duration // default 7d
	PageDedup        time.Duration // default 60s
	PersonLabel      string        // name | email | id | hashed
	// ChangeFailureWithin: a change is failed when an incident on its service is created
	// within this time after it (default 1h).
	ChangeFailureWithin time.Duration
	// HashKey keys the pseudonyms of hashed mode (hash_key_file); see package pseudonym.
	HashKey pseudonym.Key
}

// HistoryNeeded is how much history the analytics read: the previous window of the
// longest window (now−2W) and, before it, the recurrence look-back. The store keeps at
// least this much (storage.retention).
func (s Settings) HistoryNeeded() time.Duration {
	var w time.Duration
	for _, win := range s.Windows {
		w = max(w, win.D)
	}
	return 2*w + s.RecurrenceWithin
}

// FormatDuration writes d in days when it is whole days ("63d"), else as Go does.
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// DefaultSettings returns the contract defaults: windows 7d and 28d, UTC, default hours.
func DefaultSettings() Settings {
	return Settings{
		Windows:             []Window{{"7d", 7 * 24 * time.Hour}, {"28d", 28 * 24 * time.Hour}},
		DefaultLocation:     time.UTC,
		Hours:               DefaultHours(),
		SoloAfter:           20 * time.Minute,
		RecurrenceWithin:    7 * 24 * time.Hour,
		PageDedup:           60 * time.Second,
		ChangeFailureWithin: time.Hour,
		PersonLabel:         "name",
	}
}
