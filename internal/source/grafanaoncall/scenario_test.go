package grafanaoncall

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// The known organisation of ocfake.Scenario, synced through the real paths and run
// through the analytics, with every figure computed by hand:
//
// Payments, 7d: alert groups G1 G2 G4 G5 = 4.
//
//	MTTR  = mean(G1 30m, G2 20m, G4 65m) = 115m/3 = 2300 s (G5 is open)
//	MTTA  = mean(G1 2m, G2 6m, G4 5m, G5 90s) = 870 s/4 = 217.5 s
//	engaged incidents: ana G1 G4 = 2; ben G1 (note) G2 G5 = 3 → load 0.4 / 0.6,
//	top ratio 0.6, bus factor 1
//	off-rotation: ana is on call for chain CPAY (schedule SPAY), so G1 is on rotation
//	and G4 (route RCERT → chain CCERT, which notifies no schedule) is not: 1;
//	ben is on no schedule: 3.
//
// Platform, 7d: G3 G6 = 2; MTTR = G3 20m = 1200 s; nobody engaged, so no load figures;
// never acknowledged, so no MTTA. No source has pages: no interruption figures.
func TestScenarioAnalytics(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	snap := incident.Compute(h.Sink.History("oc", h.Src.Capabilities()), incident.DefaultSettings(), base)

	counts := map[string]int{}
	for _, c := range snap.Incidents {
		if c.Window == "7d" {
			counts[c.Team] += c.Count
			if c.Severity != incident.SeverityUnknown {
				t.Errorf("severity %s: OnCall alert groups carry none", c.Severity)
			}
		}
	}
	if counts["Payments"] != 4 || counts["Platform"] != 2 || len(counts) != 2 {
		t.Errorf("hero_incidents 7d %v", counts)
	}
	open := map[string]int{}
	for _, o := range snap.Open {
		open[o.Team] += o.Count
	}
	if open["Payments"] != 1 || open["Platform"] != 1 {
		t.Errorf("open %v", open)
	}
	near := sourcetest.Near
	teams := sourcetest.Teams(snap, "7d")
	pay := teams["Payments"]
	if !pay.HasMTTR || !near(pay.MTTR, 2300) || !pay.HasMTTA || !near(pay.MTTA, 217.5) {
		t.Errorf("Payments MTTR %v (%v) MTTA %v (%v), want 2300 and 217.5", pay.MTTR, pay.HasMTTR, pay.MTTA, pay.HasMTTA)
	}
	if !pay.HasLoad || pay.Responders != 2 || !near(pay.TopRatio, 0.6) || pay.BusFactor != 1 {
		t.Errorf("Payments load %+v", pay)
	}
	plt := teams["Platform"]
	if !plt.HasMTTR || !near(plt.MTTR, 1200) || plt.HasMTTA || plt.HasLoad {
		t.Errorf("Platform %+v", plt)
	}
	type row struct {
		incidents, offrot int
		load              float64
	}
	got := map[string]row{}
	for _, r := range snap.Responders {
		if r.Window != "7d" {
			continue
		}
		if r.HasPages || !r.HasOnCall {
			t.Errorf("%s: HasPages %v HasOnCall %v", r.Person, r.HasPages, r.HasOnCall)
		}
		got[r.Team+"/"+r.Person] = row{r.Incidents, r.OffRotation, r.LoadRatio}
	}
	// cai is on Platform's roster with no engagement.
	want := map[string]row{"Payments/ana": {2, 1, 0.4}, "Payments/ben": {3, 3, 0.6}, "Platform/cai": {}}
	for p, w := range want {
		g := got[p]
		if g.incidents != w.incidents || g.offrot != w.offrot || !near(g.load, w.load) {
			t.Errorf("%s: %+v, want %+v", p, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("responders %v", got)
	}
}
