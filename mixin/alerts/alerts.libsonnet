// Alerts. What each alert means, how to check it and what a team can change:
// rules/runbook.md.
//
// Severity: alerts about people and teams are `warning` or `info`, never `critical`; they
// ask for a conversation, not a page. They carry `audience: team` so that Alertmanager can
// send them to the team's chat (see examples/alertmanager.yml). Exception alerts carry
// `audience: service`, alerts about the exporter itself `audience: operator`.
//
// Every expression selects the exporter with _config.heroExporterSelector; no alert names a
// job of its own.
{
  local c = $._config,
  local sel = c.heroExporterSelector,
  local runbook(name) = '%s#%s' % [c.runbookURL, std.asciiLower(name)],
  local alert(name, expr, for_, severity, audience, summary, description) = {
    alert: name,
    expr: expr,
    'for': for_,
    labels: { severity: severity, audience: audience },
    annotations: { summary: summary, description: description, runbook_url: runbook(name) },
  },
  local pct(x) = '%g%%' % (100 * x),
  // human('28d') = '28 days', human('15m') = '15 minutes', human('1h') = '1 hour'.
  local human(d) =
    local n = std.parseInt(std.substr(d, 0, std.length(d) - 1));
    local unit = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' }[d[std.length(d) - 1]];
    '%d %s%s' % [n, unit, if n == 1 then '' else 's'],
  local humanSeconds(s) =
    if s % 3600 == 0 then '%dh' % (s / 3600) else if s % 60 == 0 then '%dm' % (s / 60) else '%ds' % s,
  local teamGuard = |||
    and on (job, instance, team, window)
      hero_team_responders{%(heroExporterSelector)s,window="%(longWindow)s"} >= %(teamMinResponders)g
    and on (job, instance, team, window)
      team_window:hero_incidents:sum{%(heroExporterSelector)s,window="%(longWindow)s"} >= %(teamMinIncidents)g
  ||| % c,

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'hero.alerts.people',
        rules: [
          alert(
            'HeroResponderLoadHigh',
            'hero_responder_load_ratio{%(heroExporterSelector)s,window="%(longWindow)s"} > %(responderLoadThreshold)g\n' % c + teamGuard,
            c.teamAlertFor, 'warning', 'team',
            'One person carries more than half of a team\'s incident load.',
            '{{ $labels.person }} was engaged in {{ $value | humanizePercentage }} of the incidents of team {{ $labels.team }} over the last %s (threshold %s). The load rests on one person; the team can spread it.' % [human(c.longWindow), pct(c.responderLoadThreshold)],
          ),
          alert(
            'HeroTeamBusFactorOne',
            'hero_team_bus_factor{%(heroExporterSelector)s,window="%(longWindow)s"} == 1\n' % c + teamGuard,
            c.teamAlertFor, 'info', 'team',
            "A team's incident work depends on a single person.",
            'The bus factor of team {{ $labels.team }} over the last %s is {{ $value }}: one person handled at least half of its incidents.' % human(c.longWindow),
          ),
          alert(
            'HeroSleepInterruptionsHigh',
            'hero_responder_interruptions{%(heroExporterSelector)s,window="%(shortWindow)s",period="sleep"} > %(sleepInterruptionsThreshold)g' % c,
            c.interruptionsFor, 'warning', 'team',
            'A person was paged often during their sleep hours.',
            '{{ $labels.person }} was paged {{ $value }} times during their sleep hours (their own time zone) for team {{ $labels.team }} in the last %s (threshold %g).' % [human(c.shortWindow), c.sleepInterruptionsThreshold],
          ),
          alert(
            'HeroInterruptedNights',
            'hero_responder_interrupted_nights{%(heroExporterSelector)s,window="%(shortWindow)s"} >= %(interruptedNightsThreshold)g' % c,
            c.interruptionsFor, 'warning', 'team',
            "A person's sleep was broken on several nights.",
            '{{ $labels.person }} was paged during their sleep hours on {{ $value }} different nights in the last %s for team {{ $labels.team }} (threshold %g nights).' % [human(c.shortWindow), c.interruptedNightsThreshold],
          ),
          alert(
            'HeroOffHoursInterruptionsHigh',
            'hero_responder_interruptions{%(heroExporterSelector)s,window="%(shortWindow)s",period="off_hours"} > %(offHoursInterruptionsThreshold)g' % c,
            c.interruptionsFor, 'info', 'team',
            'A person was paged often outside business hours.',
            '{{ $labels.person }} was paged {{ $value }} times in the evening, at the weekend or on holidays for team {{ $labels.team }} in the last %s (threshold %g).' % [human(c.shortWindow), c.offHoursInterruptionsThreshold],
          ),
          alert(
            'HeroIncidentWorkedSolo',
            'hero_incidents_open_solo{%s} > 0' % sel,
            c.soloFor, 'warning', 'team',
            'An open incident has been worked by one person alone for a long time.',
            '{{ $value }} open incident(s) of team {{ $labels.team }} (source {{ $labels.source }}) have had at most one responder for longer than the solo threshold.',
          ),
        ],
      },
      {
        name: 'hero.alerts.incidents',
        rules: [
          alert(
            'HeroIncidentRecurring',
            'hero_incident_recurrences{%(heroExporterSelector)s,window="%(shortWindow)s"} > %(recurrencesThreshold)g' % c,
            c.recurrencesFor, 'warning', 'team',
            'The same incident keeps coming back.',
            'Service {{ $labels.service }} of team {{ $labels.team }} had {{ $value }} recurring incidents in the last %s (threshold %g).' % [human(c.shortWindow), c.recurrencesThreshold],
          ),
          alert(
            'HeroMTTRRegressed',
            |||
              team:hero_incident_mttr_seconds:ratio_%(shortWindow)s_%(longWindow)s{%(heroExporterSelector)s} > %(mttrRegressionFactor)g
              and on (job, instance, team)
                team_window:hero_incidents:sum{%(heroExporterSelector)s,window="%(shortWindow)s"} >= %(mttrMinIncidents)g
            ||| % c,
            c.mttrFor, 'info', 'team',
            'Incidents take clearly longer to resolve than usual.',
            'The mean time to resolve of team {{ $labels.team }} over the last %s is {{ $value | printf "%%.2f" }} times its %s value (threshold %g).' % [human(c.shortWindow), std.strReplace(human(c.longWindow), ' days', '-day'), c.mttrRegressionFactor],
          ),
        ],
      },
      {
        name: 'hero.alerts.exceptions',
        rules: [
          alert(
            'HeroExceptionRateSurge',
            |||
              (
                log_fingerprint:hero_exception_events:rate5m{%(heroExporterSelector)s} > %(exceptionSurgeMinRate)g
                and
                log_fingerprint:hero_exception_events:rate5m{%(heroExporterSelector)s} > %(exceptionSurgeFactor)g * log_fingerprint:hero_exception_events:rate1h{%(heroExporterSelector)s}
              )
              * on (job, instance, log, fingerprint) group_left (type, location)
                hero_exception_info{%(heroExporterSelector)s}
            ||| % c,
            c.exceptionSurgeFor, 'warning', 'service',
            'An exception fingerprint occurs much more often than in the last hour.',
            '{{ $labels.type }} at {{ $labels.location }} (fingerprint {{ $labels.fingerprint }}) in log {{ $labels.log }} occurs {{ $value | humanize }} times per second, more than %g times its rate over the last hour.' % c.exceptionSurgeFactor,
          ),
          alert(
            'HeroExceptionNewFingerprints',
            'increase(hero_exception_new_fingerprints_total{%(heroExporterSelector)s}[%(newFingerprintsWindow)s]) > 0' % c,
            c.newFingerprintsFor, 'info', 'service',
            'Exceptions never seen before appear in a log.',
            'Log {{ $labels.log }} produced about {{ $value | printf "%%.0f" }} new exception fingerprint(s) in the last %s.' % human(c.newFingerprintsWindow),
          ),
        ],
      },
      {
        name: 'hero.alerts.exporter',
        rules: [
          alert(
            'HeroSourceDown',
            'hero_source_up{%s} == 0' % sel,
            c.exporterAlertFor, 'warning', 'operator',
            'hero_exporter cannot sync an incident source.',
            'Source {{ $labels.source }} ({{ $labels.type }}) on {{ $labels.instance }} has failed to sync for at least %s; its figures are frozen at the last successful sync.' % human(c.exporterAlertFor),
          ),
          alert(
            'HeroSourceDataStale',
            'time() - hero_source_last_success_timestamp_seconds{%(heroExporterSelector)s} > %(sourceStaleSeconds)d' % c,
            c.exporterAlertFor, 'warning', 'operator',
            'The data of an incident source is old.',
            'Source {{ $labels.source }} ({{ $labels.type }}) on {{ $labels.instance }} last synced successfully {{ $value | humanizeDuration }} ago (threshold %s).' % humanSeconds(c.sourceStaleSeconds),
          ),
          alert(
            'HeroLogReadErrors',
            'rate(hero_log_errors_total{%s}[5m]) * 60 > 0' % sel,
            c.exporterAlertFor, 'warning', 'operator',
            'hero_exporter keeps failing to read a log.',
            'Log {{ $labels.log }} on {{ $labels.instance }} has had read, open or rotation errors for %s ({{ $value | printf "%%.1f" }} per minute); its exception counts are incomplete.' % human(c.exporterAlertFor),
          ),
          alert(
            'HeroExporterCollectorFailing',
            'hero_scrape_collector_success{%s} == 0' % sel,
            c.exporterAlertFor, 'warning', 'operator',
            'A hero_exporter collector fails on every scrape.',
            'Collector {{ $labels.collector }} on {{ $labels.instance }} has failed for %s; its metrics are missing.' % human(c.exporterAlertFor),
          ),
          alert(
            'HeroExporterConfigReloadFailed',
            'hero_exporter_config_last_reload_successful{%s} == 0' % sel,
            c.exporterAlertFor, 'warning', 'operator',
            'hero_exporter cannot load its configuration file.',
            'The last reload of the configuration of hero_exporter on {{ $labels.instance }} failed (last_reload_successful = {{ $value }}) and none has succeeded for %s; the previous configuration keeps running and the next restart will fail.' % human(c.exporterAlertFor),
          ),
          alert(
            'HeroExporterDown',
            'absent(hero_exporter_build_info{%s})' % sel,
            c.exporterAlertFor, 'warning', 'operator',
            'Prometheus has no data from hero_exporter.',
            'No hero_exporter target of job {{ $labels.job }} has been scraped successfully for %s; on-call load dashboards and alerts are blind.' % human(c.exporterAlertFor),
          ),
        ],
      },
    ],
  },
}
