package store

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// genHistory builds a deterministic history of one source: people people in teams of
// 100, incidents spread evenly over the days before now (about 1% still open), 1–3
// pages and 1–3 engagements per incident (2 of each on average), and two levels of
// daily shifts for each of 30 escalation policies.
func genHistory(incidents, people, days int, now time.Time) *source.Batch {
	rng := rand.New(rand.NewPCG(1, 2))
	b := &source.Batch{}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", ""}
	for i := range people {
		b.People = append(b.People, incident.Person{
			ID:       fmt.Sprintf("P%06d", i),
			Name:     fmt.Sprintf("Person %d", i),
			Email:    fmt.Sprintf("person%d@example.com", i),
			TimeZone: zones[i%len(zones)],
		})
	}
	nTeams := max(1, people/100)
	for t := range nTeams {
		team := incident.Team{Name: fmt.Sprintf("team-%02d", t)}
		for m := t * 100; m < min(people, (t+1)*100); m++ {
			team.Members = append(team.Members, b.People[m].ID)
		}
		b.Teams = append(b.Teams, team)
	}
	const policies = 30
	start := now.Add(-time.Duration(days) * 24 * time.Hour).Truncate(time.Millisecond)
	span := now.Sub(start)
	severities := []incident.Severity{incident.SeverityCritical, incident.SeverityHigh, incident.SeverityHigh,
		incident.SeverityLow, incident.SeverityLow, incident.SeverityLow, incident.SeverityUnknown}
	channels := []string{incident.ChannelPush, incident.ChannelPhone, incident.ChannelSMS, incident.ChannelEmail}
	kinds := []string{incident.EngageAcknowledge, incident.EngageNote, incident.EngageResolve, incident.EngageAction}
	b.Incidents = make([]incident.Incident, 0, incidents)
	b.Pages = make([]incident.Page, 0, 2*incidents)
	b.Engagements = make([]incident.Engagement, 0, 2*incidents)
	for i := range incidents {
		created := start.Add(time.Duration(int64(span) / int64(incidents) * int64(i)))
		team := rng.IntN(nTeams + 1) // nTeams means unassigned
		teamName := ""
		if team < nTeams {
			teamName = b.Teams[team].Name
		}
		svc := rng.IntN(200)
		inc := incident.Incident{
			ID:               fmt.Sprintf("I%08d", i),
			Title:            fmt.Sprintf("High error rate on service-%03d (%d)", svc, rng.IntN(50)),
			Team:             teamName,
			Service:          fmt.Sprintf("service-%03d", svc),
			Severity:         severities[rng.IntN(len(severities))],
			EscalationPolicy: fmt.Sprintf("EP%02d", rng.IntN(policies)),
			RecurrenceKey:    fmt.Sprintf("alert-%d", rng.IntN(5000)),
			CreatedAt:        created,
		}
		if rng.IntN(100) != 0 {
			inc.AcknowledgedAt = created.Add(time.Duration(1+rng.IntN(600)) * time.Second)
			inc.ResolvedAt = created.Add(time.Duration(5+rng.IntN(240)) * time.Minute)
		}
		b.Incidents = append(b.Incidents, inc)
		for p := range 1 + rng.IntN(3) {
			b.Pages = append(b.Pages, incident.Page{
				ID:         fmt.Sprintf("%s-p%d", inc.ID, p),
				IncidentID: inc.ID,
				PersonID:   b.People[rng.IntN(people)].ID,
				At:         created.Add(time.Duration(p) * time.Minute),
				Channel:    channels[rng.IntN(len(channels))],
			})
		}
		for e := range 1 + rng.IntN(3) {
			b.Engagements = append(b.Engagements, incident.Engagement{
				ID:         fmt.Sprintf("%s-e%d", inc.ID, e),
				IncidentID: inc.ID,
				PersonID:   b.People[rng.IntN(people)].ID,
				Kind:       kinds[rng.IntN(len(kinds))],
				At:         created.Add(time.Duration(e+1) * time.Minute),
			})
		}
	}
	for d := range days {
		for ep := range policies {
			for level := 1; level <= 2; level++ {
				sh := incident.Shift{
					ID:               fmt.Sprintf("S%03d-%02d-%d", d, ep, level),
					PersonID:         b.People[rng.IntN(people)].ID,
					EscalationPolicy: fmt.Sprintf("EP%02d", ep),
					Level:            level,
					Start:            start.Add(time.Duration(d) * 24 * time.Hour),
					End:              start.Add(time.Duration(d+1) * 24 * time.Hour),
				}
				if d == days-1 {
					sh.End = time.Time{} // the current shift is open-ended
				}
				b.Shifts = append(b.Shifts, sh)
			}
		}
	}
	b.Cursor = fmt.Sprintf("cursor-%d", incidents)
	return b
}
