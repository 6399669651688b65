// Recording rules. Names follow level:metric:operations
// (https://prometheus.io/docs/practices/rules/): the level lists the labels the result is
// aggregated to. Every rule keeps `job` and `instance`, so two exporters (or two replicas of
// one) are never summed into one figure; dashboards de-duplicate replicas with max by (...).
{
  prometheusRules+:: {
    local c = $._config,
    local sel = c.heroExporterSelector,
    groups+: [
      {
        name: 'hero.rules.incidents',
        rules: [
          {
            // Incidents created in each window, per team (all sources, services and severities).
            record: 'team_window:hero_incidents:sum',
            expr: 'sum without (source, service, severity) (hero_incidents{%s})' % sel,
          },
          {
            // Incidents open right now, per team.
            record: 'team:hero_incidents_open:sum',
            expr: 'sum without (source, service, severity) (hero_incidents_open{%s})' % sel,
          },
          {
            // Open incidents worked solo for longer than the exporter's solo_after, per team.
            record: 'team:hero_incidents_open_solo:sum',
            expr: 'sum without (source) (hero_incidents_open_solo{%s})' % sel,
          },
          {
            // MTTR over the short window relative to the long window: 1 = unchanged, 2 =
            // twice as slow. The window label is dropped; the ratio belongs to the team.
            record: 'team:hero_incident_mttr_seconds:ratio_%(shortWindow)s_%(longWindow)s' % c,
            expr: |||
              hero_incident_mttr_seconds{%(heroExporterSelector)s,window="%(shortWindow)s"}
              / ignoring (window)
              hero_incident_mttr_seconds{%(heroExporterSelector)s,window="%(longWindow)s"}
            ||| % c,
          },
        ],
      },
      {
        name: 'hero.rules.changes',
        rules: [
          {
            // Change failure ratio per team and window: failed changes over changes (all
            // sources and services). No changes: no ratio (not 0, not NaN).
            record: 'team_window:hero_changes_failed:ratio',
            expr: |||
              sum without (source, service) (hero_changes_failed{%(sel)s})
              /
              (sum without (source, service) (hero_changes{%(sel)s}) > 0)
            ||| % { sel: sel },
          },
          {
            // The same over the previous window, to show whether it fell.
            record: 'team_window:hero_changes_failed_previous:ratio',
            expr: |||
              sum without (source, service) (hero_changes_failed_previous{%(sel)s})
              /
              (sum without (source, service) (hero_changes_previous{%(sel)s}) > 0)
            ||| % { sel: sel },
          },
        ],
      },
      {
        name: 'hero.rules.responders',
        rules: [
          {
            // Pages per team and time band.
            record: 'team_period_window:hero_responder_interruptions:sum',
            expr: 'sum without (person) (hero_responder_interruptions{%s})' % sel,
          },
          {
            // Engaged seconds per team and time band.
            record: 'team_period_window:hero_responder_engaged_seconds:sum',
            expr: 'sum without (person) (hero_responder_engaged_seconds{%s})' % sel,
          },
        ],
      },
      {
        name: 'hero.rules.exceptions',
        rules: [
          {
            // Exception events per second per log and fingerprint, short and long term; the
            // surge alert compares the two.
            record: 'log_fingerprint:hero_exception_events:rate5m',
            expr: 'rate(hero_exception_events_total{%s}[5m])' % sel,
          },
          {
            record: 'log_fingerprint:hero_exception_events:rate1h',
            expr: 'rate(hero_exception_events_total{%s}[1h])' % sel,
          },
        ],
      },
      {
        // Fleet-wide figures: these aggregate job and instance away on purpose. Exception
        // fingerprints are identical on every node, so summing a fingerprint's rate over
        // all exporters (a DaemonSet, many VMs, several clusters behind Thanos or Mimir)
        // gives the fleet's figure. Where one Prometheus does not see every exporter,
        // evaluate this group in Thanos Ruler or the Mimir ruler (docs/deployment.md).
        name: 'hero.rules.fleet',
        rules: [
          {
            record: 'log_fingerprint:hero_exception_events:sum_rate5m',
            expr: 'sum by (log, fingerprint) (rate(hero_exception_events_total{%s,fingerprint!="other"}[5m]))' % sel,
          },
          {
            record: 'log_fingerprint:hero_exception_events:sum_rate1h',
            expr: 'sum by (log, fingerprint) (rate(hero_exception_events_total{%s,fingerprint!="other"}[1h]))' % sel,
          },
          {
            // The fleet's top N fingerprints of the last hour (N = _config.fleetTopN).
            record: 'log_fingerprint:hero_exception_events:topk_sum_rate1h',
            expr: 'topk(%d, log_fingerprint:hero_exception_events:sum_rate1h)' % c.fleetTopN,
          },
        ],
      },
    ],
  },
}
