package opsgenie

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// TestScenarioFigures runs the source against the fake's documented scenario
// (ogfake.Scenario), stores into a memory sink, and computes the analytics over what
// was stored. Every expected figure is worked out by hand below; "now" is Friday
// 2026-11-20 12:00 UTC, so every alert lies in both the 7d and the 28d window.
func TestScenarioFigures(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	hist := h.Sink.History("og", h.Src.Capabilities())
	snap := incident.Compute(hist, incident.DefaultSettings(), base)

	team := sourcetest.Teams(snap, "7d")
	resp := sourcetest.Responders(snap, "7d")
	approx := func(what string, got, want float64) {
		t.Helper()
		if !sourcetest.Near(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	// Payments: A1, A2, A4, A5.
	//   MTTA over the acknowledged ones: A1 120 s, A2 360 s, A5 90 s → (120+360+90)/3 = 190 s.
	//   MTTR over the closed ones: A1 1800 s, A2 3600 s, A4 7200 s → 12600/3 = 4200 s.
	//   Engaged incidents: Ana A1 (ack, close), A2 (assigned it on: action) = 2;
	//   Ben A1 (ack), A2 (ack, note, close), A5 (ack) = 3 → load 2/5 = 0.4 and 3/5 = 0.6.
	p := team["Payments"]
	if !p.HasMTTA || !p.HasMTTR {
		t.Fatalf("Payments %+v", p)
	}
	approx("Payments MTTA", p.MTTA, 190)
	approx("Payments MTTR", p.MTTR, 4200)
	approx("Payments top ratio", p.TopRatio, 0.6)
	if p.Responders != 2 || p.BusFactor != 1 {
		t.Errorf("Payments responders %d bus factor %d", p.Responders, p.BusFactor)
	}
	approx("Ana load", resp["Payments/Ana Lima"].LoadRatio, 0.4)
	approx("Ben load", resp["Payments/Ben Okafor"].LoadRatio, 0.6)

	// Platform: A3, A6. MTTA: only A6, 300 s. MTTR: A3 1200 s, A6 2700 s → 1950 s.
	// Engaged: Cai A6 (ack, close), Ana A6 (note) → 0.5 each. A3 was closed by an
	// integration: nobody engaged.
	pl := team["Platform"]
	approx("Platform MTTA", pl.MTTA, 300)
	approx("Platform MTTR", pl.MTTR, 1950)
	approx("Cai load", resp["Platform/Cai Wu"].LoadRatio, 0.5)
	approx("Ana Platform load", resp["Platform/Ana Lima"].LoadRatio, 0.5)

	// Interruptions (push, phone, SMS; email never; one per person within 60 s), in
	// each person's own zone (November: Berlin UTC+1, New York UTC−5, London UTC+0):
	//   Ana (Berlin): A1 push Tue 12:00:10Z = 13:00 business; A2 SMS Wed 12:00:05Z =
	//     13:00 business; A4 email not counted → Payments business 2.
	//   Ben (New York): A1 phone Tue 12:00:10Z = 07:00 sleep; A2 SMS Wed 12:04:05Z =
	//     07:04 sleep; A5 push 10:00:10Z and SMS 10:00:40Z = 05:00, 30 s apart: one,
	//     sleep → Payments sleep 3.
	//   Cai (unset → Europe/London): A3 phone Thu 06:00:05Z sleep; A6 phone (from the
	//     recipient) Fri 02:01Z sleep → Platform sleep 2.
	wantPages := map[string][incident.NumPeriods]int{
		"Payments/Ana Lima":   {2, 0, 0},
		"Payments/Ben Okafor": {0, 0, 3},
		"Platform/Cai Wu":     {0, 0, 2},
	}
	for k, want := range wantPages {
		if got := resp[k]; !got.HasPages || got.Interruptions != want {
			t.Errorf("%s interruptions %v (has %v), want %v", k, got.Interruptions, got.HasPages, want)
		}
	}

	// Off-rotation: A6 belongs to Platform, whose only schedule had Cai on call from
	// now−14d to now−7d; A6 (now−10h) finds nobody on call, so Cai and Ana both engaged
	// off-rotation. Payments alerts fall in Ana's and Ben's shifts: none.
	wantOff := map[string]int{"Platform/Cai Wu": 1, "Platform/Ana Lima": 1, "Payments/Ana Lima": 0, "Payments/Ben Okafor": 0}
	for k, want := range wantOff {
		if got := resp[k]; !got.HasOnCall || got.OffRotation != want {
			t.Errorf("%s off-rotation %d (has %v), want %d", k, got.OffRotation, got.HasOnCall, want)
		}
	}

	// Open: A5 only (Payments, Datadog, high); the other series are zero.
	open := 0
	for _, o := range snap.Open {
		open += o.Count
		if o.Count > 0 && (o.Team != "Payments" || o.Service != "Datadog" || o.Severity != incident.SeverityHigh) {
			t.Errorf("open %+v", o)
		}
	}
	if open != 1 {
		t.Errorf("open %+v", snap.Open)
	}
}
