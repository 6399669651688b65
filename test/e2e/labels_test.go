//go:build unix

package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// valueSample is one element of an instant vector with its value.
type valueSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s valueSample) float() float64 {
	str, _ := s.Value[1].(string)
	f, _ := strconv.ParseFloat(str, 64)
	return f
}

func (a *promAPI) queryValues(expr string) ([]valueSample, error) {
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := a.get("/api/v1/query", url.Values{"query": {expr}}, &d); err != nil {
		return nil, err
	}
	if d.ResultType != "vector" {
		return nil, fmt.Errorf("result type %s, want vector", d.ResultType)
	}
	var v []valueSample
	return v, json.Unmarshal(d.Result, &v)
}

type alertWithValue struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
	Value  string            `json:"value"`
}

func (a *promAPI) alertsWithValues() ([]alertWithValue, error) {
	var d struct {
		Alerts []alertWithValue `json:"alerts"`
	}
	return d.Alerts, a.get("/api/v1/alerts", nil, &d)
}

// shippedScrapeJob returns the hero_exporter scrape job of examples/prometheus.yml as a
// map, so a test scrapes with exactly the shipped settings.
func shippedScrapeJob(t *testing.T, root string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "examples", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, sc := range cfg.ScrapeConfigs {
		if sc["job_name"] == "hero_exporter" {
			return sc
		}
	}
	t.Fatal("examples/prometheus.yml has no hero_exporter scrape job")
	return nil
}

// canonical renders a sample's labels without the dropped ones, sorted, as a map key.
func canonical(m map[string]string, drop ...string) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		if slices.Contains(drop, k) {
			continue
		}
		fmt.Fprintf(&b, "%s=%q,", k, m[k])
	}
	return b.String()
}

// clashTargetLabels are the labels a Kubernetes ServiceMonitor (or any service discovery
// with relabelling) typically puts on the exporter's target; service, team and type are
// also labels of the exporter's own series.
var clashTargetLabels = map[string]string{
	"service":   "hero-exporter",
	"team":      "observability",
	"type":      "exporter",
	"namespace": "monitoring",
	"pod":       "hero-exporter-7d9f8-abcde",
}

