package rootlyfake

import (
	"fmt"
	"time"
)

// Scenario fills f with a small account; now is a Friday 12:00 UTC. Times below are
// relative to now (−72h is Tuesday 12:00 UTC).
//
// People: Ana (101, Europe/Berlin, UTC+1), Ben (102, America/New_York, UTC−5), Cai
// (103, no time zone: the configured default). Teams: Payments (g-pay: Ana, Ben),
// Platform (g-plat: Cai). Escalation policies: ep-pay (service s-checkout, team g-pay),
// ep-plat (team g-plat). On call: Ana ep-pay L1 all along, Ben ep-pay L2 until −24h, Cai
// ep-plat L1 all along.
//
//	I1 "DB down" Payments/checkout, critical, −72h; alert key db-down; Ana notified
//	   (push) +5s, acknowledges +2m, is commander +3m; resolved by Ana +30m.
//	I2 "Disk 93% on db-7" Payments/ledger, medium, −40h (Wed 20:00 UTC); Ana texted
//	   +5s, escalates by hand +3m; Ben called +4m, acknowledges +6m; resolved by Ben +40m.
//	I3 "Disk 95% on db-9" Platform, high, −30h (Thu 06:00 UTC); Cai called +10s,
//	   notified +40s, emailed +20s, acknowledges +5m; resolved by Cai +25m.
//	I4 "DB down again" Payments/checkout, critical, −2h, alert key db-down; open, no
//	   acknowledged_at; Ben notified +10s, texted +40s, acknowledges (event) +90s; Ana
//	   commander +2m.
//	I5 a test incident (kind test), −10h: excluded.
//	I6 an incident of −100 days: older than the default history.
//	An alert event of an alert attached to no incident.
//
//	P1 pulse "Deployed checkout v7" (source github) on checkout at I1−20m: deploy
//	P2 pulse "feature flag wallet on" on checkout and ledger at −39h, labels kind=config
//	   and team=Payments: one change per service
//	P3 pulse "k8s event" (source k8s) on no service at −1h: other, unknown service
//	P4 a pulse of −100 days: older than the default history
func Scenario(f *Server, now time.Time) {
	at := func(d time.Duration) time.Time { return now.Add(d) }
	f.AddUser(User{ID: "101", Name: "Ana Alves", Email: "ana@example.com", TimeZone: "Europe/Berlin"})
	f.AddUser(User{ID: "102", Name: "Ben Brown", Email: "ben@example.com", TimeZone: "America/New_York"})
	f.AddUser(User{ID: "103", Name: "Cai Chen", Email: "cai@example.com"})
	f.AddTeam(Team{ID: "g-pay", Name: "Payments", Members: []string{"101", "102"}})
	f.AddTeam(Team{ID: "g-plat", Name: "Platform", Members: []string{"103"}})
	f.AddService("s-checkout", "checkout")
	f.AddService("s-ledger", "ledger")
	f.AddPolicy(Policy{ID: "ep-pay", Name: "Payments", GroupIDs: []string{"g-pay"}, Services: []string{"s-checkout"}})
	f.AddPolicy(Policy{ID: "ep-plat", Name: "Platform", GroupIDs: []string{"g-plat"}})
	f.AddOncall(Oncall{ID: "oc1", Policy: "ep-pay", User: "101", Level: 1, Start: at(-10 * 24 * time.Hour), End: at(10 * 24 * time.Hour)})
	f.AddOncall(Oncall{ID: "oc2", Policy: "ep-pay", User: "102", Level: 2, Start: at(-10 * 24 * time.Hour), End: at(-24 * time.Hour)})
	f.AddOncall(Oncall{ID: "oc3", Policy: "ep-plat", User: "103", Level: 1, Start: at(-10 * 24 * time.Hour), End: at(10 * 24 * time.Hour)})

	t1 := at(-72 * time.Hour)
	f.AddIncident(Incident{ID: "I1", Title: "DB down", Status: "resolved", Severity: "critical", Team: "g-pay", Service: "s-checkout",
		Created: t1, Ack: t1.Add(2 * time.Minute), Resolved: t1.Add(30 * time.Minute), ResolvedBy: "101",
		Updated: t1.Add(30 * time.Minute),
		Roles:   []Role{{ID: "ra1", User: "101", At: t1.Add(3 * time.Minute)}},
		Alerts:  []Alert{{ID: "al1", DedupKey: "db-down", At: t1}}})
	f.AddEvent(Event{ID: "e1", AlertID: "al1", Kind: "notification", Action: "notified", User: "101", Incident: "I1", At: t1.Add(5 * time.Second)})
	f.AddEvent(Event{ID: "e2", AlertID: "al1", Kind: "action", Action: "acknowledged", User: "101", Incident: "I1", At: t1.Add(2 * time.Minute)})

	t2 := at(-40 * time.Hour)
	f.AddIncident(Incident{ID: "I2", Title: "Disk 93% on db-7", Status: "resolved", Severity: "medium", Team: "g-pay", Service: "s-ledger",
		Created: t2, Ack: t2.Add(6 * time.Minute), Resolved: t2.Add(40 * time.Minute), ResolvedBy: "102", Updated: t2.Add(40 * time.Minute),
		Alerts: []Alert{{ID: "al2", At: t2}}})
	f.AddEvent(Event{ID: "e3", AlertID: "al2", Kind: "notification", Action: "texted", User: "101", Incident: "I2", At: t2.Add(5 * time.Second)})
	f.AddEvent(Event{ID: "e4", AlertID: "al2", Kind: "notification", Action: "called", User: "102", Incident: "I2", At: t2.Add(4 * time.Minute)})
	f.AddEvent(Event{ID: "e5", AlertID: "al2", Kind: "action", Action: "acknowledged", User: "102", Incident: "I2", At: t2.Add(6 * time.Minute)})
	f.AddEvent(Event{ID: "e6", AlertID: "al2", Kind: "action", Action: "escalated", User: "101", Incident: "I2", At: t2.Add(3 * time.Minute)})
	f.AddEvent(Event{ID: "e6b", AlertID: "al2", Kind: "action", Action: "escalated", Incident: "I2", At: t2.Add(2 * time.Minute)}) // automatic

	t3 := at(-30 * time.Hour)
	f.AddIncident(Incident{ID: "I3", Title: "Disk 95% on db-9", Status: "resolved", Severity: "high", Team: "g-plat",
		Created: t3, Ack: t3.Add(5 * time.Minute), Resolved: t3.Add(25 * time.Minute), ResolvedBy: "103", Updated: t3.Add(25 * time.Minute)})
	f.AddEvent(Event{ID: "e7", AlertID: "al3", Kind: "notification", Action: "called", User: "103", Incident: "I3", At: t3.Add(10 * time.Second)})
	f.AddEvent(Event{ID: "e8", AlertID: "al3", Kind: "notification", Action: "notified", User: "103", Incident: "I3", At: t3.Add(40 * time.Second)})
	f.AddEvent(Event{ID: "e8m", AlertID: "al3", Kind: "notification", Action: "emailed", User: "103", Incident: "I3", At: t3.Add(20 * time.Second)})
	f.AddEvent(Event{ID: "e9", AlertID: "al3", Kind: "action", Action: "acknowledged", User: "103", Incident: "I3", At: t3.Add(5 * time.Minute)})

	t4 := at(-2 * time.Hour)
	f.AddIncident(Incident{ID: "I4", Title: "DB down again", Status: "started", Severity: "critical", Team: "g-pay", Service: "s-checkout",
		Created: t4, Updated: t4.Add(2 * time.Minute),
		Roles:  []Role{{ID: "ra4", User: "101", At: t4.Add(2 * time.Minute)}},
		Alerts: []Alert{{ID: "al4", DedupKey: "db-down", At: t4}}})
	f.AddEvent(Event{ID: "e10", AlertID: "al4", Kind: "notification", Action: "notified", User: "102", Incident: "I4", At: t4.Add(10 * time.Second)})
	f.AddEvent(Event{ID: "e11", AlertID: "al4", Kind: "notification", Action: "texted", User: "102", Incident: "I4", At: t4.Add(40 * time.Second)})
	f.AddEvent(Event{ID: "e12", AlertID: "al4", Kind: "action", Action: "acknowledged", User: "102", Incident: "I4", At: t4.Add(90 * time.Second)})

	t5 := at(-10 * time.Hour)
	f.AddIncident(Incident{ID: "I5", Title: "Test", Kind: "test", Status: "resolved", Severity: "low", Team: "g-pay",
		Created: t5, Resolved: t5.Add(time.Minute)})
	f.AddEvent(Event{ID: "e13", AlertID: "al5", Kind: "notification", Action: "called", User: "101", Incident: "I5", At: t5.Add(5 * time.Second)})

	t6 := at(-100 * 24 * time.Hour)
	f.AddIncident(Incident{ID: "I6", Title: "Ancient", Status: "resolved", Team: "g-pay", Created: t6, Resolved: t6.Add(time.Hour)})

	f.AddEvent(Event{ID: "e14", AlertID: "al-loose", Kind: "notification", Action: "called", User: "101", At: at(-5 * time.Hour)})

	f.AddPulse(Pulse{ID: "P1", Summary: "Deployed checkout v7", Source: "github", At: t1.Add(-20 * time.Minute), Services: []string{"s-checkout"}})
	f.AddPulse(Pulse{ID: "P2", Summary: "feature flag wallet on", At: at(-39 * time.Hour), Services: []string{"s-checkout", "s-ledger"},
		Labels: map[string]string{"kind": "config", "team": "Payments"}})
	f.AddPulse(Pulse{ID: "P3", Summary: "k8s event", Source: "k8s", At: at(-time.Hour)})
	f.AddPulse(Pulse{ID: "P4", Summary: "Deployed checkout v1", At: t6, Services: []string{"s-checkout"}})
}

