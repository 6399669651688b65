package iofake

import (
	"fmt"
	"time"
)

// Scenario fills f with a small organisation that exercises every mapping rule of the
// incident.io source, relative to now (the tests use Friday 2026-11-20 12:00 UTC):
//
//	people    U1 Ana Lima, U2 Ben Okafor, U3 Cai Wu, U4 Dee Park (no user has a time
//	          zone in incident.io)
//	schedules SCH1 Payments primary (Europe/Berlin): Ana from now−100d to now+7d;
//	          SCH2 Payments secondary (America/New_York): Ben, same span;
//	          SCH3 Platform (Europe/Dublin): Cai from now−14d to now−7d only.
//	          Zones: Ana Berlin, Ben New York, Cai Dublin (from their schedules), Dee
//	          on no schedule → hours.default_timezone
//	paths     EP1 Payments: level 1 SCH1, level 2 SCH2; EP2 Platform: level 1 SCH3
//
//	I1 Payments/checkout, Critical, created now−72h; E1 (EP1, alert "db-down"):
//	   Ana and Ben notified +10s, Ana acks +2m; lead Ana; Ana's updates: Investigating
//	   +1m, Documenting +30m, Closed +2h; "Resolved at" +30m (MTTA 120s, MTTR 1800s)
//	I2 Payments/checkout, Minor, created now−48h, no "Resolved at" timestamp; E2
//	   (EP1): Ana notified +5s, Ben notified +4m5s, Ben acks +6m; lead Ben; Ben moves
//	   it to Documenting +1h (MTTA 360s, MTTR 3600s from the update)
//	I3 Platform/infra, Major, created now−30h; E3 (EP2): Cai notified +5s, expired
//	   unacknowledged; closed by a workflow +20m: nobody engaged (MTTR 1200s)
//	I4 Payments, declined in triage: not counted
//	I5 Payments/checkout, Major, created now−2h, live; E5 (EP1, alert "latency"): Ben
//	   notified +10s and +40s, acks +90s; lead Ben (MTTA 90s)
//	I6 Platform/infra, Minor, created now−10h; E6 (EP2): Cai notified +1m, acks +5m;
//	   lead Cai, custom role Comms Dee; Ana posts an update +9m; Cai closes +45m
//	   (MTTA 300s, MTTR 2700s)
//	I7 a test incident: not counted
func Scenario(f *Server, now time.Time) {
	at := func(d time.Duration) time.Time { return now.Add(d) }
	f.AddUser("U1", "Ana Lima", "ana@example.com")
	f.AddUser("U2", "Ben Okafor", "ben@example.com")
	f.AddUser("U3", "Cai Wu", "cai@example.com")
	f.AddUser("U4", "Dee Park", "dee@example.com")
	f.AddSchedule("SCH1", "Payments primary", "Europe/Berlin")
	f.AddSchedule("SCH2", "Payments secondary", "America/New_York")
	f.AddSchedule("SCH3", "Platform", "Europe/Dublin")
	f.AddEntry("SCH1", "U1", at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddEntry("SCH2", "U2", at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddEntry("SCH3", "U3", at(-14*24*time.Hour), at(-7*24*time.Hour))
	f.AddPath("EP1", "Payments", "SCH1", "SCH2")
	f.AddPath("EP2", "Platform", "SCH3")

	c1 := at(-72 * time.Hour)
	f.AddIncident(Incident{ID: "I1", Name: "DB down", Severity: "Critical", Category: "live", Team: "Payments", Service: "checkout",
		Lead: "U1", Created: c1, Resolved: c1.Add(30 * time.Minute)})
	f.AddEscalation("E1", "I1", "EP1", "db-down", c1,
		Event{"E1n", "notified_users", c1.Add(10 * time.Second), []string{"U1", "U2"}},
		Event{"E1a", "acked", c1.Add(2 * time.Minute), []string{"U1"}})
	f.AddUpdate("I1", "UP1a", "live", "U1", c1.Add(time.Minute))
	f.AddUpdate("I1", "UP1b", "learning", "U1", c1.Add(30*time.Minute))
	f.AddUpdate("I1", "UP1c", "closed", "U1", c1.Add(2*time.Hour))

	c2 := at(-48 * time.Hour)
	f.AddIncident(Incident{ID: "I2", Name: "Queue lag 4711s", Severity: "Minor", Category: "live", Team: "Payments", Service: "checkout",
		Lead: "U2", Created: c2})
	f.AddEscalation("E2", "I2", "EP1", "", c2,
		Event{"E2n1", "notified_users", c2.Add(5 * time.Second), []string{"U1"}},
		Event{"E2n2", "notified_users", c2.Add(4*time.Minute + 5*time.Second), []string{"U2"}},
		Event{"E2a", "acked", c2.Add(6 * time.Minute), []string{"U2"}})
	f.AddUpdate("I2", "UP2", "learning", "U2", c2.Add(time.Hour))

	c3 := at(-30 * time.Hour)
	f.AddIncident(Incident{ID: "I3", Name: "Disk 91% on db-7", Severity: "Major", Category: "live", Team: "Platform", Service: "infra",
		Created: c3, Resolved: c3.Add(20 * time.Minute)})
	f.AddEscalation("E3", "I3", "EP2", "", c3,
		Event{"E3n", "notified_users", c3.Add(5 * time.Second), []string{"U3"}},
		Event{"E3x", "expired", c3.Add(15 * time.Minute), nil})
	f.AddUpdate("I3", "UP3", "closed", "", c3.Add(20*time.Minute))

	f.AddIncident(Incident{ID: "I4", Name: "Not an incident", Category: "declined", Team: "Payments", Created: at(-20 * time.Hour)})

	c5 := at(-2 * time.Hour)
	f.AddIncident(Incident{ID: "I5", Name: "Latency high", Severity: "Major", Category: "live", Team: "Payments", Service: "checkout",
		Lead: "U2", Created: c5})
	f.AddEscalation("E5", "I5", "EP1", "latency", c5,
		Event{"E5n1", "notified_users", c5.Add(10 * time.Second), []string{"U2"}},
		Event{"E5n2", "notified_users", c5.Add(40 * time.Second), []string{"U2"}},
		Event{"E5a", "acked", c5.Add(90 * time.Second), []string{"U2"}})

	c6 := at(-10 * time.Hour)
	f.AddIncident(Incident{ID: "I6", Name: "Payment provider errors", Severity: "Minor", Category: "live", Team: "Platform",
		Service: "infra", Lead: "U3", Created: c6, Resolved: c6.Add(45 * time.Minute)})
	f.AddRole("I6", "01ROLECOMMS", "Comms", "U4")
	f.AddEscalation("E6", "I6", "EP2", "", c6,
		Event{"E6n", "notified_users", c6.Add(time.Minute), []string{"U3"}},
		Event{"E6a", "acked", c6.Add(5 * time.Minute), []string{"U3"}})
	f.AddUpdate("I6", "UP6a", "live", "U1", c6.Add(9*time.Minute))
	f.AddUpdate("I6", "UP6b", "closed", "U3", c6.Add(45*time.Minute))

	f.AddIncident(Incident{ID: "I7", Name: "Test paging", Category: "live", Mode: "test", Team: "Payments", Created: at(-time.Hour)})
}

// Bulk fills f with n incidents spread evenly over [now−span, now), each with one
// escalation (Ana notified, Ana acks) and one update (Ana closes it), a "Resolved at"
// timestamp, on one team. For request-count tests.
func Bulk(f *Server, now time.Time, n int, span time.Duration) {
	f.AddUser("U1", "Ana Lima", "ana@example.com")
	f.AddUser("U2", "Ben Okafor", "ben@example.com")
	f.AddSchedule("SCH1", "Payments primary", "Europe/Berlin")
	f.AddEntry("SCH1", "U1", now.Add(-100*24*time.Hour), now.Add(7*24*time.Hour))
	f.AddPath("EP1", "Payments", "SCH1")
	step := span / time.Duration(n)
	for i := range n {
		c := now.Add(-span + time.Duration(i)*step)
		id := fmt.Sprintf("IX%05d", i)
		f.AddIncident(Incident{ID: id, Name: "Incident " + id, Severity: "Minor", Category: "live", Team: "Payments",
			Service: "checkout", Lead: "U1", Created: c, Resolved: c.Add(step / 2)})
		f.AddEscalation("E"+id, id, "EP1", "", c,
			Event{"N" + id, "notified_users", c.Add(time.Second), []string{"U1"}},
			Event{"A" + id, "acked", c.Add(step / 4), []string{"U1"}})
		f.AddUpdate(id, "UP"+id, "closed", "U1", c.Add(step/2))
	}
}
