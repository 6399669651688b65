package config

import (
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/pseudonym"
)

// Analytics converts a validated configuration into the analytics settings.
func (c *Config) Analytics() incident.Settings {
	s := incident.DefaultSettings()
	s.Windows = s.Windows[:0]
	for _, w := range c.Windows {
		s.Windows = append(s.Windows, incident.Window{Name: w.String(), D: w.D})
	}
	s.DefaultLocation = mustLocation(c.Hours.DefaultTimezone)
	s.Hours = mergeHours(incident.DefaultHours(), &c.Hours)
	if len(c.Teams) > 0 {
		s.TeamHours = make(map[string]incident.Hours, len(c.Teams))
		for _, t := range c.Teams {
			s.TeamHours[t.Name] = mergeHours(s.Hours, &t.Hours)
		}
	}
	for _, p := range c.People {
		o := incident.PersonOverride{Email: p.Match.Email, Name: p.Match.Name, ID: p.Match.ID}
		if p.Timezone != "" {
			o.Location = mustLocation(p.Timezone)
		}
		if p.Hours != nil {
			h := mergeHours(s.Hours, p.Hours)
			o.Hours = &h
		}
		s.People = append(s.People, o)
	}
	s.SoloAfter = c.Thresholds.SoloAfter.D
	s.RecurrenceWithin = c.Thresholds.RecurrenceWithin.D
	s.ChangeFailureWithin = c.Thresholds.ChangeFailureWithin.D
	s.PersonLabel = c.PersonLabel
	if c.HashKey != "" {
		s.HashKey = pseudonym.Key(c.HashKey)
	}
	return s
}

// mergeHours applies the fields set in h on top of base. Inputs are validated.
func mergeHours(base incident.Hours, h *Hours) incident.Hours {
	out := base
	if b := h.Business; b != nil {
		if b.Start != "" {
			out.Business.Start, _ = parseClock(b.Start)
		}
		if b.End != "" {
			out.Business.End, _ = parseClock(b.End)
		}
		if b.Days != nil {
			out.BusinessDays = [7]bool{}
			for _, d := range b.Days {
				out.BusinessDays[dayNames[strings.ToLower(d)]] = true
			}
		}
	}
	if sl := h.Sleep; sl != nil {
		if sl.Start != "" {
			out.Sleep.Start, _ = parseClock(sl.Start)
		}
		if sl.End != "" {
			out.Sleep.End, _ = parseClock(sl.End)
		}
	}
	if h.Holidays != nil {
		if hc := newHolidayCalendar(h.Holidays); hc != nil {
			out.Holidays = hc
		} else {
			out.Holidays = nil
		}
	}
	return out
}

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // unreachable after validation
	}
	return loc
}

// Demo is the built-in configuration of `hero_exporter --demo`: one demo source, and one
// log input following the demo's application log at logPath (see DemoInApp).
func Demo(logPath string) *Config {
	c := &Config{
		File:    "<demo>",
		Sources: []Source{{Name: "demo", Type: "demo", Seed: 1}},
		Logs: []Log{{Name: "demo-app", Paths: []string{logPath}, FromStart: true,
			InApp: []string{"com.example.", "/srv/app/", "example.com/shop"}}},
	}
	c.applyDefaults()
	c.Sources[0].RefreshInterval = NewDuration("15s")
	return c
}
