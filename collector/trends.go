package collector

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

func init() {
	registerSnapshotCollector("trends", true, newTrendsCollector)
}

// trendsCollector: METRICS.md "Trends, changes and prevention" (incident side).
type trendsCollector struct {
	p                                               Provider
	incPrev, mttrPrev, inter, interPrev, lastInc    *prometheus.Desc
	changes, changesPrev, failed, failedPrev, after *prometheus.Desc
}

const previous = " Over the previous window (now-2w, now-w], as computed at its end."

func newTrendsCollector(p Provider, _ *slog.Logger) Collector {
	return &trendsCollector{
		p:           p,
		incPrev:     desc("incidents_previous", "Incidents created in the window before the window."+previous+stored, "source", "team", "service", "severity", "window"),
		mttrPrev:    desc("incident_mttr_previous_seconds", "Mean time to resolve of the resolved incidents created in the window before the window."+previous+stored, "team", "window"),
		inter:       desc("team_interruptions", "Pages of the team's incidents in the window, by the paged person's time band."+stored, "team", "window", "period"),
		interPrev:   desc("team_interruptions_previous", "Pages of the team's incidents in the window before the window, by band."+previous+stored, "team", "window", "period"),
		lastInc:     desc("service_last_incident_timestamp_seconds", "Creation time of the newest stored incident of the team and service."+stored, "team", "service"),
		changes:     desc("changes", "Changes (deploys, rollbacks, config changes) in the window."+stored, "source", "team", "service", "window"),
		changesPrev: desc("changes_previous", "Changes in the window before the window."+previous+stored, "source", "team", "service", "window"),
		failed:      desc("changes_failed", "Changes in the window followed by an incident on their service within thresholds.change_failure_within."+stored, "source", "team", "service", "window"),
		failedPrev:  desc("changes_failed_previous", "Failed changes in the window before the window."+previous+stored, "source", "team", "service", "window"),
		after:       desc("incidents_after_change", "Incidents created in the window within thresholds.change_failure_within after a change on their service."+stored, "team", "service", "window"),
	}
}

func (c *trendsCollector) Update(ch chan<- prometheus.Metric) error {
	s := c.p.Snapshot()
	if s == nil || s.Trends == nil {
		return nil
	}
	t := s.Trends
	g := prometheus.GaugeValue
	for _, r := range t.IncidentsPrevious {
		ch <- prometheus.MustNewConstMetric(c.incPrev, g, float64(r.Count), r.Source, r.Team, r.Service, string(r.Severity), r.Window)
	}
	for _, r := range t.MTTRPrevious {
		ch <- prometheus.MustNewConstMetric(c.mttrPrev, g, r.Value, r.Team, r.Window)
	}
	for _, r := range t.Interruptions {
		for p := incident.Period(0); p < incident.NumPeriods; p++ {
			ch <- prometheus.MustNewConstMetric(c.inter, g, float64(r.Pages[p]), r.Team, r.Window, p.String())
		}
	}
	for _, r := range t.InterruptionsPrevious {
		for p := incident.Period(0); p < incident.NumPeriods; p++ {
			ch <- prometheus.MustNewConstMetric(c.interPrev, g, float64(r.Pages[p]), r.Team, r.Window, p.String())
		}
	}
	for _, r := range t.LastIncident {
		ch <- prometheus.MustNewConstMetric(c.lastInc, g, float64(r.At.UnixMilli())/1e3, r.Team, r.Service)
	}
	for _, r := range t.Changes {
		ch <- prometheus.MustNewConstMetric(c.changes, g, float64(r.Changes), r.Source, r.Team, r.Service, r.Window)
		ch <- prometheus.MustNewConstMetric(c.changesPrev, g, float64(r.ChangesPrevious), r.Source, r.Team, r.Service, r.Window)
		ch <- prometheus.MustNewConstMetric(c.failed, g, float64(r.Failed), r.Source, r.Team, r.Service, r.Window)
		ch <- prometheus.MustNewConstMetric(c.failedPrev, g, float64(r.FailedPrev), r.Source, r.Team, r.Service, r.Window)
	}
	for _, r := range t.AfterChange {
		ch <- prometheus.MustNewConstMetric(c.after, g, float64(r.Count), r.Team, r.Service, r.Window)
	}
	return nil
}
