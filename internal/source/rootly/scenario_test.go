package rootly

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// TestScenarioFigures runs the source against the fake's scenario (rootlyfake.Scenario),
// stores it, and checks the analytics' figures, each computed by hand below. now is
// Friday 2026-11-20 12:00 UTC; Berlin is UTC+1, New York UTC−5, London (Cai's default
// zone) UTC+0 in November. Bands: business 08–18 Mon–Fri, sleep 22–08.
func TestScenarioFigures(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	snap := incident.Compute(h.Sink.History("rt", h.Src.Capabilities()), incident.DefaultSettings(), base)

	rows := sourcetest.Responders(snap, "7d")
	near := sourcetest.Near
	const bus, off, sleep = incident.PeriodBusiness, incident.PeriodOffHours, incident.PeriodSleep

	// Payments: Ana engaged I1 (ack, resolve, role), I2 (escalated by hand), I4 (role):
	// 3; Ben engaged I2 (ack, resolve) and I4 (ack): 2. Shares 3/5 and 2/5.
	ana, ben, cai := rows["Payments/Ana Alves"], rows["Payments/Ben Brown"], rows["Platform/Cai Chen"]
	if ana.Incidents != 3 || !near(ana.LoadRatio, 0.6) || ben.Incidents != 2 || !near(ben.LoadRatio, 0.4) {
		t.Errorf("Payments load: ana %d %.3f, ben %d %.3f", ana.Incidents, ana.LoadRatio, ben.Incidents, ben.LoadRatio)
	}
	if cai.Incidents != 1 || !near(cai.LoadRatio, 1) {
		t.Errorf("Platform load: cai %d %.3f", cai.Incidents, cai.LoadRatio)
	}
	// Interruptions (push, phone, sms; email never; the same person within 60 s once):
	//   Ana: I1 push Tue 12:00:05 UTC = 13:00 Berlin → business; I2 sms Wed 20:00:05 UTC
	//        = 21:00 Berlin → off_hours.
	//   Ben: I2 phone Wed 20:04 UTC = 15:04 New York → business; I4 push Fri 10:00:10
	//        UTC = 05:00 New York → sleep; the sms 30 s later is the same interruption.
	//   Cai: I3 phone Thu 06:00:10 London → sleep; push 30 s later deduplicated; email
	//        not counted.
	for name, tc := range map[string]struct {
		r    incident.ResponderWindow
		want [incident.NumPeriods]int
	}{
		"ana": {ana, [3]int{bus: 1, off: 1}}, "ben": {ben, [3]int{bus: 1, sleep: 1}}, "cai": {cai, [3]int{sleep: 1}},
	} {
		if !tc.r.HasPages || tc.r.Interruptions != tc.want {
			t.Errorf("%s interruptions %v (has %v), want %v", name, tc.r.Interruptions, tc.r.HasPages, tc.want)
		}
	}
	// Engaged seconds, from the first acknowledge (else first engagement) to resolve or now:
	//   Ana I1 12:02→12:30 UTC Tue (13:02–13:30 Berlin) 1680 s business; I2 first act
	//   20:03→20:40 UTC Wed (21:03–21:40 Berlin) 2220 s off_hours; I4 role 10:02→12:00
	//   UTC Fri (11:02–13:00 Berlin) 7080 s business.
	//   Ben I2 ack 20:06→20:40 UTC (15:06–15:40 NY) 2040 s business; I4 ack 10:01:30→12:00
	//   UTC (05:01:30–07:00 NY) 7110 s sleep.
	//   Cai I3 ack 06:05→06:25 London 1200 s sleep.
	for name, tc := range map[string]struct {
		r    incident.ResponderWindow
		want [incident.NumPeriods]float64
	}{
		"ana": {ana, [3]float64{bus: 1680 + 7080, off: 2220}}, "ben": {ben, [3]float64{bus: 2040, sleep: 7110}},
		"cai": {cai, [3]float64{sleep: 1200}},
	} {
		if tc.r.EngagedSeconds != tc.want {
			t.Errorf("%s engaged seconds %v, want %v", name, tc.r.EngagedSeconds, tc.want)
		}
	}
	// Off-rotation: Ana is on call for ep-pay throughout; Ben's ep-pay shift ended at
	// −24h, so his first act on I4 (−2h+90s) is off rotation; Cai is on call for ep-plat.
	if !ana.HasOnCall || ana.OffRotation != 0 || ben.OffRotation != 1 || cai.OffRotation != 0 {
		t.Errorf("off-rotation ana %d ben %d cai %d", ana.OffRotation, ben.OffRotation, cai.OffRotation)
	}

	teams := sourcetest.Teams(snap, "7d")
	// Payments MTTA: I1 120 s, I2 360 s, I4 90 s (from its acknowledged event) → 190 s.
	// MTTR: I1 1800 s, I2 2400 s (I4 is open) → 2100 s. Solo long: I1 (30 min, Ana
	// alone). Largest share 0.6; bus factor 1.
	pay := teams["Payments"]
	if !pay.HasMTTA || !near(pay.MTTA, 190) || !pay.HasMTTR || !near(pay.MTTR, 2100) || pay.SoloLong != 1 ||
		!near(pay.TopRatio, 0.6) || pay.BusFactor != 1 || pay.Responders != 2 {
		t.Errorf("Payments %+v", pay)
	}
	// Platform: I3 acknowledged after 300 s, resolved after 1500 s, by Cai alone.
	plat := teams["Platform"]
	if !near(plat.MTTA, 300) || !near(plat.MTTR, 1500) || plat.SoloLong != 1 {
		t.Errorf("Platform %+v", plat)
	}
	// I4 recurs I1 (same alert deduplication key, 70 h apart).
	rec := 0
	for _, r := range snap.Recurrences {
		if r.Window == "7d" && r.Team == "Payments" && r.Service == "checkout" {
			rec = r.Count
		}
	}
	if rec != 1 {
		t.Errorf("recurrences %+v", snap.Recurrences)
	}
	open := 0
	for _, o := range snap.Open {
		open += o.Count
	}
	if open != 1 {
		t.Errorf("open %+v", snap.Open)
	}
}
