package collector

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	registerCollector("config", true, newConfigCollector)
}

// ReloadStatus is the outcome of the configuration's loads and reloads.
type ReloadStatus struct {
	Successful  bool      // the last load or reload succeeded
	LastSuccess time.Time // when the configuration was last loaded successfully
}

// ReloadProvider is a Provider that loads a configuration (the exporter); the config
// collector emits nothing for a Provider without one.
type ReloadProvider interface {
	ConfigReload() ReloadStatus
}

type configCollector struct {
	p              Provider
	successful, ts *prometheus.Desc
}

func newConfigCollector(p Provider, _ *slog.Logger) Collector {
	return &configCollector{
		p: p,
		successful: desc("exporter_config_last_reload_successful",
			"1 when the last load or reload of the configuration file succeeded, 0 when it failed (the previous configuration keeps running)."),
		ts: desc("exporter_config_last_reload_success_timestamp_seconds",
			"Unix time of the last successful load or reload of the configuration."),
	}
}

func (c *configCollector) Update(ch chan<- prometheus.Metric) error {
	rp, ok := c.p.(ReloadProvider)
	if !ok {
		return nil
	}
	st := rp.ConfigReload()
	ok01 := 0.0
	if st.Successful {
		ok01 = 1
	}
	ch <- prometheus.MustNewConstMetric(c.successful, prometheus.GaugeValue, ok01)
	if !st.LastSuccess.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.ts, prometheus.GaugeValue, float64(st.LastSuccess.UnixNano())/1e9)
	}
	return nil
}
