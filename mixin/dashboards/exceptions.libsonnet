local g = import '../lib/grafana.libsonnet';

{
  grafanaDashboards+:: {
    'exceptions.json': g.dashboard(
      $._config,
      uid='hero-exceptions',
      title='hero_exporter / Exceptions',
      description='Exceptions in the followed logs, grouped by stable fingerprint: top fingerprints with type, location and message, new fingerprints, and the total trend per log.',
      tags=['exceptions'],
      from='now-6h',
      variables=[
        g.variable('log', 'Log', 'label_values(hero_exceptions_total{job=~"$job",instance=~"$instance"}, log)'),
      ],
      panels=[
        g.stat(
          'Exceptions per second',
          'All exception events in the selected logs per second (hero_exceptions_total).',
          g.pos(0, 0, 6, 7),
          [
            g.target('sum(rate(hero_exceptions_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval]))', 'exceptions/s'),
          ],
          unit='cps', decimals=2,
        ),
        g.stat(
          'Tracked fingerprints',
          'Fingerprints currently tracked per log (hero_exception_fingerprints_tracked), bounded by top_k.',
          g.pos(6, 0, 6, 7),
          [
            g.target('max by (log) (hero_exception_fingerprints_tracked{job=~"$job",instance=~"$instance",log=~"$log"})', '{{log}}', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'Untracked share',
          'Share of exception events that fall into the fingerprint="other" bucket (beyond top_k) per log. A high share means top_k is too small to show what happens.',
          g.pos(12, 0, 6, 7),
          [
            g.target('sum by (log) (rate(hero_exception_events_total{job=~"$job",instance=~"$instance",log=~"$log",fingerprint="other"}[$__rate_interval])) / sum by (log) (rate(hero_exceptions_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='percentunit', decimals=1, min=0, max=1, thresholds=[['green', null], ['yellow', 0.1], ['red', 0.3]],
        ),
        g.stat(
          'New fingerprints',
          'Fingerprints never seen before by this exporter, per log, per rate interval (hero_exception_new_fingerprints_total). Expect a few after a deploy.',
          g.pos(18, 0, 6, 7),
          [
            g.target('sum by (log) (increase(hero_exception_new_fingerprints_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='none', decimals=0, thresholds=[['green', null], ['yellow', 1]],
        ),
        g.table(
          'Top fingerprints by rate',
          'The 20 most frequent tracked exception fingerprints in the selected logs, per second, with type, top in-app location and masked message (hero_exception_events_total joined with hero_exception_info).',
          g.pos(0, 7, 24, 11),
          [
            g.target('topk(20, sum by (log, fingerprint) (rate(hero_exception_events_total{job=~"$job",instance=~"$instance",log=~"$log",fingerprint!="other"}[$__rate_interval])) * on (log, fingerprint) group_left (type, location, message) max by (log, fingerprint, type, location, message) (hero_exception_info{job=~"$job",instance=~"$instance",log=~"$log"}))', instant=true, format='table'),
          ],
          unit='cps', organize={ excludeByName: { Time: true }, indexByName: { Value: 0, log: 1, type: 2, location: 3, message: 4, fingerprint: 5 }, renameByName: { Value: 'per second' } },
        ),
        g.timeseries(
          'Fingerprint rate',
          'Exception events per second of the 10 most frequent fingerprints (hero_exception_events_total).',
          g.pos(0, 18, 12, 10),
          [
            g.target('topk(10, sum by (log, fingerprint) (rate(hero_exception_events_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval])))', '{{log}} {{fingerprint}}'),
          ],
          unit='cps',
        ),
        g.timeseries(
          'Exceptions per second by log',
          'All exception events per second, per log (hero_exceptions_total): the total trend.',
          g.pos(12, 18, 12, 10),
          [
            g.target('sum by (log) (rate(hero_exceptions_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='cps',
        ),
        g.timeseries(
          'New fingerprints over time',
          'New fingerprints per rate interval, per log (hero_exception_new_fingerprints_total). Spikes line up with deploys.',
          g.pos(0, 28, 24, 8),
          [
            g.target('sum by (log) (increase(hero_exception_new_fingerprints_total{job=~"$job",instance=~"$instance",log=~"$log"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='none', decimals=0, drawStyle='bars',
        ),
        g.row(
          'Progress: this window against the one before',
          'Whether the logs are getting quieter: top-10 exception volume in the last 28 days against the 28 before, and the fingerprints that fired before and went quiet (computed by hero_exporter from hourly counts it keeps in its store).',
          36,
        ),
        g.stat(
          'Top-10 exception volume, now and before',
          'Events of the ten fingerprints with the most events in the last 28d (hero_exception_top10_events) and in the 28d before (hero_exception_top10_events_previous), each window ranked on its own. Falling is the quiet work of fixing the causes.',
          g.pos(0, 37, 12, 8),
          [
            g.target('max by (log) (hero_exception_top10_events{job=~"$job",instance=~"$instance",log=~"$log",window="28d"})', '{{log}} now', instant=true),
            g.target('max by (log) (hero_exception_top10_events_previous{job=~"$job",instance=~"$instance",log=~"$log",window="28d"})', '{{log}} before', instant=true),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'Retired fingerprints',
          'Fingerprints with events in the previous 28 days and none in the last 28 (hero_exception_fingerprints_retired): exceptions someone fixed, or that went quiet.',
          g.pos(12, 37, 12, 8),
          [
            g.target('max by (log) (hero_exception_fingerprints_retired{job=~"$job",instance=~"$instance",log=~"$log",window="28d"})', '{{log}}', instant=true),
          ],
          unit='none', decimals=0, thresholds=[['blue', null], ['green', 1]],
        ),
      ],
    ),
  },
}
