package collector

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	registerSnapshotCollector("teams", true, newTeamsCollector)
}

type teamsCollector struct {
	p                                  Provider
	responders, topRatio, gini, busFac *prometheus.Desc
}

func newTeamsCollector(p Provider, _ *slog.Logger) Collector {
	return &teamsCollector{
		p:          p,
		responders: desc("team_responders", "People with at least one engagement in the team's incidents created in the window."+stored, "team", "window"),
		topRatio:   desc("team_load_top_ratio", "The largest load share of one person in the team."+stored, "team", "window"),
		gini:       desc("team_load_gini", "Gini coefficient of engaged incidents over the team roster (0 = even, towards 1 = one person)."+stored, "team", "window"),
		busFac:     desc("team_bus_factor", "Smallest number of people whose load shares add up to at least half."+stored, "team", "window"),
	}
}

func (c *teamsCollector) Update(ch chan<- prometheus.Metric) error {
	s := c.p.Snapshot()
	if s == nil {
		return nil
	}
	g := prometheus.GaugeValue
	for _, t := range s.Teams {
		if t.HasEngagements {
			ch <- prometheus.MustNewConstMetric(c.responders, g, float64(t.Responders), t.Team, t.Window)
		}
		if !t.HasLoad {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.topRatio, g, t.TopRatio, t.Team, t.Window)
		ch <- prometheus.MustNewConstMetric(c.gini, g, t.Gini, t.Team, t.Window)
		ch <- prometheus.MustNewConstMetric(c.busFac, g, float64(t.BusFactor), t.Team, t.Window)
	}
	return nil
}
