//go:build unix

package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fleetKinds is the number of distinct exceptions in the fleet test; more than the
// fleet rules' N (20), so that the top N has to leave some out.
const fleetKinds = 22

// fleetType is the exception type of kind k: FleetAError, FleetBError, ...
func fleetType(k int) string { return "Fleet" + string(rune('A'+k)) + "Error" }

// pythonTrace is one Python exception of kind k as a service logs it.
func pythonTrace(k, i int) string {
	return fmt.Sprintf(`2026-11-18T12:00:00Z ERROR order %d failed
Traceback (most recent call last):
  File "/srv/app/shop/handler.py", line 10, in handle
    process(req)
  File "/srv/app/shop/orders.py", line 42, in process
    raise %s("order %d failed")
%s: order %d failed
2026-11-18T12:00:01Z INFO next request
`, i, fleetType(k), i, fleetType(k), i)
}

// TestFleetTopN runs three exporters, each following its own log with a different known
// mix of the same exceptions (fingerprints are identical across nodes), and a real
// Prometheus scraping all three with the shipped scrape settings and rules. The fleet rule
// log_fingerprint:hero_exception_events:topk_sum_rate1h must hold the 20 exceptions with
// the largest counts summed over the three logs, in the order of those sums, with values
// in the proportions of the sums -- which no single exporter's ranking gives.
func TestFleetTopN(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three exporters and Prometheus; skipped in -short mode")
	}
	prometheus := needTool(t, "prometheus")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := exporterBinary(t)

	// The truth: kind k occurs total[k] times in the fleet, round(8 * 1.25^k), so that
	// neighbours in the ranking differ by a quarter. Exporter k%3 sees 70% of a kind, the
	// other two 15% each: each exporter's own ranking differs from the fleet's.
	const exporters = 3
	var mix [exporters][fleetKinds]int
	var total [fleetKinds]int
	for k := range fleetKinds {
		total[k] = int(math.Round(8 * math.Pow(1.25, float64(k))))
		main := int(math.Round(0.7 * float64(total[k])))
		rest := total[k] - main
		for e := range exporters {
			switch e {
			case k % exporters:
				mix[e][k] = main
			case (k + 1) % exporters:
				mix[e][k] = rest / 2
			default:
				mix[e][k] = rest - rest/2
			}
		}
	}
	// Each exporter's own top kind is not the fleet's top kind for at least one exporter.
	fleetTop := fleetKinds - 1
	differs := false
	for e := range exporters {
		best := 0
		for k := range fleetKinds {
			if mix[e][k] > mix[e][best] {
				best = k
			}
		}
		differs = differs || best != fleetTop
	}
	if !differs {
		t.Fatal("test design: every exporter's own top kind is the fleet's")
	}

	logs := make([]string, exporters)
	var targets []string
	for e := range exporters {
		edir := filepath.Join(dir, fmt.Sprintf("node%d", e))
		if err := os.MkdirAll(filepath.Join(edir, "logs"), 0o755); err != nil {
			t.Fatal(err)
		}
		logs[e] = filepath.Join(edir, "logs", "app.log")
		if err := os.WriteFile(logs[e], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := fmt.Sprintf(`logs:
  - name: checkout
    paths: [%q]
    in_app: ["/srv/app/"]
    from_start: true
`, filepath.Join(edir, "logs", "*.log"))
		cfgPath := filepath.Join(edir, "hero.yml")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		addr := freeAddr(t)
		start(t, edir, "hero_exporter", bin, "--config.file="+cfgPath, "--web.listen-address="+addr,
			"--storage.path="+filepath.Join(edir, "store"))
		waitReady(t, "http://"+addr+"/-/ready", 60*time.Second)
		targets = append(targets, addr)
	}

	shipped := shippedScrapeJob(t, root)
	promAddr := freeAddr(t)
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q, %q, %q]
scrape_configs:
  - job_name: hero_exporter
    honor_labels: %v
    static_configs:
      - targets: [%q, %q, %q]
