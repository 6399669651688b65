local g = import '../lib/grafana.libsonnet';

{
  grafanaDashboards+:: {
    'on-call-load.json': g.dashboard(
      $._config,
      uid='hero-on-call-load',
      title='hero_exporter / On-call load',
      description='Who carries the on-call load, per team: load shares, bus factor, Gini, sleep and off-hours pages, engaged time, MTTA/MTTR, open solo and recurring incidents. Figures are computed by hero_exporter from its stored history over the selected window.',
      tags=['on-call'],
      from='now-24h',
      variables=[
        g.variable('team', 'Team', 'label_values(hero_team_responders{job=~"$job",instance=~"$instance"}, team)'),
        g.variable('window', 'Window', 'label_values(hero_team_responders{job=~"$job",instance=~"$instance"}, window)', multi=false, includeAll=false, current='28d'),
      ],
      panels=[
        g.bargauge(
          'Top load share per team',
          "The largest share of a team's engaged incidents carried by one person in the selected window (hero_team_load_top_ratio). Above 50% one person carries more than the rest of the team together.",
          g.pos(0, 0, 8, 7),
          [
            g.target('max by (team) (hero_team_load_top_ratio{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='percentunit', min=0, max=1, thresholds=[['green', null], ['yellow', 0.35], ['red', 0.5]],
        ),
        g.stat(
          'Bus factor',
          "The smallest number of people who together handled at least half of the team's engaged incidents in the window (hero_team_bus_factor). 1 means the team depends on one person.",
          g.pos(8, 0, 4, 7),
          [
            g.target('min by (team) (hero_team_bus_factor{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=0, thresholds=[['red', null], ['orange', 2], ['green', 3]],
        ),
        g.stat(
          'Load inequality (Gini)',
          'Gini coefficient of engaged incidents over the team roster in the window (hero_team_load_gini): 0 = everyone handles the same number, 1 = one person handles everything.',
          g.pos(12, 0, 4, 7),
          [
            g.target('max by (team) (hero_team_load_gini{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=2, min=0, max=1, thresholds=[['green', null], ['yellow', 0.4], ['red', 0.6]],
        ),
        g.stat(
          'Incidents',
          'Incidents created in the window, all sources, services and severities (team_window:hero_incidents:sum).',
          g.pos(16, 0, 4, 7),
          [
            g.target('max by (team) (team_window:hero_incidents:sum{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'Responders',
          'People with at least one engaged incident of the team in the window (hero_team_responders).',
          g.pos(20, 0, 4, 7),
          [
            g.target('max by (team) (hero_team_responders{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.bargauge(
          'Load share per person',
          "Each person's share of the team's engaged incidents in the window (hero_responder_load_ratio). Shares of a team add up to 100%. HeroResponderLoadHigh alerts above 50% in 28d.",
          g.pos(0, 7, 12, 12),
          [
            g.target('sort_desc(max by (team, person) (hero_responder_load_ratio{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{person}} ({{team}})', instant=true),
          ],
          unit='percentunit', min=0, max=1, thresholds=[['green', null], ['yellow', 0.35], ['red', 0.5]],
        ),
        g.bargauge(
          'Sleep-hour pages per person',
          "Pages (push, phone, SMS) received between 22:00 and 08:00 in the person's own time zone, in the window (hero_responder_interruptions, period=sleep). HeroSleepInterruptionsHigh alerts above 3 in 7d.",
          g.pos(12, 7, 6, 12),
          [
            g.target('sort_desc(max by (team, person) (hero_responder_interruptions{job=~"$job",instance=~"$instance",team=~"$team",window="$window",period="sleep"}))', '{{person}} ({{team}})', instant=true),
          ],
          unit='none', decimals=0, min=0, thresholds=[['green', null], ['yellow', 2], ['red', 4]],
        ),
        g.bargauge(
          'Off-hours pages per person',
          "Pages received in the evening (18:00-22:00 on weekdays), at weekends and on holidays, in the person's own time zone, in the window (hero_responder_interruptions, period=off_hours).",
          g.pos(18, 7, 6, 12),
          [
            g.target('sort_desc(max by (team, person) (hero_responder_interruptions{job=~"$job",instance=~"$instance",team=~"$team",window="$window",period="off_hours"}))', '{{person}} ({{team}})', instant=true),
          ],
          unit='none', decimals=0, min=0, thresholds=[['green', null], ['yellow', 6], ['red', 11]],
        ),
        g.bargauge(
          'Engaged time by band',
          "Time people spent engaged in the team's incidents in the window, by local-time band: business, off_hours, sleep (team_period_window:hero_responder_engaged_seconds:sum).",
          g.pos(0, 19, 8, 9),
          [
            g.target('max by (team, period) (team_period_window:hero_responder_engaged_seconds:sum{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} {{period}}', instant=true),
          ],
          unit='s', min=0,
        ),
        g.stat(
          'Open incidents worked solo',
          'Open incidents older than the solo threshold (solo_after, default 20m) with at most one engaged person, right now (team:hero_incidents_open_solo:sum). HeroIncidentWorkedSolo alerts on any.',
          g.pos(8, 19, 4, 9),
          [
            g.target('max by (team) (team:hero_incidents_open_solo:sum{job=~"$job",instance=~"$instance",team=~"$team"}) or 0 * max by (team) (hero_team_responders{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=0, thresholds=[['green', null], ['red', 1]],
        ),
        g.stat(
          'Open incidents',
          'Incidents not resolved yet, right now, all sources, services and severities (team:hero_incidents_open:sum).',
          g.pos(12, 19, 4, 9),
          [
            g.target('max by (team) (team:hero_incidents_open:sum{job=~"$job",instance=~"$instance",team=~"$team"}) or 0 * max by (team) (hero_team_responders{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.bargauge(
          'Recurring incidents by service',
          'Incidents in the window whose recurrence key matches an earlier incident within the recurrence threshold (hero_incident_recurrences). HeroIncidentRecurring alerts above 3 in 7d.',
          g.pos(16, 19, 8, 9),
          [
            g.target('sort_desc(max by (team, service) (hero_incident_recurrences{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{service}} ({{team}})', instant=true),
          ],
          unit='none', decimals=0, min=0, thresholds=[['green', null], ['yellow', 2], ['red', 4]],
        ),
        g.timeseries(
          'Mean time to acknowledge',
          'Mean time from creation to first acknowledgement of the acknowledged incidents created in the window (hero_incident_mtta_seconds), over time.',
          g.pos(0, 28, 8, 9),
          [
            g.target('max by (team) (hero_incident_mtta_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}'),
          ],
          unit='s',
        ),
        g.timeseries(
          'Mean time to resolve',
          'Mean and 90th percentile time from creation to resolution of the resolved incidents created in the window (hero_incident_mttr_seconds, hero_incident_resolve_p90_seconds). HeroMTTRRegressed alerts when the 7d mean exceeds 1.5 times the 28d mean.',
          g.pos(8, 28, 8, 9),
          [
            g.target('max by (team) (hero_incident_mttr_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} mean'),
            g.target('max by (team) (hero_incident_resolve_p90_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} p90'),
          ],
          unit='s',
        ),
        g.timeseries(
          'Top load share over time',
          'The largest load share per team in the window, over time (hero_team_load_top_ratio): is the load spreading or concentrating?',
          g.pos(16, 28, 8, 9),
          [
            g.target('max by (team) (hero_team_load_top_ratio{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}}'),
          ],
          unit='percentunit', min=0, max=1, thresholds=[['green', null], ['yellow', 0.35], ['red', 0.5]],
        ),
        g.timeseries(
          'Pages by band over time',
          "Pages to the team's people in the window, by local-time band, over time (team_period_window:hero_responder_interruptions:sum).",
          g.pos(0, 37, 12, 9),
          [
            g.target('max by (team, period) (team_period_window:hero_responder_interruptions:sum{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} {{period}}'),
          ],
          unit='none', decimals=0,
        ),
        g.bargauge(
          'Off-rotation engagements per person',
          "Incidents a person engaged in while not on call for the incident's escalation policy, in the window (hero_responder_offrotation_incidents). Only for sources that expose on-call schedules.",
          g.pos(12, 37, 12, 9),
          [
            g.target('sort_desc(max by (team, person) (hero_responder_offrotation_incidents{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{person}} ({{team}})', instant=true),
          ],
          unit='none', decimals=0, min=0, thresholds=[['green', null], ['yellow', 3], ['red', 6]],
        ),
        g.row(
          'Progress: this window against the one before',
          'Whether the system is getting better: each figure now and over the previous window of the same length ((now-2w, now-w], computed by hero_exporter from its own history). Falling numbers are the quiet work of prevention.',
          46,
        ),
        g.stat(
          'Incidents, now and before',
          'Incidents created in the window (team_window:hero_incidents:sum) and in the window before it (hero_incidents_previous). Fewer is better.',
          g.pos(0, 47, 6, 8),
          [
            g.target('max by (team) (team_window:hero_incidents:sum{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} now', instant=true),
            g.target('max by (team) (sum without (source, service, severity) (hero_incidents_previous{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{team}} before', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'MTTR, now and before',
          'Mean time to resolve of the incidents created in the window (hero_incident_mttr_seconds) and in the window before it, as it was at its end (hero_incident_mttr_previous_seconds).',
          g.pos(6, 47, 6, 8),
          [
            g.target('max by (team) (hero_incident_mttr_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} now', instant=true),
            g.target('max by (team) (hero_incident_mttr_previous_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} before', instant=true),
          ],
          unit='s',
        ),
        g.stat(
          'Sleep-hour pages, now and before',
          "Pages of the team's incidents in people's sleep band in the window (hero_team_interruptions, period=sleep) and in the window before it (hero_team_interruptions_previous).",
          g.pos(12, 47, 6, 8),
          [
            g.target('max by (team) (hero_team_interruptions{job=~"$job",instance=~"$instance",team=~"$team",window="$window",period="sleep"})', '{{team}} now', instant=true),
            g.target('max by (team) (hero_team_interruptions_previous{job=~"$job",instance=~"$instance",team=~"$team",window="$window",period="sleep"})', '{{team}} before', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'Change failure ratio, now and before',
          "Share of the team's changes (deploys, rollbacks, config changes) followed by an incident on their service within change_failure_within, in the window (team_window:hero_changes_failed:ratio) and the window before (team_window:hero_changes_failed_previous:ratio). No changes: no value.",
          g.pos(18, 47, 6, 8),
          [
            g.target('max by (team) (team_window:hero_changes_failed:ratio{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} now', instant=true),
            g.target('max by (team) (team_window:hero_changes_failed_previous:ratio{job=~"$job",instance=~"$instance",team=~"$team",window="$window"})', '{{team}} before', instant=true),
          ],
          unit='percentunit', decimals=0, min=0, max=1,
        ),
        g.bargauge(
          'Quiet services',
          'Time since the newest incident of each service (hero_service_last_incident_timestamp_seconds): the longer, the quieter. A service quiet for longer than the history the exporter keeps (2 × the longest window + the recurrence look-back) is not listed.',
          g.pos(0, 55, 8, 10),
          [
            g.target('sort_desc(max by (team, service) (time() - hero_service_last_incident_timestamp_seconds{job=~"$job",instance=~"$instance",team=~"$team"}))', '{{service}} ({{team}})', instant=true),
          ],
          unit='s', min=0, thresholds=[['blue', null], ['green', 604800]],
        ),
        g.bargauge(
          'Interrupted nights per person',
          "Local nights with at least one sleep-band page, in the window (hero_responder_interrupted_nights): sleep broken week after week counts nights, not pages. HeroInterruptedNights alerts at 3 or more nights in 7d.",
          g.pos(8, 55, 8, 10),
          [
            g.target('sort_desc(max by (team, person) (hero_responder_interrupted_nights{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{person}} ({{team}})', instant=true),
          ],
          unit='none', decimals=0, min=0, thresholds=[['green', null], ['yellow', 2], ['red', 3]],
        ),
        g.bargauge(
          'On-call time by band',
          "Time the team's people were on call in the window, by band in their own time zone (hero_responder_oncall_seconds): how much of the rota falls in people's nights and weekends.",
          g.pos(16, 55, 8, 10),
          [
            g.target('max by (team, period) (sum without (person) (hero_responder_oncall_seconds{job=~"$job",instance=~"$instance",team=~"$team",window="$window"}))', '{{team}} {{period}}', instant=true),
          ],
          unit='s', min=0,
        ),
      ],
    ),
  },
}
