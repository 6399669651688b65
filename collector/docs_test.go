package collector

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// TestDocsListExactlyTheEmittedMetrics fails when a metric is emitted but missing from
// docs/metrics.md, or documented there but never emitted. The fixture sets every
// optional figure, so every metric family appears.
func TestDocsListExactlyTheEmittedMetrics(t *testing.T) {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(hero_[a-z0-9_]+)`").FindAllSubmatch(doc, -1) {
		documented[string(m[1])] = true
	}

	p := reloadFixture{reload: ReloadStatus{Successful: true, LastSuccess: testSnapshot().At}, fixture: fixture{
		snap: testSnapshot(),
		statuses: []source.Status{{Name: "pd", Type: "pagerduty", Attempted: true, Up: true, LastSuccess: testSnapshot().At,
			API: &source.APIStats{Requests: map[string]float64{"200": 1}, HasRateLimit: true, RateLimitRemaining: 1}},
			{Name: "am", Type: "alertmanager", Webhook: map[string]float64{"200": 1}}},
		logs: []logscan.Stats{{Log: "app", Fingerprints: []logscan.FingerprintStat{{Fingerprint: "0123456789abcdef", Type: "E"}},
			Windows: []logscan.WindowStat{{Window: "7d", Events: map[string]uint64{"0123456789abcdef": 3}, Other: 1}}}},
	}}
	c, err := New(p, slog.New(slog.NewTextHandler(io.Discard, nil)), Names()...)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, versioncollector.NewCollector("hero_exporter"))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	for _, mf := range mfs {
		emitted[mf.GetName()] = true
	}
	var missing, stale []string
	for n := range emitted {
		if !documented[n] {
			missing = append(missing, n)
		}
	}
	for n := range documented {
		if !emitted[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("emitted but not in docs/metrics.md: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("in docs/metrics.md but never emitted: %v", stale)
	}
	if len(documented) < 30 {
		t.Fatalf("only %d metrics parsed from docs/metrics.md; is the table format intact?", len(documented))
	}
}
