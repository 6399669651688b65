package fhfake

import (
	"fmt"
	"time"
)

// Ana, Ben, Cai and Bot are the scenario's authors (Cai acts through Slack; Bot is a
// bot user).
func Ana() *Author {
	return &Author{ID: "u-ana", Name: "Ana Alves", Email: "ana@example.com", Source: "firehydrant_user"}
}

// Ben is a scenario author.
func Ben() *Author {
	return &Author{ID: "u-ben", Name: "Ben Brown", Email: "ben@example.com", Source: "firehydrant_user"}
}

// Cai is a scenario author acting through Slack.
func Cai() *Author {
	return &Author{ID: "u-cai", Name: "Cai Chen", Email: "cai@example.com", Source: "slack"}
}

// Bot is a bot author.
func Bot() *Author { return &Author{ID: "u-bot", Name: "Deploy bot", Source: "firehydrant_bot"} }

// Scenario fills f with a small organisation; now is a Friday 12:00 UTC (−72h is
// Tuesday 12:00 UTC). Nobody has a time zone in FireHydrant.
//
// Teams: Payments (t-pay: Ana, Ben), Platform (t-plat: Cai). Services: checkout, ledger.
//
//	F1 "DB down" Payments/checkout, SEV1, −72h: started by Ana, Ana commander +1m,
//	   acknowledged by Ana +3m, Ben's note +10m, a bot's note +12m, resolved by Ben
//	   +33m, closed by the bot +2h.
//	F2 "Disk 93% on db-7" Payments/ledger, SEV3, −40h (Wed 20:00 UTC), on the older
//	   milestone API (no lifecycle phases): acknowledged +5m, resolved +45m (no
//	   updated_by); Ana changes roles +2m; Ben assigned a role +4m.
//	F3 "Cert expiry" Platform, SEV2, −30h (Thu 06:00 UTC): acknowledged +10m and
//	   resolved +30m by Cai (through Slack).
//	F4 "DB down" Payments/checkout, "critical", −2h: started by the bot, acknowledged by
//	   Ben +4m, open; a bot's chat message +6m.
//	F5 an incident of −100 days: older than the default history.
//
//	FC1 change "Deploy checkout 2024.3" on checkout at F1−15m (deploy)
//	FC2 change "checkout config: pool 20" on checkout and ledger at −10h, label
//	    kind=config, team=Payments (one change per service)
//	FC3 change "Nightly maintenance" on no service at −1h (other, unknown service)
//	FC4 a deploy of −100 days: older than the default history
func Scenario(f *Server, now time.Time) {
	at := func(d time.Duration) time.Time { return now.Add(d) }
	f.AddUser(User{ID: "u-ana", Name: "Ana Alves", Email: "ana@example.com"})
	f.AddUser(User{ID: "u-ben", Name: "Ben Brown", Email: "ben@example.com"})
	f.AddUser(User{ID: "u-cai", Name: "Cai Chen", Email: "cai@example.com"})
	f.AddTeam(Team{ID: "t-pay", Name: "Payments", Members: []string{"u-ana", "u-ben"}})
	f.AddTeam(Team{ID: "t-plat", Name: "Platform", Members: []string{"u-cai"}})
	f.AddService("s-checkout", "checkout")
	f.AddService("s-ledger", "ledger")

	t1 := at(-72 * time.Hour)
	f.AddIncident(Incident{ID: "F1", Name: "DB down", Severity: "SEV1", Team: "t-pay", Service: "s-checkout", Created: t1,
		Milestones: []Milestone{{"m1s", "started", t1, Ana()}, {"m1a", "acknowledged", t1.Add(3 * time.Minute), Ana()},
			{"m1r", "resolved", t1.Add(33 * time.Minute), Ben()}, {"m1c", "closed", t1.Add(2 * time.Hour), Bot()}},
		Roles:  []Role{{"r1", "u-ana", "commander", t1.Add(time.Minute)}},
		Events: []Event{{"ev1", "note", t1.Add(10 * time.Minute), Ben()}, {"ev1b", "note", t1.Add(12 * time.Minute), Bot()}, {"ev1c", "chat_message", t1.Add(13 * time.Minute), Ana()}}})

	t2 := at(-40 * time.Hour)
	f.AddIncident(Incident{ID: "F2", Name: "Disk 93% on db-7", Severity: "SEV3", Team: "t-pay", Service: "s-ledger", Created: t2, NoPhases: true,
		Milestones: []Milestone{{"m2s", "started", t2, nil}, {"m2a", "acknowledged", t2.Add(5 * time.Minute), nil},
			{"m2r", "resolved", t2.Add(45 * time.Minute), nil}},
		Roles:  []Role{{"r2", "u-ben", "ops", t2.Add(4 * time.Minute)}},
		Events: []Event{{"ev2", "role_update", t2.Add(2 * time.Minute), Ana()}}})

	t3 := at(-30 * time.Hour)
	f.AddIncident(Incident{ID: "F3", Name: "Cert expiry", Severity: "SEV2", Team: "t-plat", Created: t3,
		Milestones: []Milestone{{"m3s", "started", t3, nil}, {"m3a", "acknowledged", t3.Add(10 * time.Minute), Cai()},
			{"m3r", "resolved", t3.Add(30 * time.Minute), Cai()}}})

	t4 := at(-2 * time.Hour)
	f.AddIncident(Incident{ID: "F4", Name: "DB down", Severity: "critical", Team: "t-pay", Service: "s-checkout", Created: t4,
		Milestones: []Milestone{{"m4s", "started", t4, Bot()}, {"m4a", "acknowledged", t4.Add(4 * time.Minute), Ben()}},
		Events:     []Event{{"ev4", "generic_chat_message", t4.Add(6 * time.Minute), Bot()}}})

	t5 := at(-100 * 24 * time.Hour)
	f.AddIncident(Incident{ID: "F5", Name: "Ancient", Severity: "SEV1", Team: "t-pay", Created: t5,
		Milestones: []Milestone{{"m5s", "started", t5, Ana()}, {"m5r", "resolved", t5.Add(time.Hour), Ana()}}})

	f.AddChangeEvent(ChangeEvent{ID: "FC1", Summary: "Deploy checkout 2024.3", Starts: t1.Add(-15 * time.Minute), Services: []string{"s-checkout"}})
	f.AddChangeEvent(ChangeEvent{ID: "FC2", Summary: "checkout config: pool 20", Starts: at(-10 * time.Hour),
		Services: []string{"s-checkout", "s-ledger"}, Labels: Obj{"kind": "config", "team": "Payments"}})
	f.AddChangeEvent(ChangeEvent{ID: "FC3", Summary: "Nightly maintenance", Starts: at(-time.Hour)})
	f.AddChangeEvent(ChangeEvent{ID: "FC4", Summary: "Deploy checkout 2023.9", Starts: t5, Services: []string{"s-checkout"}})
}

