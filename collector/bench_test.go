package collector

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
)

func benchSnapshot(incidents int) *incident.Snapshot {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return incident.Compute(synth.Generate(incidents, 3000, 90, 1, now), incident.DefaultSettings(), now)
}

func serve(b *testing.B, h http.Handler, gzip bool) int {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("HTTP %d", rec.Code)
	}
	return rec.Body.Len()
}

// benchmarkScrape measures a /metrics response as the exporter serves it: live families
// gathered per scrape plus the snapshot's encoded families (3k people, 90 days), asked
// for as Prometheus asks (OpenMetrics, gzip). The encoding for the snapshot is made
// before the timer starts, as the exporter makes it when the snapshot is published.
func benchmarkScrape(b *testing.B, incidents int, gzip bool) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := fixture{snap: benchSnapshot(incidents)}
	expo, err := NewExposition(p.snap, logger)
	if err != nil {
		b.Fatal(err)
	}
	live, err := NewLive(p, logger, expo.Results)
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(live)
	h := NewHandler(reg, func() *Exposition { return expo }, logger)
	serve(b, h, gzip) // records the format
	h.Prepare(expo)
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		size = serve(b, h, gzip)
	}
	b.ReportMetric(float64(size)/1024, "KiB/scrape")
	b.ReportMetric(float64(len(p.snap.Responders)), "responder-rows")
}

func BenchmarkScrape100k(b *testing.B)     { benchmarkScrape(b, 100_000, true) }
func BenchmarkScrape1M(b *testing.B)       { benchmarkScrape(b, 1_000_000, true) }
func BenchmarkScrape1MNoGzip(b *testing.B) { benchmarkScrape(b, 1_000_000, false) }

// BenchmarkScrapeUncached1M is the baseline: every collector registered and gathered,
// sorted and encoded on each scrape (promhttp), as a plain exporter would.
func BenchmarkScrapeUncached1M(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := New(fixture{snap: benchSnapshot(1_000_000)}, logger)
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		serve(b, h, true)
	}
}

// BenchmarkExposition1M is the work moved off the scrape path: run the snapshot
// collectors once and encode OpenMetrics+gzip, per published snapshot.
func BenchmarkExposition1M(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	snap := benchSnapshot(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e, err := NewExposition(snap, logger)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Encoded("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores", true); err != nil {
			b.Fatal(err)
		}
	}
}