// Bulk fills f with n incidents spread evenly over span before now, each with perInc
// alert events (one acknowledgement by a person, the rest notifications), two users and
// one team, and a deploy pulse a minute before every fourth incident.
func Bulk(f *Server, now time.Time, n, perInc int, span time.Duration) {
	f.AddUser(User{ID: "101", Name: "Ana Alves", Email: "ana@example.com", TimeZone: "Europe/Berlin"})
	f.AddUser(User{ID: "102", Name: "Ben Brown", Email: "ben@example.com", TimeZone: "America/New_York"})
	f.AddTeam(Team{ID: "g-pay", Name: "Payments", Members: []string{"101", "102"}})
	f.AddService("s-checkout", "checkout")
	f.AddPolicy(Policy{ID: "ep-pay", Name: "Payments", GroupIDs: []string{"g-pay"}, Services: []string{"s-checkout"}})
	f.AddOncall(Oncall{ID: "oc1", Policy: "ep-pay", User: "101", Level: 1, Start: now.Add(-span - time.Hour), End: now.Add(time.Hour)})
	step := span / time.Duration(n)
	f.Update(func() {
		for i := range n {
			c := now.Add(-span + time.Duration(i)*step)
			id := fmt.Sprintf("B%05d", i)
			f.incidents = append(f.incidents, &Incident{ID: id, Title: fmt.Sprintf("Bulk %d", i), Kind: "normal", Status: "resolved",
				Severity: "high", Team: "g-pay", Service: "s-checkout", Created: c, Updated: c.Add(10 * time.Minute),
				Ack: c.Add(2 * time.Minute), Resolved: c.Add(10 * time.Minute), ResolvedBy: "101",
				Alerts: []Alert{{ID: "a" + id, DedupKey: "k" + id, At: c}}})
			for k := range perInc {
				e := Event{ID: fmt.Sprintf("%s-e%d", id, k), AlertID: "a" + id, Kind: "notification", Action: "notified",
					User: "101", Incident: id, At: c.Add(time.Duration(k+1) * time.Second)}
				if k == perInc-1 {
					e.Kind, e.Action, e.At = "action", "acknowledged", c.Add(2*time.Minute)
				}
				f.events = append(f.events, e)
			}
			if i%4 == 0 {
				f.pulses = append(f.pulses, Pulse{ID: "P" + id, Summary: "Deployed checkout", At: c.Add(-time.Minute), Services: []string{"s-checkout"}})
			}
		}
	})
}
