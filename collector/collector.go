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
	// collectorDefault is each collector's default, for the flags of AddFlags.
	collectorDefault = map[string]bool{}
	// fromSnapshot marks collectors that only read the analytics snapshot: their output
	// is encoded once per snapshot (see Exposition), not on every scrape.
	fromSnapshot = map[string]bool{}
)

func registerSnapshotCollector(name string, enabledByDefault bool, f factory) {
	registerCollector(name, enabledByDefault, f)
	fromSnapshot[name] = true
}

func registerCollector(name string, enabledByDefault bool, f factory) {
	def := "disabled"
	if enabledByDefault {
		def = "enabled"
	}
	// Set the default now, not only when kingpin parses: tests and library users never
	// parse a command line.
	state := new(bool)
	*state = enabledByDefault
	kingpin.Flag("collector."+name, fmt.Sprintf("Enable the %s collector (default: %s).", name, def)).
		Default(fmt.Sprint(enabledByDefault)).BoolVar(state)
	factories[name] = f
	collectorState[name] = state
	collectorDefault[name] = enabledByDefault
}

// AddFlags registers --[no-]collector.<name> for every collector on app, a kingpin
// application or command: one made with kingpin.New does not see the flags registered on
// kingpin.CommandLine above. The flags set the same switches.
func AddFlags(app interface {
	Flag(name, help string) *kingpin.FlagClause
}) {
	for _, name := range Names() {
		def := "disabled"
		if collectorDefault[name] {
			def = "enabled"
		}
		app.Flag("collector."+name, fmt.Sprintf("Enable the %s collector (default: %s).", name, def)).
			Default(fmt.Sprint(collectorDefault[name])).BoolVar(collectorState[name])
	}
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
	// recorded, when set, supplies the scrape results of the snapshot collectors, which
	// ran when the current Exposition was built.
	recorded func() map[string]Result
}

// New builds the collectors enabled by their flags. names, when given, restricts the set
// further (tests use it to run one collector).
func New(p Provider, logger *slog.Logger, names ...string) (*HeroCollector, error) {
	cs, err := build(p, logger, names, func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	return &HeroCollector{collectors: cs, logger: logger}, nil
}

// NewLive builds the enabled collectors that must run at scrape time (sources,
// exceptions). The snapshot collectors are served from an Exposition; their scrape
// results come from recorded.
func NewLive(p Provider, logger *slog.Logger, recorded func() map[string]Result) (*HeroCollector, error) {
	cs, err := build(p, logger, nil, func(name string) bool { return !fromSnapshot[name] })
	if err != nil {
		return nil, err
	}
	return &HeroCollector{collectors: cs, logger: logger, recorded: recorded}, nil
}

func build(p Provider, logger *slog.Logger, names []string, keep func(string) bool) (map[string]Collector, error) {
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
		if keep(name) {
			cs[name] = f(p, logger.With("collector", name))
		}
	}
	return cs, nil
}

// Result is how one collector run went.
type Result struct {
	Success  bool
	Duration time.Duration
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
	if c.recorded == nil {
		return
	}
	for name, r := range c.recorded() {
		success := 0.0
		if r.Success {
			success = 1
		}
		ch <- prometheus.MustNewConstMetric(scrapeDurationDesc, prometheus.GaugeValue, r.Duration.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(scrapeSuccessDesc, prometheus.GaugeValue, success, name)
	}
}

// stored is appended to HELP strings of figures computed from stored history.
const stored = " Computed by hero_exporter from its stored history at the last analytics run, not at scrape time."

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}
