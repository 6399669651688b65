package pagerduty

import (
	"time"
)

// at is a time relative to the scenario's "now".
func at(d time.Duration) time.Time { return base.Add(d) }

// scenario fills the fake with a small account that exercises every mapping rule:
//
//	I1 critical (P1), acknowledged by two people (ana, ben), resolved by ana
//	I2 low urgency, reassigned by ana to ben, who acknowledges and resolves
//	I3 on a service without teams (team via its escalation policy), resolved by an
//	   integration: no person engaged
//	I4 a notification by email only, resolved by an integration
//	I5 notifications 30 s apart (push, then sms) to ben; acknowledged, still open
//	I6 a responder request accepted by cai (null time zone), who writes a note
func scenario(f *fakePD) {
	f.addUser("PANA", "Ana Lima", "ana@example.com", "Europe/Berlin")
	f.addUser("PBEN", "Ben Okafor", "ben@example.com", "America/New_York")
	f.addUser("PCAI", "Cai Wu", "cai@example.com", nil)
	f.addTeam("PT1", "Payments", "PANA", "PBEN")
	f.addTeam("PT2", "Platform", "PCAI")
	pay := teamRef("PT1", "Payments")
	f.addPolicy("PEP1", "Payments EP", pay)
	f.addPolicy("PEP2", "Platform EP", teamRef("PT2", "Platform"))
	f.addService("PS1", "checkout", "PEP1", pay)
	f.addService("PS2", "infra", "PEP2")

	c1 := at(-72 * time.Hour)
	f.addIncident(incSpec{id: "PI1", title: "DB down", service: "PS1", serviceName: "checkout", policy: "PEP1",
		status: "resolved", urgency: "high", priority: "P1", key: "db-down", teams: []obj{pay},
		created: c1, resolved: c1.Add(30 * time.Minute)})
	f.addLog("L1t", "trigger_log_entry", "PI1", c1, "svc:PS1", nil)
	f.notify("L1n1", "PI1", "PANA", "push", c1.Add(10*time.Second))
	f.notify("L1n2", "PI1", "PBEN", "phone", c1.Add(10*time.Second))
	f.addLog("L1a1", "acknowledge_log_entry", "PI1", c1.Add(2*time.Minute), "PANA", nil)
	f.addLog("L1a2", "acknowledge_log_entry", "PI1", c1.Add(3*time.Minute), "PBEN", nil)
	f.addLog("L1r", "resolve_log_entry", "PI1", c1.Add(30*time.Minute), "PANA", nil)

	c2 := at(-48 * time.Hour)
	f.addIncident(incSpec{id: "PI2", title: "Queue lag 4711s", service: "PS1", serviceName: "checkout", policy: "PEP1",
		status: "resolved", urgency: "low", teams: []obj{pay}, created: c2, resolved: c2.Add(time.Hour)})
	f.addLog("L2t", "trigger_log_entry", "PI2", c2, "svc:PS1", nil)
	f.notify("L2n1", "PI2", "PANA", "push", c2.Add(5*time.Second))
	f.addLog("L2as", "assign_log_entry", "PI2", c2.Add(4*time.Minute), "PANA",
		obj{"assignees": []obj{f.userRef("PBEN")}})
	f.notify("L2n2", "PI2", "PBEN", "sms", c2.Add(4*time.Minute+5*time.Second))
	f.addLog("L2a", "acknowledge_log_entry", "PI2", c2.Add(6*time.Minute), "PBEN", nil)
	f.addLog("L2r", "resolve_log_entry", "PI2", c2.Add(time.Hour), "PBEN", nil)

	c3 := at(-30 * time.Hour)
	f.addIncident(incSpec{id: "PI3", title: "Disk 91% on db-7", service: "PS2", serviceName: "infra", policy: "PEP2",
		status: "resolved", urgency: "high", priority: "SEV3", created: c3, resolved: c3.Add(20 * time.Minute)})
	f.addLog("L3t", "trigger_log_entry", "PI3", c3, "svc:PS2", nil)
	f.notify("L3n", "PI3", "PCAI", "phone", c3.Add(5*time.Second))
	f.addLog("L3r", "resolve_log_entry", "PI3", c3.Add(20*time.Minute), "svc:PS2", nil)

	c4 := at(-20 * time.Hour)
	f.addIncident(incSpec{id: "PI4", title: "Cert expires soon", service: "PS1", serviceName: "checkout", policy: "PEP1",
		status: "resolved", urgency: "low", teams: []obj{pay}, created: c4, resolved: c4.Add(2 * time.Hour)})
	f.addLog("L4t", "trigger_log_entry", "PI4", c4, "svc:PS1", nil)
	f.notify("L4n", "PI4", "PANA", "email", c4.Add(5*time.Second))
	f.addLog("L4r", "resolve_log_entry", "PI4", c4.Add(2*time.Hour), "svc:PS1", nil)

	c5 := at(-2 * time.Hour)
	in5 := f.addIncident(incSpec{id: "PI5", title: "Latency high", service: "PS1", serviceName: "checkout", policy: "PEP1",
		status: "acknowledged", urgency: "high", priority: "P2", teams: []obj{pay}, created: c5})
	in5["acknowledgements"] = []obj{{"at": ts(c5.Add(90 * time.Second)), "acknowledger": f.userRef("PBEN")}}
	f.addLog("L5t", "trigger_log_entry", "PI5", c5, "svc:PS1", nil)
	f.notify("L5n1", "PI5", "PBEN", "push", c5.Add(10*time.Second))
	f.notify("L5n2", "PI5", "PBEN", "sms", c5.Add(40*time.Second))
	f.addLog("L5a", "acknowledge_log_entry", "PI5", c5.Add(90*time.Second), "PBEN", nil)

	c6 := at(-10 * time.Hour)
	in6 := f.addIncident(incSpec{id: "PI6", title: "Payment provider errors", service: "PS2", serviceName: "infra",
		policy: "PEP2", status: "resolved", urgency: "high", teams: []obj{teamRef("PT2", "Platform")},
		created: c6, resolved: c6.Add(45 * time.Minute)})
	in6["incidents_responders"] = []obj{{"state": "joined", "user": f.userRef("PCAI"),
		"incident": obj{"id": "PI6", "type": "incident_reference"}, "updated_at": ts(c6.Add(7 * time.Minute)),
		"requested_at": ts(c6.Add(5 * time.Minute)), "requester": f.userRef("PANA"), "message": "please help"}}
	f.addLog("L6t", "trigger_log_entry", "PI6", c6, "svc:PS2", nil)
	f.addLog("L6e", "escalate_log_entry", "PI6", c6.Add(4*time.Minute), "PANA", nil)
	f.addLog("L6n", "annotate_log_entry", "PI6", c6.Add(9*time.Minute), "PCAI", obj{"channel": obj{"type": "note"}})
	f.addLog("L6r", "resolve_log_entry", "PI6", c6.Add(45*time.Minute), "PANA", nil)

	f.addOncall("PANA", "PEP1", 1, at(-100*24*time.Hour), at(7*24*time.Hour))
	f.addOncall("PBEN", "PEP1", 2, at(-100*24*time.Hour), at(7*24*time.Hour))
	f.addOncall("PCAI", "PEP2", 1, at(-14*24*time.Hour), at(-7*24*time.Hour))
}
