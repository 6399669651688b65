package ocfake

import (
	"fmt"
	"time"
)

// Scenario fills f with a small known organisation; base is "now" of the tests.
//
// Teams: TPAY "Payments" (ana, ben), TPLT "Platform" (cai). ana is in Europe/Berlin,
// ben in America/New_York, cai has no time zone.
//
// Integrations: IPAY "checkout-alerts" (Payments, default route RPAY → chain CPAY,
// plus route RCERT → chain CCERT) and IPLT "infra-alerts" (Platform, default route
// RPLT → chain CPLT). Chain CPAY waits, then notifies the on-call of schedule SPAY;
// CPLT notifies SPLT; CCERT notifies no schedule. Schedule SIDLE is used by no chain.
// ana is on call in SPAY and cai in SPLT, both from base−100d to base+10d.
//
// Alert groups (times relative to base):
//
//	G1 IPAY/RPAY "DB down"        −72h, ack +2m ana, resolved +30m ana; note by ben at +25m
//	G2 IPAY/RPAY "Latency"        −48h, ack +6m ben, resolved +20m ben
//	G3 IPLT/RPLT "Disk full"      −30h, resolved +20m by no one (the alert resolved itself)
//	G4 IPAY/RCERT "Cert expiry"   −24h, ack +5m ana, resolved +65m ana
//	G5 IPAY/RPAY "Queue backlog"   −2h, ack +90s ben, open (acknowledged)
//	G6 IPLT/RPLT "Noisy"           −5h, silenced (open)
//	G0 IPAY/RPAY "Ancient"       −200d, resolved +10m: older than 90 days of history
func Scenario(f *Server, base time.Time) {
	at := func(d time.Duration) time.Time { return base.Add(d) }
	f.AddTeam("TPAY", "Payments")
	f.AddTeam("TPLT", "Platform")
	f.AddUser("UANA", "ana", "ana@example.com", "Europe/Berlin", "TPAY")
	f.AddUser("UBEN", "ben", "ben@example.com", "America/New_York", "TPAY")
	f.AddUser("UCAI", "cai", "cai@example.com", "", "TPLT")
	f.AddIntegration("IPAY", "checkout-alerts", "TPAY", "RPAY", "CPAY")
	f.AddRoute("RCERT", "IPAY", "CCERT", "cert")
	f.AddIntegration("IPLT", "infra-alerts", "TPLT", "RPLT", "CPLT")
	f.AddWaitStep("EWAIT", "CPAY", 0, 60)
	f.AddScheduleStep("EPAY", "CPAY", "SPAY", 1)
	f.AddScheduleStep("EPLT", "CPLT", "SPLT", 0)
	f.AddWaitStep("ECERT", "CCERT", 0, 300)
	f.AddSchedule("SPAY", "Payments primary", "TPAY", "Europe/Berlin")
	f.AddSchedule("SPLT", "Platform primary", "TPLT", "Europe/London")
	f.AddSchedule("SIDLE", "Unused", "", "UTC")
	f.AddShift("SPAY", "UANA", "ana@example.com", "ana", at(-100*24*time.Hour), at(10*24*time.Hour))
	f.AddShift("SPLT", "UCAI", "cai@example.com", "cai", at(-100*24*time.Hour), at(10*24*time.Hour))

	h := time.Hour
	m := time.Minute
	f.PutGroup(Group{ID: "G0", Integration: "IPAY", Route: "RPAY", Title: "Ancient",
		Created: at(-200 * 24 * h), Resolved: at(-200*24*h + 10*m)})
	f.PutGroup(Group{ID: "G1", Integration: "IPAY", Route: "RPAY", Title: "DB down",
		Created: at(-72 * h), Acked: at(-72*h + 2*m), AckedBy: "UANA", Resolved: at(-72*h + 30*m), ResolvedBy: "UANA"})
	f.AddNote("N1", "G1", "UBEN", at(-72*h+25*m))
	f.PutGroup(Group{ID: "G2", Integration: "IPAY", Route: "RPAY", Title: "Latency",
		Created: at(-48 * h), Acked: at(-48*h + 6*m), AckedBy: "UBEN", Resolved: at(-48*h + 20*m), ResolvedBy: "UBEN"})
	f.PutGroup(Group{ID: "G3", Integration: "IPLT", Route: "RPLT", Title: "Disk full",
		Created: at(-30 * h), Resolved: at(-30*h + 20*m)})
	f.PutGroup(Group{ID: "G4", Integration: "IPAY", Route: "RCERT", Title: "Cert expiry",
		Created: at(-24 * h), Acked: at(-24*h + 5*m), AckedBy: "UANA", Resolved: at(-24*h + 65*m), ResolvedBy: "UANA"})
	f.PutGroup(Group{ID: "G5", Integration: "IPAY", Route: "RPAY", Title: "Queue backlog",
		Created: at(-2 * h), Acked: at(-2*h + 90*time.Second), AckedBy: "UBEN"})
	f.PutGroup(Group{ID: "G6", Integration: "IPLT", Route: "RPLT", Title: "Noisy",
		Created: at(-5 * h), Silenced: true})
}

// Bulk fills f with n resolved alert groups spread evenly over span before base, each
// acknowledged and resolved by one of two users, with one resolution note every
// notesEvery groups (0: none), plus the scenario's reference data.
func Bulk(f *Server, base time.Time, n, notesEvery int, span time.Duration) {
	f.AddTeam("TPAY", "Payments")
	f.AddUser("UANA", "ana", "ana@example.com", "Europe/Berlin", "TPAY")
	f.AddUser("UBEN", "ben", "ben@example.com", "America/New_York", "TPAY")
	f.AddIntegration("IPAY", "checkout-alerts", "TPAY", "RPAY", "CPAY")
	f.AddScheduleStep("EPAY", "CPAY", "SPAY", 0)
	f.AddSchedule("SPAY", "Payments primary", "TPAY", "Europe/Berlin")
	f.AddShift("SPAY", "UANA", "ana@example.com", "ana", base.Add(-span-time.Hour), base.Add(24*time.Hour))
	step := span / time.Duration(n)
	for i := range n {
		c := base.Add(-span + time.Duration(i)*step)
		who := "UANA"
		if i%2 == 1 {
			who = "UBEN"
		}
		id := fmt.Sprintf("B%05d", i)
		f.PutGroup(Group{ID: id, Integration: "IPAY", Route: "RPAY", Title: fmt.Sprintf("Bulk %d", i),
			Created: c, Acked: c.Add(time.Minute), AckedBy: who, Resolved: c.Add(10 * time.Minute), ResolvedBy: who})
		if notesEvery > 0 && i%notesEvery == 0 {
			f.AddNote("N"+id, id, who, c.Add(9*time.Minute))
		}
	}
}
