package pdfake

import (
	"fmt"
	"time"
)

// Scenario fills f with a small account that exercises every mapping rule of the
// PagerDuty source, relative to now (use a fixed time):
//
//	people   PANA Ana Lima (Europe/Berlin), PBEN Ben Okafor (America/New_York),
//	         PCAI Cai Wu (time_zone null → hours.default_timezone)
//	teams    PT1 Payments {PANA, PBEN}, PT2 Platform {PCAI}
//	services PS1 checkout (team Payments, policy PEP1), PS2 infra (no team; its
//	         policy PEP2 belongs to Platform)
//	on call  PANA PEP1 level 1 and PBEN PEP1 level 2 from now−100d to now+7d;
//	         PCAI PEP2 level 1 from now−14d to now−7d only (so every engagement of
//	         PCAI below is off-rotation)
//
//	PI1 Payments/checkout, P1 → critical, key "db-down", created now−72h, pages PANA
//	    push and PBEN phone at +10s, acknowledged by PANA +2m and PBEN +3m, resolved
//	    by PANA +30m (MTTA 120s, MTTR 1800s)
//	PI2 Payments/checkout, urgency low → low, created now−48h, PANA paged (push +5s),
//	    reassigns to PBEN at +4m, PBEN paged (sms +4m5s), acknowledges +6m and resolves
//	    +1h (MTTA 360s, MTTR 3600s)
//	PI3 Platform/infra (team via PEP2), SEV3 → low, created now−30h, PCAI paged
//	    (phone +5s), resolved by the integration at +20m: no engagement, no ack
//	PI4 Payments/checkout, low, created now−20h, PANA notified by email only (no
//	    interruption), resolved by the integration at +2h
//	PI5 Payments/checkout, P2 → high, created now−2h, PBEN paged push +10s and sms
//	    +40s (30 s apart: one interruption), acknowledged by PBEN +90s, still open
//	PI6 Platform/infra, urgency high → high, created now−10h, escalated by hand by
//	    PANA +4m, responder request accepted by PCAI +7m, note by PCAI +9m, resolved
//	    by PANA +45m (no acknowledgement)
//
//	PC1 change event "Deployed checkout v2.3" on PS1 at PI1−10m (deploy)
//	PC2 on PS1 at PI1+20m, custom_details kind rollback
//	PC3 "Increase pool size" on PS1 and PS2 at PI6−30m (other; one change per service)
//	PC4 "Feature flag new-cart on" on no service at now−1h (config, unknown service)
//	PC5 a deploy on PS1 at now−120d (before a 90-day history: not read)
func Scenario(f *Server, now time.Time) {
	at := func(d time.Duration) time.Time { return now.Add(d) }
	f.AddUser("PANA", "Ana Lima", "ana@example.com", "Europe/Berlin")
	f.AddUser("PBEN", "Ben Okafor", "ben@example.com", "America/New_York")
	f.AddUser("PCAI", "Cai Wu", "cai@example.com", nil)
	f.AddTeam("PT1", "Payments", "PANA", "PBEN")
	f.AddTeam("PT2", "Platform", "PCAI")
	f.AddPolicy("PEP1", "Payments EP", "PT1")
	f.AddPolicy("PEP2", "Platform EP", "PT2")
	f.AddService("PS1", "checkout", "PEP1", "PT1")
	f.AddService("PS2", "infra", "PEP2")

	c1 := at(-72 * time.Hour)
	f.AddIncident(Incident{ID: "PI1", Title: "DB down", Service: "PS1", Policy: "PEP1", Status: "resolved",
		Urgency: "high", Priority: "P1", Key: "db-down", Teams: []string{"PT1"}, Created: c1, Resolved: c1.Add(30 * time.Minute)})
	f.AddLog("L1t", "trigger_log_entry", "PI1", c1, "svc:PS1", nil)
	f.Notify("L1n1", "PI1", "PANA", "push", c1.Add(10*time.Second))
	f.Notify("L1n2", "PI1", "PBEN", "phone", c1.Add(10*time.Second))
	f.AddLog("L1a1", "acknowledge_log_entry", "PI1", c1.Add(2*time.Minute), "PANA", nil)
	f.AddLog("L1a2", "acknowledge_log_entry", "PI1", c1.Add(3*time.Minute), "PBEN", nil)
	f.AddLog("L1r", "resolve_log_entry", "PI1", c1.Add(30*time.Minute), "PANA", nil)

	c2 := at(-48 * time.Hour)
	f.AddIncident(Incident{ID: "PI2", Title: "Queue lag 4711s", Service: "PS1", Policy: "PEP1", Status: "resolved",
		Urgency: "low", Teams: []string{"PT1"}, Created: c2, Resolved: c2.Add(time.Hour)})
	f.AddLog("L2t", "trigger_log_entry", "PI2", c2, "svc:PS1", nil)
	f.Notify("L2n1", "PI2", "PANA", "push", c2.Add(5*time.Second))
	f.AddLog("L2as", "assign_log_entry", "PI2", c2.Add(4*time.Minute), "PANA", Obj{"assignees": []Obj{f.UserRef("PBEN")}})
	f.Notify("L2n2", "PI2", "PBEN", "sms", c2.Add(4*time.Minute+5*time.Second))
	f.AddLog("L2a", "acknowledge_log_entry", "PI2", c2.Add(6*time.Minute), "PBEN", nil)
	f.AddLog("L2r", "resolve_log_entry", "PI2", c2.Add(time.Hour), "PBEN", nil)

	c3 := at(-30 * time.Hour)
	f.AddIncident(Incident{ID: "PI3", Title: "Disk 91% on db-7", Service: "PS2", Policy: "PEP2", Status: "resolved",
		Urgency: "high", Priority: "SEV3", Created: c3, Resolved: c3.Add(20 * time.Minute)})
	f.AddLog("L3t", "trigger_log_entry", "PI3", c3, "svc:PS2", nil)
	f.Notify("L3n", "PI3", "PCAI", "phone", c3.Add(5*time.Second))
	f.AddLog("L3r", "resolve_log_entry", "PI3", c3.Add(20*time.Minute), "svc:PS2", nil)

	c4 := at(-20 * time.Hour)
	f.AddIncident(Incident{ID: "PI4", Title: "Cert expires soon", Service: "PS1", Policy: "PEP1", Status: "resolved",
		Urgency: "low", Teams: []string{"PT1"}, Created: c4, Resolved: c4.Add(2 * time.Hour)})
	f.AddLog("L4t", "trigger_log_entry", "PI4", c4, "svc:PS1", nil)
	f.Notify("L4n", "PI4", "PANA", "email", c4.Add(5*time.Second))
	f.AddLog("L4r", "resolve_log_entry", "PI4", c4.Add(2*time.Hour), "svc:PS1", nil)

	c5 := at(-2 * time.Hour)
	in5 := f.AddIncident(Incident{ID: "PI5", Title: "Latency high", Service: "PS1", Policy: "PEP1", Status: "acknowledged",
		Urgency: "high", Priority: "P2", Teams: []string{"PT1"}, Created: c5})
	in5["acknowledgements"] = []Obj{{"at": TS(c5.Add(90 * time.Second)), "acknowledger": f.UserRef("PBEN")}}
	in5["assignments"] = []Obj{{"at": TS(c5), "assignee": f.UserRef("PBEN")}}
	f.AddLog("L5t", "trigger_log_entry", "PI5", c5, "svc:PS1", nil)
	f.Notify("L5n1", "PI5", "PBEN", "push", c5.Add(10*time.Second))
	f.Notify("L5n2", "PI5", "PBEN", "sms", c5.Add(40*time.Second))
	f.AddLog("L5a", "acknowledge_log_entry", "PI5", c5.Add(90*time.Second), "PBEN", nil)

	c6 := at(-10 * time.Hour)
	in6 := f.AddIncident(Incident{ID: "PI6", Title: "Payment provider errors", Service: "PS2", Policy: "PEP2",
		Status: "resolved", Urgency: "high", Teams: []string{"PT2"}, Created: c6, Resolved: c6.Add(45 * time.Minute)})
	in6["incidents_responders"] = []Obj{{"state": "joined", "user": f.UserRef("PCAI"),
		"incident": Obj{"id": "PI6", "type": "incident_reference"}, "updated_at": TS(c6.Add(7 * time.Minute)),
		"requested_at": TS(c6.Add(5 * time.Minute)), "requester": f.UserRef("PANA"), "message": "please help"}}
	f.AddLog("L6t", "trigger_log_entry", "PI6", c6, "svc:PS2", nil)
	f.AddLog("L6e", "escalate_log_entry", "PI6", c6.Add(4*time.Minute), "PANA", nil)
	f.AddLog("L6n", "annotate_log_entry", "PI6", c6.Add(9*time.Minute), "PCAI", Obj{"channel": Obj{"type": "note"}})
	f.AddLog("L6r", "resolve_log_entry", "PI6", c6.Add(45*time.Minute), "PANA", nil)

	f.AddOncall("PANA", "PEP1", 1, at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddOncall("PBEN", "PEP1", 2, at(-100*24*time.Hour), at(7*24*time.Hour))
	f.AddOncall("PCAI", "PEP2", 1, at(-14*24*time.Hour), at(-7*24*time.Hour))

	// Change events (references without summary, as in PagerDuty's example).
	f.AddChangeEvent("PC1", "Deployed checkout v2.3", c1.Add(-10*time.Minute), Obj{"build_state": "passed"}, "PS1")
	f.AddChangeEvent("PC2", "checkout v2.3 → v2.2", c1.Add(20*time.Minute), Obj{"kind": "rollback"}, "PS1")
	f.AddChangeEvent("PC3", "Increase pool size", c6.Add(-30*time.Minute), nil, "PS1", "PS2")
	f.AddChangeEvent("PC4", "Feature flag new-cart on", at(-time.Hour), nil)
	f.AddChangeEvent("PC5", "Deployed checkout v1.0", at(-120*24*time.Hour), nil, "PS1") // before history
}

// Bulk fills f with n resolved incidents spread evenly over [now−span, now), each with
// perInc log entries (a trigger, perInc−2 push notifications to PANA, a resolve by
// PANA), on one team, service and policy, and a change event (a deploy of checkout) a
// minute before every fourth incident. For request-count and offset-cap tests.
func Bulk(f *Server, now time.Time, n, perInc int, span time.Duration) {
	f.AddUser("PANA", "Ana Lima", "ana@example.com", "Europe/Berlin")
	f.AddUser("PBEN", "Ben Okafor", "ben@example.com", nil)
	f.AddTeam("PT1", "Payments", "PANA", "PBEN")
	f.AddPolicy("PEP1", "Payments EP", "PT1")
	f.AddService("PS1", "checkout", "PEP1", "PT1")
	step := span / time.Duration(n)
	for i := range n {
		c := now.Add(-span + time.Duration(i)*step)
		id := fmt.Sprintf("PX%05d", i)
		f.AddIncident(Incident{ID: id, Title: "Alert " + id, Service: "PS1", Policy: "PEP1", Status: "resolved",
			Urgency: "high", Teams: []string{"PT1"}, Created: c, Resolved: c.Add(step / 2)})
		f.AddLog(id+"t", "trigger_log_entry", id, c, "svc:PS1", nil)
		for j := 1; j < perInc-1; j++ {
			f.Notify(fmt.Sprintf("%sn%d", id, j), id, "PANA", "push", c.Add(time.Duration(j)*time.Second))
		}
		if perInc > 1 {
			f.AddLog(id+"r", "resolve_log_entry", id, c.Add(step/2), "PANA", nil)
		}
		if i%4 == 0 { // a deploy before every fourth incident
			f.AddChangeEvent(fmt.Sprintf("CX%05d", i), "Deployed checkout "+id, c.Add(-time.Minute), nil, "PS1")
		}
	}
	f.AddOncall("PANA", "PEP1", 1, now.Add(-100*24*time.Hour), now.Add(7*24*time.Hour))
}
