package report

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hero-exporter/hero_exporter/collector"
	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// benchSource is the exporter as the handlers see it: a snapshot and log figures.
type benchSource struct {
	snap *incident.Snapshot
	logs []logscan.Stats
}

func (s benchSource) Snapshot() *incident.Snapshot    { return s.snap }
func (s benchSource) LogStats() []logscan.Stats       { return s.logs }
func (s benchSource) SourceStatuses() []source.Status { return nil }

func serveBench(b *testing.B, h http.Handler, target string, headers map[string]string) int {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: HTTP %d %s", target, rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

// BenchmarkReport1M measures GET /report at the 1M-incident benchmark size (3,000
// people in ~300 teams, 90 days; the snapshot of collector's BenchmarkScrape1M) with a
// log of 100 tracked fingerprints, against the /metrics scrape of the same snapshot
// served the way the exporter serves it (encoded once per snapshot, OpenMetrics +
// gzip), in the same run: the ratio report/scrape is what docs/benchmarks.md records.
func BenchmarkReport1M(b *testing.B) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	snap := incident.Compute(synth.Generate(1_000_000, 3000, 90, 1, now), incident.DefaultSettings(), now)
	logs := []logscan.Stats{{Log: "app", Exceptions: 1e6}}
	for i := range 100 {
		logs[0].Fingerprints = append(logs[0].Fingerprints, logscan.FingerprintStat{
			Fingerprint: fmt.Sprintf("%016x", i), Type: "java.lang.IllegalStateException",
			Location: "com.example.Cart.add(Cart.java:<num>)", Message: "cart <id> is closed", Count: uint64(1000 + i),
		})
	}
	src := benchSource{snap: snap, logs: logs}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	names, _ := Build(Input{Snapshot: snap}, Options{})
	b.Logf("%d teams, %d responder rows, %d incident rows", len(names.TeamNames), len(snap.Responders), len(snap.Incidents))

	b.Run("scrape", func(b *testing.B) {
		expo, err := collector.NewExposition(snap, logger)
		if err != nil {
			b.Fatal(err)
		}
		live, err := collector.NewLive(src, logger, expo.Results)
		if err != nil {
			b.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(live)
		h := collector.NewHandler(reg, func() *collector.Exposition { return expo }, logger)
		hdr := map[string]string{"Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", "Accept-Encoding": "gzip"}
		serveBench(b, h, "/metrics", hdr) // records the format
		h.Prepare(expo)
		var size int
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			size = serveBench(b, h, "/metrics", hdr)
		}
		b.ReportMetric(float64(size)/1024, "KiB/response")
	})
	h := NewHandler(src, logger)
	// The first request after a snapshot builds the report and renders the team
	// sections (in the exporter: once per snapshot and selection).
	b.Run("report-first-after-snapshot", func(b *testing.B) {
		var size int
		b.ReportAllocs()
		for range b.N {
			size = serveBench(b, NewHandler(src, logger), "/report", nil)
		}
		b.ReportMetric(float64(size)/1024, "KiB/response")
	})
	for _, c := range []struct{ name, target string }{
		{"report-all-teams", "/report"},
		{"report-one-team", "/report?team=" + names.TeamNames[0]},
		{"report-wall", "/report?wall=1&window=7d"},
	} {
		b.Run(c.name, func(b *testing.B) {
			size := serveBench(b, h, c.target, nil) // builds and renders the sections once per snapshot
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				size = serveBench(b, h, c.target, nil)
			}
			b.ReportMetric(float64(size)/1024, "KiB/response")
		})
	}
}
