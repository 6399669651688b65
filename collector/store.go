package collector

import (
	"log/slog"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	registerCollector("store", true, newStoreCollector)
}

// StoreStats are the figures of the exporter's store.
type StoreStats struct {
	SizeBytes int64
	// Pruned are the records deleted by retention since the start, by kind.
	Pruned map[string]float64
}

// StoreProvider is a Provider with a store (the exporter); the store collector emits
// nothing for a Provider without one.
type StoreProvider interface {
	StoreStats() StoreStats
}

type storeCollector struct {
	p            Provider
	size, pruned *prometheus.Desc
}

func newStoreCollector(p Provider, _ *slog.Logger) Collector {
	return &storeCollector{
		p:      p,
		size:   desc("store_size_bytes", "Size of the store's database file and its write-ahead log."),
		pruned: desc("store_pruned_records_total", "Records deleted from the store by retention (storage.retention), by kind.", "kind"),
	}
}

func (c *storeCollector) Update(ch chan<- prometheus.Metric) error {
	sp, ok := c.p.(StoreProvider)
	if !ok {
		return nil
	}
	st := sp.StoreStats()
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(st.SizeBytes))
	kinds := make([]string, 0, len(st.Pruned))
	for k := range st.Pruned {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ch <- prometheus.MustNewConstMetric(c.pruned, prometheus.CounterValue, st.Pruned[k], k)
	}
	return nil
}
