package firehydrant

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// TestScenarioFigures runs the source against the fake's scenario (fhfake.Scenario) and
// checks the analytics' figures, each computed by hand below. now is Friday 2026-11-20
// 12:00 UTC; everybody is in the configured default zone, Europe/London (UTC+0 in
// November). Bands: business 08–18 Mon–Fri, sleep 22–08.
func TestScenarioFigures(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	snap := incident.Compute(h.Sink.History("fh", h.Src.Capabilities()), incident.DefaultSettings(), base)

	rows := sourcetest.Responders(snap, "7d")
	near := sourcetest.Near
	const bus, off, sleep = incident.PeriodBusiness, incident.PeriodOffHours, incident.PeriodSleep

	// Payments: Ana engaged F1 (started, commander, acknowledged) and F2 (changed roles):
	// 2; Ben engaged F1 (note, resolved), F2 (role) and F4 (acknowledged): 3. Shares 2/5
	// and 3/5.
	ana, ben, cai := rows["Payments/Ana Alves"], rows["Payments/Ben Brown"], rows["Platform/Cai Chen"]
	if ana.Incidents != 2 || !near(ana.LoadRatio, 0.4) || ben.Incidents != 3 || !near(ben.LoadRatio, 0.6) {
		t.Errorf("Payments load: ana %d %.3f, ben %d %.3f", ana.Incidents, ana.LoadRatio, ben.Incidents, ben.LoadRatio)
	}
	if cai.Incidents != 1 || !near(cai.LoadRatio, 1) {
		t.Errorf("Platform load: cai %d %.3f", cai.Incidents, cai.LoadRatio)
	}
	// No notification data: interruptions are absent (HasPages false), not zero; no
	// on-call data: off-rotation absent.
	for name, r := range map[string]incident.ResponderWindow{"ana": ana, "ben": ben, "cai": cai} {
		if r.HasPages || r.HasOnCall {
			t.Errorf("%s: HasPages %v HasOnCall %v", name, r.HasPages, r.HasOnCall)
		}
	}
	// Engaged seconds, from the first acknowledge (else first engagement) to resolve or now:
	//   Ana F1 ack Tue 12:03 → resolved 12:33: 1800 s business; F2 role change Wed 20:02 →
	//   resolved 20:45: 2580 s off_hours.
	//   Ben F1 note 12:10 → 12:33: 1380 s business; F2 role 20:04 → 20:45: 2460 s
	//   off_hours; F4 ack Fri 10:04 → now 12:00: 6960 s business.
	//   Cai F3 ack Thu 06:10 → 06:30: 1200 s sleep.
	for name, tc := range map[string]struct {
		r    incident.ResponderWindow
		want [incident.NumPeriods]float64
	}{
		"ana": {ana, [3]float64{bus: 1800, off: 2580}}, "ben": {ben, [3]float64{bus: 1380 + 6960, off: 2460}},
		"cai": {cai, [3]float64{sleep: 1200}},
	} {
		if tc.r.EngagedSeconds != tc.want {
			t.Errorf("%s engaged seconds %v, want %v", name, tc.r.EngagedSeconds, tc.want)
		}
	}
	teams := sourcetest.Teams(snap, "7d")
	// Payments MTTA: F1 180 s, F2 300 s, F4 240 s → 240 s. MTTR: F1 1980 s, F2 2700 s
	// (F4 open) → 2340 s. No solo long incident (F1 and F2 had two people). Largest
	// share 0.6, bus factor 1.
	pay := teams["Payments"]
	if !pay.HasMTTA || !near(pay.MTTA, 240) || !pay.HasMTTR || !near(pay.MTTR, 2340) || pay.SoloLong != 0 ||
		!near(pay.TopRatio, 0.6) || pay.BusFactor != 1 || pay.Responders != 2 {
		t.Errorf("Payments %+v", pay)
	}
	// Platform: F3 acknowledged after 600 s, resolved after 1800 s by Cai alone.
	plat := teams["Platform"]
	if !near(plat.MTTA, 600) || !near(plat.MTTR, 1800) || plat.SoloLong != 1 {
		t.Errorf("Platform %+v", plat)
	}
	// F4 recurs F1: no dedup key in FireHydrant, so service plus masked title (both
	// "DB down" on checkout, 70 h apart).
	rec := 0
	for _, r := range snap.Recurrences {
		if r.Window == "7d" && r.Team == "Payments" && r.Service == "checkout" {
			rec = r.Count
		}
	}
	if rec != 1 {
		t.Errorf("recurrences %+v", snap.Recurrences)
	}
}