// TestTargetLabelClash scrapes one exporter (the demo at a fixed clock, so its figures do
// not move) three times over, all as job="hero_exporter" with their own instance:
//
//   - plain: the shipped scrape settings (examples/prometheus.yml), no extra target labels;
//   - k8s:   the shipped scrape settings, and the target carries service, team, type,
//     namespace and pod labels, as under a ServiceMonitor;
//   - clash: the same target labels without honor_labels (a control: it must differ).
//
// Every recording rule and HeroResponderLoadHigh must give the same series and figures for
// k8s as for plain (apart from the instance and the added namespace/pod labels), and the
// control must not: it proves the test sees a clash when there is one.
func TestTargetLabelClash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hero_exporter and Prometheus; skipped in -short mode")
	}
	prometheus := needTool(t, "prometheus")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exporterAddr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--demo", "--debug.now="+fixedNow,
		"--web.listen-address="+exporterAddr, "--storage.path="+filepath.Join(dir, "store"))
	waitReady(t, "http://"+exporterAddr+"/-/ready", 60*time.Second)

	shipped := shippedScrapeJob(t, root)
	job := func(name, instance string, targetLabels map[string]string, honor bool) map[string]any {
		sc := maps.Clone(shipped)
		delete(sc, "static_configs")
		sc["job_name"] = name
		sc["scrape_interval"] = "1s"
		sc["scrape_timeout"] = "1s"
		if !honor {
			delete(sc, "honor_labels")
		}
		static := map[string]any{"targets": []string{exporterAddr}}
		if len(targetLabels) > 0 {
			static["labels"] = targetLabels
		}
		sc["static_configs"] = []any{static}
		// All three are job="hero_exporter" (the rules select it), told apart by instance.
		sc["relabel_configs"] = []any{
			map[string]any{"target_label": "job", "replacement": "hero_exporter"},
			map[string]any{"target_label": "instance", "replacement": instance},
		}
		return sc
	}
	if shipped["honor_labels"] != true {
		t.Fatalf("the shipped hero_exporter scrape job does not set honor_labels: true: %v", shipped)
	}
	cfg := map[string]any{
		"global": map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s"},
		"rule_files": []string{
			filepath.Join(root, "rules", "hero_rules.yml"),
			filepath.Join(root, "rules", "hero_alerts.yml"),
		},
		"scrape_configs": []any{
			job("hero_exporter", "plain", nil, true),
			job("hero_k8s", "k8s", clashTargetLabels, true),
			job("hero_clash", "clash", clashTargetLabels, false),
		},
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := freeAddr(t)
	start(t, dir, "prometheus", prometheus, "--config.file="+cfgFile,
		"--storage.tsdb.path="+filepath.Join(dir, "prometheus-data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	api := &promAPI{base: "http://" + promAddr}
	waitReady(t, api.base+"/-/ready", 60*time.Second)
	waitFor(t, 90*time.Second, "a few scrapes of every instance", func() error {
		v, err := api.query(fmt.Sprintf(`count_over_time(hero_team_responders{job="hero_exporter",window="28d"}[1m]) >= %d`, scrapes))
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, s := range v {
			seen[s.Metric["instance"]] = true
		}
		if !seen["plain"] || !seen["k8s"] || !seen["clash"] {
			return fmt.Errorf("instances with enough scrapes: %v", seen)
		}
		return nil
	})
	waitFor(t, 30*time.Second, "every rule evaluated without error", api.rulesHealthy)

	// A target label the exporter's series do not have is simply added (namespace and pod
	// always, service/team/type on series without them); fromTarget drops those, so that
	// what remains must equal the plain figures.
	drop := []string{"instance"}
	figures := func(expr, instance string, values bool) (map[string]float64, error) {
		v, err := api.queryValues(fmt.Sprintf(`%s{instance=%q}`, expr, instance))
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		for _, s := range v {
			f := 0.0
			if values {
				f = s.float()
			}
			out[canonical(fromTarget(s.Metric), drop...)] = f
		}
		return out, nil
	}
	records := recordingRules(t, filepath.Join(root, "rules", "hero_rules.yml"))
	clashes := 0
	for _, r := range records {
		// Exception rates depend on when each job happened to scrape; their series must
		// match, their values are compared for the incident figures only.
		values := !strings.Contains(r.expr, ":rate")
		var plain, k8s map[string]float64
		waitFor(t, 30*time.Second, r.key+": same figures with and without the target labels", func() error {
			var err error
			if plain, err = figures(r.expr, "plain", values); err != nil {
				return err
			}
			if k8s, err = figures(r.expr, "k8s", values); err != nil {
				return err
			}
			if len(plain) == 0 {
				return fmt.Errorf("no series for instance plain")
			}
			if !maps.Equal(plain, k8s) {
				return fmt.Errorf("without target labels:\n%s\nwith them (honor_labels):\n%s", dump(plain), dump(k8s))
			}
			return nil
		})
		clash, err := figures(r.expr, "clash", values)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(plain, clash) {
			clashes++
		}
	}
	if clashes == 0 {
		t.Error("the control (target labels without honor_labels) gave the same figures as plain for every rule: the test cannot see a clash")
	}

	// HeroResponderLoadHigh: the same people of the same teams with the same load share.
	loadAlerts := func(instance string) (map[string]string, error) {
		alerts, err := api.alertsWithValues()
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, a := range alerts {
			if a.Labels["alertname"] == "HeroResponderLoadHigh" && a.Labels["instance"] == instance {
				out[canonical(fromTarget(a.Labels), drop...)] = a.State + " " + a.Value
			}
		}
		return out, nil
	}
	waitFor(t, alertWait, "HeroResponderLoadHigh identical with and without target labels", func() error {
		plain, err := loadAlerts("plain")
		if err != nil {
			return err
		}
		k8s, err := loadAlerts("k8s")
		if err != nil {
			return err
		}
		if len(plain) == 0 {
			return fmt.Errorf("HeroResponderLoadHigh not pending for instance plain yet")
		}
		if !maps.Equal(plain, k8s) {
			return fmt.Errorf("without target labels: %v\nwith them: %v", plain, k8s)
		}
		for k := range plain {
			if !strings.Contains(k, `team="payments"`) {
				return fmt.Errorf("HeroResponderLoadHigh for %s; the demo's overloaded team is payments", k)
			}
		}
		clash, err := loadAlerts("clash")
		if err != nil {
			return err
		}
		if maps.Equal(plain, clash) {
			return fmt.Errorf("the control without honor_labels alerts identically (%v): the clash is not visible", clash)
		}
		return nil
	})
}

// fromTarget returns m without the labels whose value is the one the target carries: those
// were added by the target, not set by the exporter.
func fromTarget(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if tv, ok := clashTargetLabels[k]; ok && tv == v {
			continue
		}
		out[k] = v
	}
	return out
}

func dump(m map[string]float64) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  {%s} %g\n", k, m[k])
	}
	return b.String()
}
