// Package synth generates deterministic synthetic incident histories for benchmarks
// and tests. The shape follows a mid-size organisation: teams of about ten people with
// weekly on-call rotations, mixed time zones (some invalid or missing), two sources
// (one without on-call data), a few people known to both sources under the same email,
// about two engagements and two pages per incident, and recurring alerts.
package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// Source names used by Generate.
const (
	SourceFull   = "pagerduty" // people, pages, engagements, on-call
	SourceNoCall = "opsgenie"  // the same without on-call data
)

// zones are the person time zones cycled through; "" (none) and an invalid name
// exercise the fallbacks.
var zones = []string{
	"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
	"Pacific/Auckland", "Pacific/Honolulu", "Asia/Tokyo", "", "UTC", "Not/AZone",
}

const week = 7 * 24 * time.Hour

type team struct {
	name, src, policy string
	services          []string
	members           []int // person indices
}

// Generate returns a history of the given number of incidents created over the last
// days before now, among people persons (plus one extra record in the second source for
// every 25th person, sharing their email). The same arguments give the same history.
// Incidents come in creation order, as a store would return them.
func Generate(incidents, people, days int, seed int64, now time.Time) *incident.History {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	people = max(people, 1)
	days = max(days, 1)
	h := &incident.History{Sources: map[string]incident.Capabilities{
		SourceFull:   {People: true, Pages: true, Engagements: true, OnCall: true},
		SourceNoCall: {People: true, Pages: true, Engagements: true},
	}}

	nTeams := max(1, (people+9)/10)
	teams := make([]team, nTeams)
	for t := range teams {
		tm := &teams[t]
		tm.name = "team-" + pad(t, 3)
		tm.src = SourceFull
		if t%5 == 4 {
			tm.src = SourceNoCall
		}
		tm.policy = "EP-" + tm.name
		for k := range 5 {
			tm.services = append(tm.services, "svc-"+pad(t, 3)+"-"+strconv.Itoa(k))
		}
	}
	ids := make([]string, people)
	h.People = make([]incident.Person, 0, people+people/25)
	for i := range people {
		tm := &teams[i%nTeams]
		tm.members = append(tm.members, i)
		ids[i] = "P" + pad(i, 6)
		email := "person" + strconv.Itoa(i) + "@example.com"
		h.People = append(h.People, incident.Person{
			Source: tm.src, ID: ids[i], Name: "Person " + strconv.Itoa(i), Email: email,
			TimeZone: zones[i%len(zones)],
		})
		if i%25 == 0 {
			other := SourceNoCall
			if tm.src == SourceNoCall {
				other = SourceFull
			}
			h.People = append(h.People, incident.Person{
				Source: other, ID: "X" + pad(i, 6), Name: "Person " + strconv.Itoa(i),
				Email: strings.ToUpper(email), // merged case-insensitively
			})
		}
	}
	for _, tm := range teams {
		m := make([]string, len(tm.members))
		for k, p := range tm.members {
			m[k] = ids[p]
		}
		h.Teams = append(h.Teams, incident.Team{Source: tm.src, Name: tm.name, Members: m})
	}

	// weekly rotation, level 1 and level 2, from a week before the history to a week
	// after now
	span := time.Duration(days) * 24 * time.Hour
	rotStart := now.Add(-span - week).Truncate(week)
	nWeeks := int(now.Add(week).Sub(rotStart)/week) + 1
	onCall := func(tm *team, at time.Time, level int) int {
		k := int(at.Sub(rotStart) / week)
		return tm.members[(k+level)%len(tm.members)]
	}
	for t := range teams {
		tm := &teams[t]
		if tm.src != SourceFull {
			continue
		}
		for k := range nWeeks {
			for level := range 2 {
				h.Shifts = append(h.Shifts, incident.Shift{
					Source: tm.src, ID: tm.name + "-" + strconv.Itoa(k) + "-" + strconv.Itoa(level),
					PersonID: ids[tm.members[(k+level)%len(tm.members)]], EscalationPolicy: tm.policy,
					Level: level + 1, Start: rotStart.Add(time.Duration(k) * week), End: rotStart.Add(time.Duration(k+1) * week),
				})
			}
		}
	}

	offsets := make([]int64, incidents)
	for i := range offsets {
		offsets[i] = rng.Int64N(int64(span))
	}
	slices.Sort(offsets)
	start := now.Add(-span)
	h.Incidents = make([]incident.Incident, 0, incidents)
	h.Engagements = make([]incident.Engagement, 0, incidents*2)
	h.Pages = make([]incident.Page, 0, incidents*2)
	sevs := []incident.Severity{incident.SeverityCritical, incident.SeverityHigh, incident.SeverityHigh,
		incident.SeverityLow, incident.SeverityLow, incident.SeverityLow, incident.SeverityUnknown}
	expDur := func(mean time.Duration) time.Duration {
		return time.Duration(-math.Log(1-rng.Float64()) * float64(mean))
	}
	var engN, pageN int
	for i, off := range offsets {
		u := rng.Float64()
		tm := &teams[int(u*u*float64(nTeams))] // skewed: some teams are much busier
		created := start.Add(time.Duration(off))
		x := incident.Incident{
			Source: tm.src, ID: "Q" + strconv.Itoa(i), Team: tm.name,
			Service:          tm.services[rng.IntN(len(tm.services))],
			Severity:         sevs[rng.IntN(len(sevs))],
			EscalationPolicy: tm.policy,
			CreatedAt:        created,
			Title:            title(rng),
		}
		if rng.IntN(10) < 3 {
			x.Team = "" // unassigned
		}
		if rng.IntN(2) == 0 {
			x.RecurrenceKey = "alert-" + tm.name + "-" + strconv.Itoa(rng.IntN(20))
		}
		end := created
		if rng.IntN(100) < 92 {
			x.AcknowledgedAt = created.Add(expDur(4 * time.Minute))
			end = x.AcknowledgedAt
		}
		if res := end.Add(expDur(45 * time.Minute)); res.Before(now) && rng.IntN(100) != 0 {
			x.ResolvedAt = res
		}
		h.Incidents = append(h.Incidents, x)

		first := onCall(tm, created, 0)
		responder := first
		if rng.IntN(5) == 0 {
			responder = tm.members[rng.IntN(len(tm.members))]
		}
		eng := func(p int, kind string, at time.Time) {
			if at.After(now) {
				return
			}
			engN++
			h.Engagements = append(h.Engagements, incident.Engagement{
				Source: tm.src, ID: "E" + strconv.Itoa(engN), IncidentID: x.ID, PersonID: ids[p], Kind: kind, At: at,
			})
		}
		page := func(p int, ch string, at time.Time) {
			if at.After(now) {
				return
			}
			pageN++
			h.Pages = append(h.Pages, incident.Page{
				Source: tm.src, ID: "N" + strconv.Itoa(pageN), IncidentID: x.ID, PersonID: ids[p], Channel: ch, At: at,
			})
		}
		if !x.AcknowledgedAt.IsZero() {
			eng(responder, incident.EngageAcknowledge, x.AcknowledgedAt)
		}
		if rng.IntN(10) < 6 {
			other := tm.members[rng.IntN(len(tm.members))]
			eng(other, incident.EngageNote, created.Add(expDur(20*time.Minute)))
		}
		if !x.ResolvedAt.IsZero() && rng.IntN(10) < 4 {
			eng(responder, incident.EngageResolve, x.ResolvedAt)
		}
		page(first, incident.ChannelPush, created)
		if rng.IntN(2) == 0 {
			page(first, incident.ChannelPhone, created.Add(time.Duration(rng.IntN(120))*time.Second))
		}
		if rng.IntN(10) < 3 {
			page(first, incident.ChannelEmail, created)
		}
		if x.AcknowledgedAt.IsZero() || x.AcknowledgedAt.Sub(created) > 5*time.Minute {
			page(onCall(tm, created, 1), incident.ChannelSMS, created.Add(5*time.Minute))
		}
	}
	return h
}

var titles = []string{"High CPU on web-", "Disk usage above threshold on db", "5xx rate high on checkout pod ",
	"Latency SLO burn for ", "Queue backlog growing in worker-", "Certificate expires soon for host"}

func title(rng *rand.Rand) string {
	t := titles[rng.IntN(len(titles))]
	switch rng.IntN(3) {
	case 0:
		return t + pad(rng.IntN(40), 2)
	case 1:
		return t + strconv.FormatUint(rng.Uint64()>>32, 16)
	}
	return t + " " + strconv.Itoa(50+rng.IntN(50)) + "%"
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
