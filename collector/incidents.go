package collector

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	registerSnapshotCollector("incidents", true, newIncidentsCollector)
}

type incidentsCollector struct {
	p                                           Provider
	incidents, open, openSolo, created          *prometheus.Desc
	mtta, mttr, p50, p90, recurrences, soloLong *prometheus.Desc
}

func newIncidentsCollector(p Provider, _ *slog.Logger) Collector {
	return &incidentsCollector{
		p:           p,
		incidents:   desc("incidents", "Incidents created in the window."+stored, "source", "team", "service", "severity", "window"),
		open:        desc("incidents_open", "Incidents not resolved."+stored, "source", "team", "service", "severity"),
		openSolo:    desc("incidents_open_solo", "Open incidents older than the solo threshold with at most one engaged person."+stored, "source", "team"),
		created:     desc("incidents_created_total", "Incidents ever stored, by the team and severity they had when first stored."+stored, "source", "team", "severity"),
		mtta:        desc("incident_mtta_seconds", "Mean time from creation to first acknowledgement of the acknowledged incidents created in the window."+stored, "team", "window"),
		mttr:        desc("incident_mttr_seconds", "Mean time from creation to resolution of the resolved incidents created in the window."+stored, "team", "window"),
		p50:         desc("incident_resolve_p50_seconds", "Median time from creation to resolution (nearest rank) of the resolved incidents created in the window."+stored, "team", "window"),
		p90:         desc("incident_resolve_p90_seconds", "90th percentile time from creation to resolution (nearest rank) of the resolved incidents created in the window."+stored, "team", "window"),
		recurrences: desc("incident_recurrences", "Incidents in the window whose recurrence key matches an earlier incident within the recurrence threshold."+stored, "team", "service", "window"),
		soloLong:    desc("incidents_solo_long", "Resolved incidents in the window that lasted at least the solo threshold with exactly one engaged person."+stored, "team", "window"),
	}
}

func (c *incidentsCollector) Update(ch chan<- prometheus.Metric) error {
	s := c.p.Snapshot()
	if s == nil {
		return nil
	}
	g := prometheus.GaugeValue
	for _, r := range s.Incidents {
		ch <- prometheus.MustNewConstMetric(c.incidents, g, float64(r.Count), r.Source, r.Team, r.Service, string(r.Severity), r.Window)
	}
	for _, r := range s.Open {
		ch <- prometheus.MustNewConstMetric(c.open, g, float64(r.Count), r.Source, r.Team, r.Service, string(r.Severity))
	}
	for _, r := range s.OpenSolo {
		ch <- prometheus.MustNewConstMetric(c.openSolo, g, float64(r.Count), r.Source, r.Team)
	}
	for _, r := range s.CreatedTotal {
		ch <- prometheus.MustNewConstMetric(c.created, prometheus.CounterValue, float64(r.Count), r.Source, r.Team, string(r.Severity))
	}
	for _, r := range s.Recurrences {
		ch <- prometheus.MustNewConstMetric(c.recurrences, g, float64(r.Count), r.Team, r.Service, r.Window)
	}
	for _, t := range s.Teams {
		if t.HasMTTA {
			ch <- prometheus.MustNewConstMetric(c.mtta, g, t.MTTA, t.Team, t.Window)
		}
		if t.HasMTTR {
			ch <- prometheus.MustNewConstMetric(c.mttr, g, t.MTTR, t.Team, t.Window)
			ch <- prometheus.MustNewConstMetric(c.p50, g, t.ResolveP50, t.Team, t.Window)
			ch <- prometheus.MustNewConstMetric(c.p90, g, t.ResolveP90, t.Team, t.Window)
		}
		if t.HasEngagements {
			ch <- prometheus.MustNewConstMetric(c.soloLong, g, float64(t.SoloLong), t.Team, t.Window)
		}
	}
	return nil
}
