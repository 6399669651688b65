// The settings of the hero_exporter mixin. Override them the way node-mixin and
// kubernetes-mixin are configured:
//
//   (import 'mixin.libsonnet') + { _config+:: { heroExporterSelector: 'job="hero"' } }
//
// then run the generator (see mixin/README.md). The rules/ and dashboards/ files in this
// repository are generated with these defaults.
{
  _config+:: {
    // Selects the hero_exporter targets in every alert and recording rule and in the
    // dashboards' job variable. It must match the scrape job (examples/prometheus.yml, the
    // Helm chart's ServiceMonitor and the systemd/container examples all use job="hero_exporter").
    heroExporterSelector: 'job="hero_exporter"',

    // Where the runbook_url annotations point.
    runbookURL: 'https://github.com/hero-exporter/hero_exporter/blob/main/rules/runbook.md',

    // The exporter's analysis windows the rules use (the window label; the exporter's
    // analysis.windows must contain both).
    shortWindow: '7d',
    longWindow: '28d',

    // People alerts. HeroResponderLoadHigh and HeroTeamBusFactorOne look only at teams with
    // at least teamMinResponders responders and teamMinIncidents incidents in longWindow.
    responderLoadThreshold: 0.5,  // load share of one person, over longWindow
    teamMinResponders: 3,
    teamMinIncidents: 10,
    teamAlertFor: '1h',
    sleepInterruptionsThreshold: 3,  // sleep-hour pages to one person in shortWindow
    interruptedNightsThreshold: 3,  // nights with a sleep page, of the shortWindow, at or above which HeroInterruptedNights fires
    offHoursInterruptionsThreshold: 10,  // off-hours pages to one person in shortWindow
    interruptionsFor: '15m',
    soloFor: '5m',

    // Incident alerts.
    recurrencesThreshold: 3,  // recurrences of one team/service in shortWindow
    recurrencesFor: '15m',
    mttrRegressionFactor: 1.5,  // shortWindow MTTR over longWindow MTTR
    mttrMinIncidents: 5,  // incidents of the team in shortWindow
    mttrFor: '1h',

    // Exception alerts.
    exceptionSurgeFactor: 3,  // 5m rate over 1h rate
    exceptionSurgeMinRate: 0.1,  // events per second
    exceptionSurgeFor: '5m',
    newFingerprintsWindow: '30m',
    newFingerprintsFor: '5m',

    // Fleet rules (rules/hero_fleet_rules.yml): the top fleetTopN exception fingerprints
    // summed over every exporter the selector matches (fingerprints are identical across
    // nodes by design).
    fleetTopN: 20,

    // Alerts about the exporter itself.
    sourceStaleSeconds: 3600,
    exporterAlertFor: '15m',

    // Dashboards.
    dashboardTags: ['hero_exporter'],
    dashboardRefresh: '1m',
    dashboardTimezone: 'browser',
  },
}
