package incident_test

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
)

var benchNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func benchCompute(b *testing.B, incidents, people, days int) {
	h := synth.Generate(incidents, people, days, 1, benchNow)
	s := incident.DefaultSettings()
	b.ReportAllocs()
	b.ResetTimer()
	var snap *incident.Snapshot
	for b.Loop() {
		snap = incident.Compute(h, s, benchNow)
	}
	b.ReportMetric(float64(len(snap.Responders)), "responder_rows")
}

// BenchmarkCompute100k: 100k incidents, 300 people, 90 days.
func BenchmarkCompute100k(b *testing.B) { benchCompute(b, 100_000, 300, 90) }

// BenchmarkCompute1M: the sizing target, 1M incidents, 3k people, 90 days.
func BenchmarkCompute1M(b *testing.B) { benchCompute(b, 1_000_000, 3_000, 90) }
