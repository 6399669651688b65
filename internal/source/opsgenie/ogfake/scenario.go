package ogfake

import (
	"fmt"
	"time"
)

// Scenario fills f with a small account that exercises every mapping rule of the
// Opsgenie source, relative to now (use a fixed time; the tests use Friday
// 2026-11-20 12:00 UTC):
//
//	people    UANA ana@example.com Ana Lima (Europe/Berlin), UBEN ben@example.com Ben
//	          Okafor (America/New_York), UCAI cai@example.com Cai Wu (timeZone unset →
//	          hours.default_timezone)
//	teams     T1 Payments {UANA, UBEN}, T2 Platform {UCAI}
//	schedules S1 owned by Payments: UANA (rotation R1) and UBEN (R2) from now−100d to
//	          now+7d; S2 owned by Platform: UCAI (R3) from now−14d to now−7d only (so
//	          every engagement on a Platform alert below is off-rotation)
//	escalations ESC1 (no owner team) notifies S1
//
//	A1 Payments, P1 → critical, alias "db-down", created now−72h; [Mobile] to ana and
//	   [Voice] to ben at +10s; acknowledged by ana +2m and ben +3m; closed by ana +30m
//	   (MTTA 120s, MTTR 1800s)
//	A2 Payments, P3 → low, created now−48h; [SMS] to ana +5s; ana assigns it to ben
//	   +4m; [SMS] to ben +4m5s; ben acknowledges +6m, adds a note +10m, closes +1h
//	   (MTTA 360s, MTTR 3600s)
//	A3 Platform, P2 → high, created now−30h; [Voice] to cai +5s; closed by the
//	   Prometheus integration +20m: no engagement, no acknowledgement (MTTR 1200s)
//	A4 Payments, P4 → low, created now−20h; [Email] to ana only (no interruption);
//	   closed by System +2h (MTTR 7200s)
//	A5 Payments, P2 → high, alias "latency", created now−2h; [Mobile] +10s and [SMS]
//	   +40s to ben (30 s apart: one interruption); acknowledged by ben +90s; open
//	A6 Platform, P5 → low, created now−10h; cai is a recipient (state notified, method
//	   Voice, +1m) with no notification log line (a page from the recipient);
//	   acknowledged by cai +5m, a note by ana +9m, closed by cai +45m (MTTA 300s, MTTR
//	   2700s)
func Scenario(f *Server, now time.Time) {
	at := func(d time.Duration) time.Time { return now.Add(d) }
	f.AddUser("UANA", "ana@example.com", "Ana Lima", "Europe/Berlin")
	f.AddUser("UBEN", "ben@example.com", "Ben Okafor", "America/New_York")
	f.AddUser("UCAI", "cai@example.com", "Cai Wu", "")
	f.AddTeam("T1", "Payments", "UANA", "UBEN")
	f.AddTeam("T2", "Platform", "UCAI")
	f.AddSchedule("S1", "Payments primary", "Europe/Berlin", "T1")
	f.AddSchedule("S2", "Platform on-call", "Europe/London", "T2")
	f.AddShift("S1", "R1", "UANA", at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddShift("S1", "R2", "UBEN", at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddShift("S2", "R3", "UCAI", at(-14*24*time.Hour), at(-7*24*time.Hour))
	f.AddEscalation("ESC1", "Payments escalation", "S1", "")

	c1 := at(-72 * time.Hour)
	f.AddAlert(Alert{ID: "A1", Message: "DB down", Alias: "db-down", Priority: "P1", Team: "T1", Integration: "Datadog", Created: c1})
	f.Notify("A1", "UANA", "Mobile", c1.Add(10*time.Second))
	f.Notify("A1", "UBEN", "Voice", c1.Add(10*time.Second))
	f.Ack("A1", 2*time.Minute, "ana@example.com")
	f.AddLog("A1", "Alert acknowledged via mobile", "ben@example.com", c1.Add(3*time.Minute), "system")
	f.Close("A1", 30*time.Minute, "ana@example.com")

	c2 := at(-48 * time.Hour)
	f.AddAlert(Alert{ID: "A2", Message: "Queue lag 4711s", Priority: "P3", Team: "T1", Integration: "Prometheus", Created: c2})
	f.Notify("A2", "UANA", "SMS", c2.Add(5*time.Second))
	f.AddLog("A2", "Assigned ownership of the alert to ben@example.com", "ana@example.com", c2.Add(4*time.Minute), "system")
	f.Notify("A2", "UBEN", "SMS", c2.Add(4*time.Minute+5*time.Second))
	f.Ack("A2", 6*time.Minute, "ben@example.com")
	f.AddNote("A2", "consumer restarted", "ben@example.com", c2.Add(10*time.Minute))
	f.Close("A2", time.Hour, "ben@example.com")

	c3 := at(-30 * time.Hour)
	f.AddAlert(Alert{ID: "A3", Message: "Disk 91% on db-7", Priority: "P2", Team: "T2", Integration: "Prometheus", Created: c3})
	f.Notify("A3", "UCAI", "Voice", c3.Add(5*time.Second))
	f.Close("A3", 20*time.Minute, "Prometheus")

	c4 := at(-20 * time.Hour)
	f.AddAlert(Alert{ID: "A4", Message: "Cert expires soon", Priority: "P4", Team: "T1", Integration: "Datadog", Created: c4})
	f.Notify("A4", "UANA", "Email", c4.Add(5*time.Second))
	f.Close("A4", 2*time.Hour, "System")

	c5 := at(-2 * time.Hour)
	f.AddAlert(Alert{ID: "A5", Message: "Latency high", Alias: "latency", Priority: "P2", Team: "T1", Integration: "Datadog", Created: c5})
	f.Notify("A5", "UBEN", "Mobile", c5.Add(10*time.Second))
	f.Notify("A5", "UBEN", "SMS", c5.Add(40*time.Second))
	f.Ack("A5", 90*time.Second, "ben@example.com")
	f.AddRecipient("A5", "UBEN", "action", "Acknowledge", c5)

	c6 := at(-10 * time.Hour)
	f.AddAlert(Alert{ID: "A6", Message: "Payment provider errors", Priority: "P5", Team: "T2", Integration: "Datadog", Created: c6})
	f.AddRecipient("A6", "UCAI", "notified", "Voice", c6.Add(time.Minute))
	f.Ack("A6", 5*time.Minute, "cai@example.com")
	f.AddNote("A6", "provider status page says degraded", "ana@example.com", c6.Add(9*time.Minute))
	f.Close("A6", 45*time.Minute, "cai@example.com")
}

// Bulk fills f with n closed alerts spread evenly over [now−span, now), each with one
// [Mobile] notification to ana, an acknowledgement and a close by ana (three log lines)
// and no notes, on one team. For request-count tests.
func Bulk(f *Server, now time.Time, n int, span time.Duration) {
	f.AddUser("UANA", "ana@example.com", "Ana Lima", "Europe/Berlin")
	f.AddUser("UBEN", "ben@example.com", "Ben Okafor", "")
	f.AddTeam("T1", "Payments", "UANA", "UBEN")
	f.AddSchedule("S1", "Payments primary", "Europe/Berlin", "T1")
	f.AddShift("S1", "R1", "UANA", now.Add(-100*24*time.Hour), now.Add(7*24*time.Hour))
	step := span / time.Duration(n)
	for i := range n {
		c := now.Add(-span + time.Duration(i)*step)
		id := fmt.Sprintf("AX%05d", i)
		f.AddAlert(Alert{ID: id, Message: "Alert " + id, Priority: "P3", Team: "T1", Integration: "Datadog", Created: c})
		f.Notify(id, "UANA", "Mobile", c.Add(time.Second))
		f.Ack(id, step/4, "ana@example.com")
		f.Close(id, step/2, "ana@example.com")
	}
}
