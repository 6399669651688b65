// Package collector turns the exporter's snapshots into Prometheus metrics. Collectors
// read the latest immutable snapshot and never fetch anything at scrape time.
package collector

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Namespace of every metric.
const namespace = "hero"

// Provider is where collectors read from: the engine in production, a fixture in tests.
type Provider interface {
	// Snapshot returns the latest analytics result, nil before the first.
	Snapshot() *incident.Snapshot
	// SourceStatuses returns the status of every configured source.
	SourceStatuses() []source.Status
	// LogStats returns the figures of every configured log input.
	LogStats() []logscan.Stats
}

// Collector is one named group of metrics.
type Collector interface {
	Update(ch chan<- prometheus.Metric) error
}

type factory func(p Provider, logger *slog.Logger) Collector

// The collector registry, filled by init() of each collector file — the one piece of
// package state, as in node_exporter.
var (
	factories      = map[string]factory{}
	collectorState = map[string]*bool{}
)

func registerCollector(name string, enabledByDefault bool, f factory) {
	def := "disabled"
	if enabledByDefault {
		def = "enabled"
	}
	flag := kingpin.Flag("collector."+name, fmt.Sprintf("Enable the %s collector (default: %s).", name, def)).
		Default(fmt.Sprint(enabledByDefault)).Bool()
	factories[name] = f
	collectorState[name] = flag
}

// Names returns every registered collector name, sorted.
func Names() []string {
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var (
	scrapeDurationDesc = prometheus.NewDesc(namespace+"_scrape_collector_duration_seconds",
		"hero_exporter: duration of a collector scrape.", []string{"collector"}, nil)
	scrapeSuccessDesc = prometheus.NewDesc(namespace+"_scrape_collector_success",
		"hero_exporter: whether a collector succeeded.", []string{"collector"}, nil)
)

// HeroCollector runs the enabled collectors on every scrape.
type HeroCollector struct {
	collectors map[string]Collector
	logger     *slog.Logger
}

// New builds the collectors enabled by their flags. names, when given, restricts the set
// further (tests use it to run one collector).
func New(p Provider, logger *slog.Logger, names ...string) (*HeroCollector, error) {
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := factories[n]; !ok {
			return nil, fmt.Errorf("collector: unknown collector %q", n)
		}
		want[n] = true
	}
	cs := map[string]Collector{}
	for name, f := range factories {
		if len(want) > 0 {
			if !want[name] {
				continue
			}
		} else if !*collectorState[name] {
			continue
		}
		cs[name] = f(p, logger.With("collector", name))
	}
	return &HeroCollector{collectors: cs, logger: logger}, nil
}

// Describe is left empty on purpose: the metric set depends on the data (an unchecked
// collector, as node_exporter does).
func (c *HeroCollector) Describe(chan<- *prometheus.Desc) {}

// Collect runs every collector in parallel.
func (c *HeroCollector) Collect(ch chan<- prometheus.Metric) {
	var wg sync.WaitGroup
	for name, col := range c.collectors {
		wg.Add(1)
		go func(name string, col Collector) {
			defer wg.Done()
			start := time.Now()
			err := col.Update(ch)
			success := 1.0
			if err != nil {
				c.logger.Error("collector failed", "collector", name, "err", err)
				success = 0
			}
			ch <- prometheus.MustNewConstMetric(scrapeDurationDesc, prometheus.GaugeValue, time.Since(start).Seconds(), name)
			ch <- prometheus.MustNewConstMetric(scrapeSuccessDesc, prometheus.GaugeValue, success, name)
		}(name, col)
	}
	wg.Wait()
}

// stored is appended to HELP strings of figures computed from stored history.
const stored = " Computed by hero_exporter from its stored history at the last analytics run, not at scrape time."

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}