// Bulk fills f with n resolved incidents spread evenly over span before now, each
// acknowledged and resolved by Ana with one note, and a deploy of checkout a minute
// before every fourth incident.
func Bulk(f *Server, now time.Time, n int, span time.Duration) {
	f.AddUser(User{ID: "u-ana", Name: "Ana Alves", Email: "ana@example.com"})
	f.AddTeam(Team{ID: "t-pay", Name: "Payments", Members: []string{"u-ana"}})
	f.AddService("s-checkout", "checkout")
	step := span / time.Duration(n)
	for i := range n {
		c := now.Add(-span + time.Duration(i)*step)
		id := fmt.Sprintf("B%05d", i)
		f.AddIncident(Incident{ID: id, Name: fmt.Sprintf("Bulk %d", i), Severity: "SEV2", Team: "t-pay", Service: "s-checkout", Created: c,
			Milestones: []Milestone{{id + "s", "started", c, Ana()}, {id + "a", "acknowledged", c.Add(2 * time.Minute), Ana()},
				{id + "r", "resolved", c.Add(10 * time.Minute), Ana()}},
			Events: []Event{{id + "n", "note", c.Add(5 * time.Minute), Ana()}}})
		if i%4 == 0 {
			f.AddChangeEvent(ChangeEvent{ID: fmt.Sprintf("BC%05d", i), Summary: "Deploy checkout", Starts: c.Add(-time.Minute),
				Services: []string{"s-checkout"}})
		}
	}
}
