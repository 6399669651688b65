package config

import (
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/ua"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"
)

// holidayCountries are the national calendars of github.com/rickar/cal/v2, by ISO
// 3166-1 alpha-2 code ("UK" is accepted for GB as people write it).
var holidayCountries = map[string][]*cal.Holiday{
	"AR": ar.Holidays, "AT": at.Holidays, "BE": be.Holidays, "BG": bg.Holidays, "BR": br.Holidays,
	"CA": ca.Holidays, "CH": ch.Holidays, "CZ": cz.Holidays, "DE": de.Holidays, "DK": dk.Holidays,
	"ES": es.Holidays, "FR": fr.Holidays, "GB": gb.Holidays, "UK": gb.Holidays, "GR": gr.Holidays,
	"HR": hr.Holidays, "IE": ie.Holidays, "IT": it.Holidays, "JP": jp.Holidays, "LT": lt.Holidays,
	"LV": lv.Holidays, "NL": nl.Holidays, "NO": no.Holidays, "NZ": nz.Holidays, "PL": pl.Holidays,
	"RO": ro.Holidays, "RU": ru.Holidays, "SE": se.Holidays, "SI": si.Holidays, "SK": sk.Holidays,
	"UA": ua.Holidays, "US": us.Holidays, "ZA": za.Holidays,
}

func knownCountries() string {
	keys := make([]string, 0, len(holidayCountries))
	for k := range holidayCountries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// holidayCalendar answers incident.HolidayCalendar for a set of countries. A day is a
// holiday when it is the holiday itself or the day it is observed on. The observed day
// can fall in the year before the holiday (US New Year's Day 2022, a Saturday, was
// observed on Friday 2021-12-31), which cal.Calendar.IsHoliday misses because it only
// computes the holidays of the queried date's year; so the neighbouring years are
// computed here too.
type holidayCalendar struct {
	holidays []*cal.Holiday
}

func newHolidayCalendar(countries []string) *holidayCalendar {
	if len(countries) == 0 {
		return nil
	}
	h := &holidayCalendar{}
	for _, code := range countries {
		h.holidays = append(h.holidays, holidayCountries[strings.ToUpper(code)]...)
	}
	return h
}

func (h *holidayCalendar) IsHoliday(year int, month time.Month, day int) bool {
	for _, hol := range h.holidays {
		for y := year - 1; y <= year+1; y++ {
			actual, observed := hol.Calc(y)
			if sameDay(actual, year, month, day) || sameDay(observed, year, month, day) {
				return true
			}
		}
	}
	return false
}

func sameDay(t time.Time, year int, month time.Month, day int) bool {
	if t.IsZero() {
		return false
	}
	y, m, d := t.Date()
	return y == year && m == month && d == day
}