`, filepath.Join(root, "rules", "hero_rules.yml"), filepath.Join(root, "rules", "hero_alerts.yml"),
		filepath.Join(root, "rules", "hero_fleet_rules.yml"), shipped["honor_labels"] == true,
		targets[0], targets[1], targets[2])
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, dir, "prometheus", prometheus, "--config.file="+cfgFile,
		"--storage.tsdb.path="+filepath.Join(dir, "prometheus-data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	api := &promAPI{base: "http://" + promAddr}
	waitReady(t, api.base+"/-/ready", 60*time.Second)

	// Phase 1, once every exporter runs: each kind on every node, so that every
	// series exists before the counted mix (rate() counts increases of a series, not its
	// first value) and all series start at about the same time (rate() extrapolates from
	// a series' start, so equal ages keep the proportions).
	appendAll := func(count func(e, k int) int) {
		for e := range exporters {
			var b strings.Builder
			for k := range fleetKinds {
				for i := range count(e, k) {
					b.WriteString(pythonTrace(k, i))
				}
			}
			f, err := os.OpenFile(logs[e], os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(b.String()); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	// 40 each: rate() extrapolates a counter's start back towards zero at most as far as
	// its first value allows, so a large first value gives every series the same start.
	const phase1 = 40
	appendAll(func(int, int) int { return phase1 })
	// Every kind's series on every exporter, with enough samples before the mix that the
	// rates' extrapolation is about the same for all of them.
	want := exporters * fleetKinds
	waitFor(t, 90*time.Second, "every exception series scraped at least 10 times", func() error {
		v, err := api.query(`count_over_time(hero_exception_events_total{job="hero_exporter",fingerprint!="other"}[1m]) >= 10`)
		if err != nil {
			return err
		}
		if len(v) != want {
			return fmt.Errorf("%d of %d series", len(v), want)
		}
		return nil
	})

	// Phase 2: the known mixes, appended at once to the three logs.
	appendAll(func(e, k int) int { return mix[e][k] })
	// Wait until Prometheus holds the final counts of all three exporters.
	waitFor(t, 60*time.Second, "the mixes counted by every exporter and scraped", func() error {
		v, err := api.queryValues(`sum(hero_exception_events_total{job="hero_exporter",fingerprint!="other"})`)
		if err != nil {
			return err
		}
		all := phase1 * exporters * fleetKinds
		for k := range fleetKinds {
			all += total[k]
		}
		if len(v) != 1 || v[0].float() != float64(all) {
			return fmt.Errorf("exception events in Prometheus: %v, want %d", v, all)
		}
		return nil
	})

	// The fingerprint of each kind, from the exporters' info series.
	info, err := api.queryValues(`hero_exception_info{job="hero_exporter",log="checkout"}`)
	if err != nil {
		t.Fatal(err)
	}
	kindOf := map[string]int{}
	for _, s := range info {
		for k := range fleetKinds {
			if s.Metric["type"] == fleetType(k) {
				if prev, ok := kindOf[s.Metric["fingerprint"]]; ok && prev != k {
					t.Fatalf("fingerprint %s is two kinds", s.Metric["fingerprint"])
				}
				kindOf[s.Metric["fingerprint"]] = k
			}
		}
	}
	if len(kindOf) != fleetKinds {
		t.Fatalf("%d fingerprints for %d kinds: the same exception must have the same fingerprint on every node: %v", len(kindOf), fleetKinds, kindOf)
	}

	// The truth: kinds by fleet total, largest first; the rule keeps the top 20.
	truth := make([]int, fleetKinds)
	for k := range truth {
		truth[k] = k
	}
	slices.SortFunc(truth, func(a, b int) int { return total[b] - total[a] })
	const topN = 20
	truth = truth[:topN]

	// A few rule evaluations after the last scrape, so that the fleet rates include the
	// final counts of all three exporters.
	var got []int
	var values []float64
	waitFor(t, 60*time.Second, "the fleet top-N equal to the truth", func() error {
		v, err := api.queryValues(`sort_desc(log_fingerprint:hero_exception_events:topk_sum_rate1h)`)
		if err != nil {
			return err
		}
		got, values = got[:0], values[:0]
		for _, s := range v {
			if s.Metric["log"] != "checkout" || len(s.Metric) != 3 {
				return fmt.Errorf("unexpected labels %v: the fleet rule keeps __name__, log and fingerprint only", s.Metric)
			}
			k, ok := kindOf[s.Metric["fingerprint"]]
			if !ok {
				return fmt.Errorf("unknown fingerprint %s", s.Metric["fingerprint"])
			}
			got = append(got, k)
			values = append(values, s.float())
		}
		if !slices.Equal(got, truth) {
			names := func(ks []int) []string {
				var out []string
				for _, k := range ks {
					out = append(out, fmt.Sprintf("%s(%d)", fleetType(k), total[k]))
				}
				return out
			}
			return fmt.Errorf("fleet top %d:\n  got  %v\n  want %v", topN, names(got), names(truth))
		}
		// Rates are counts over time with Prometheus' extrapolation at the series'
		// start, which differs a little between exporters: the proportions must match
		// the counts within 10%.
		for i, k := range got {
			ratio := values[i] / values[0]
			want := float64(total[k]) / float64(total[truth[0]])
			if math.Abs(ratio-want) > 0.1*want {
				return fmt.Errorf("%s: %.4g of the top rate, want %.4g (counts %d / %d)", fleetType(k), ratio, want, total[k], total[truth[0]])
			}
		}
		return nil
	})
	worst := 0.0
	for i, k := range got {
		want := float64(total[k]) / float64(total[truth[0]])
		worst = max(worst, math.Abs(values[i]/values[0]-want)/want)
	}
	t.Logf("fleet top %d: %d kinds over %d exporters; top %s with %d events (%.3g/s recorded); largest deviation from the count proportions %.1f%%",
		topN, fleetKinds, exporters, fleetType(got[0]), total[got[0]], values[0], 100*worst)
}
