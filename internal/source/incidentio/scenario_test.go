package incidentio

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// TestScenarioFigures runs the source against the fake's documented scenario
// (iofake.Scenario), stores into a memory sink, and computes the analytics over what
// was stored. Every expected figure is worked out by hand below; "now" is Friday
// 2026-11-20 12:00 UTC, so every incident lies in both the 7d and the 28d window.
func TestScenarioFigures(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	hist := h.Sink.History("io", h.Src.Capabilities())
	snap := incident.Compute(hist, incident.DefaultSettings(), base)

	team := sourcetest.Teams(snap, "7d")
	resp := sourcetest.Responders(snap, "7d")
	approx := func(what string, got, want float64) {
		t.Helper()
		if !sourcetest.Near(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	// Payments: I1, I2, I5 (I4 declined and I7, a test, are not stored).
	//   MTTA: first acked event — I1 120 s, I2 360 s, I5 90 s → 570/3 = 190 s.
	//   MTTR over the resolved ones: I1 1800 s ("Resolved at"), I2 3600 s (its update
	//   into post-incident) → 2700 s.
	//   Engaged: Ana I1 (ack, lead, updates); Ben I2 (ack, lead, resolve), I5 (ack,
	//   lead) → Ana 1/3, Ben 2/3. Ben's page on I1 is no engagement.
	p := team["Payments"]
	if !p.HasMTTA || !p.HasMTTR {
		t.Fatalf("Payments %+v", p)
	}
	approx("Payments MTTA", p.MTTA, 190)
	approx("Payments MTTR", p.MTTR, 2700)
	approx("Ana load", resp["Payments/Ana Lima"].LoadRatio, 1.0/3)
	approx("Ben load", resp["Payments/Ben Okafor"].LoadRatio, 2.0/3)
	if p.Responders != 2 || p.BusFactor != 1 {
		t.Errorf("Payments responders %d bus factor %d", p.Responders, p.BusFactor)
	}

	// Platform: I3, I6. MTTA: only I6, 300 s. MTTR: I3 1200 s, I6 2700 s → 1950 s.
	// Engaged on I6: Cai (ack, lead, close), Dee (Comms role), Ana (an update) → 1/3
	// each; bus factor 2 (two thirds reach one half). I3 was closed by a workflow.
	pl := team["Platform"]
	approx("Platform MTTA", pl.MTTA, 300)
	approx("Platform MTTR", pl.MTTR, 1950)
	for _, who := range []string{"Cai Wu", "Dee Park", "Ana Lima"} {
		approx(who+" Platform load", resp["Platform/"+who].LoadRatio, 1.0/3)
	}
	if pl.BusFactor != 2 {
		t.Errorf("Platform bus factor %d", pl.BusFactor)
	}

	// Interruptions: every notification is a (push) page; one per person within 60 s;
	// in the zone of the person's schedule (November: Berlin UTC+1, New York UTC−5,
	// Dublin UTC+0):
	//   Ana (Berlin): I1 Tue 12:00:10Z = 13:00, I2 Wed 12:00:05Z = 13:00 → business 2.
	//   Ben (New York): I1 Tue 12:00:10Z = 07:00 sleep; I2 Wed 12:04:05Z = 07:04 sleep;
	//     I5 Fri 10:00:10Z and 10:00:40Z = 05:00, 30 s apart: one → sleep 3.
	//   Cai (Dublin): I3 Thu 06:00:05Z sleep; I6 Fri 02:01Z sleep → sleep 2.
	for k, want := range map[string][incident.NumPeriods]int{
		"Payments/Ana Lima":   {2, 0, 0},
		"Payments/Ben Okafor": {0, 0, 3},
		"Platform/Cai Wu":     {0, 0, 2},
	} {
		if got := resp[k]; !got.HasPages || got.Interruptions != want {
			t.Errorf("%s interruptions %v (has %v), want %v", k, got.Interruptions, got.HasPages, want)
		}
	}

	// Off-rotation: I6 is on path EP2, whose only schedule had Cai on call until
	// now−7d: Cai, Dee and Ana all engaged off-rotation. Payments incidents (EP1) fall
	// in Ana's level-1 and Ben's level-2 shifts: none.
	for k, want := range map[string]int{"Platform/Cai Wu": 1, "Platform/Dee Park": 1, "Platform/Ana Lima": 1,
		"Payments/Ana Lima": 0, "Payments/Ben Okafor": 0} {
		if got := resp[k]; !got.HasOnCall || got.OffRotation != want {
			t.Errorf("%s off-rotation %d (has %v), want %d", k, got.OffRotation, got.HasOnCall, want)
		}
	}

	open := 0
	for _, o := range snap.Open {
		open += o.Count
		if o.Count > 0 && (o.Team != "Payments" || o.Service != "checkout" || o.Severity != incident.SeverityHigh) {
			t.Errorf("open %+v", o)
		}
	}
	if open != 1 {
		t.Errorf("open %+v", snap.Open)
	}
}
