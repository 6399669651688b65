package collector

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

func init() {
	registerSnapshotCollector("responders", true, newRespondersCollector)
}

type respondersCollector struct {
	p                                             Provider
	incidents, load, interruptions, engaged, offr *prometheus.Desc
	nights, oncall                                *prometheus.Desc
}

func newRespondersCollector(p Provider, _ *slog.Logger) Collector {
	return &respondersCollector{
		p:             p,
		incidents:     desc("responder_incidents", "Incidents of the team created in the window that the person engaged."+stored, "team", "person", "window"),
		load:          desc("responder_load_ratio", "The person's share of the team's engaged incidents in the window (a team's shares sum to 1; absent when the team engaged no incident in the window)."+stored, "team", "person", "window"),
		interruptions: desc("responder_interruptions", "Push, phone and SMS notifications to the person (60 s de-duplicated) in the window, by local-time period."+stored, "team", "person", "window", "period"),
		engaged:       desc("responder_engaged_seconds", "Seconds the person was engaged in the team's incidents in the window, by local-time period."+stored, "team", "person", "window", "period"),
		nights:        desc("responder_interrupted_nights", "Local nights of the person's sleep band (by the date they start) with at least one sleep-band page, whose start is in the window."+stored, "team", "person", "window"),
		oncall:        desc("responder_oncall_seconds", "Seconds the person was on call (any shift and level, overlaps once) in the window, by local-time period."+stored, "team", "person", "window", "period"),
		offr:          desc("responder_offrotation_incidents", "Incidents the person engaged while not on call for the incident's escalation policy."+stored, "team", "person", "window"),
	}
}

func (c *respondersCollector) Update(ch chan<- prometheus.Metric) error {
	s := c.p.Snapshot()
	if s == nil {
		return nil
	}
	g := prometheus.GaugeValue
	for _, r := range s.Responders {
		ch <- prometheus.MustNewConstMetric(c.incidents, g, float64(r.Incidents), r.Team, r.Person, r.Window)
		if r.HasLoadRatio {
			ch <- prometheus.MustNewConstMetric(c.load, g, r.LoadRatio, r.Team, r.Person, r.Window)
		}
		if r.HasPages {
			ch <- prometheus.MustNewConstMetric(c.nights, g, float64(r.InterruptedNights), r.Team, r.Person, r.Window)
			for p := incident.Period(0); p < incident.NumPeriods; p++ {
				ch <- prometheus.MustNewConstMetric(c.interruptions, g, float64(r.Interruptions[p]), r.Team, r.Person, r.Window, p.String())
			}
		}
		for p := incident.Period(0); p < incident.NumPeriods; p++ {
			ch <- prometheus.MustNewConstMetric(c.engaged, g, r.EngagedSeconds[p], r.Team, r.Person, r.Window, p.String())
		}
		if r.HasOnCall {
			ch <- prometheus.MustNewConstMetric(c.offr, g, float64(r.OffRotation), r.Team, r.Person, r.Window)
			for p := incident.Period(0); p < incident.NumPeriods; p++ {
				ch <- prometheus.MustNewConstMetric(c.oncall, g, r.OnCallSeconds[p], r.Team, r.Person, r.Window, p.String())
			}
		}
	}
	return nil
}
