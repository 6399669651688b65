local g = import '../lib/grafana.libsonnet';

{
  grafanaDashboards+:: {
    'exporter-health.json': g.dashboard(
      $._config,
      uid='hero-exporter-health',
      title='hero_exporter / Exporter health',
      description='Health of hero_exporter itself: incident sources (up, sync age and duration, API requests, rate-limit headroom), collectors, and log followers.',
      tags=['health'],
      from='now-6h',
      variables=[
      ],
      panels=[
        g.stat(
          'Sources up',
          '1 when the last sync of the source succeeded (hero_source_up). HeroSourceDown alerts after 15m down.',
          g.pos(0, 0, 8, 7),
          [
            g.target('hero_source_up{job=~"$job",instance=~"$instance"}', '{{source}} ({{type}})', instant=true),
          ],
          unit='none', thresholds=[['red', null], ['green', 1]], mappings=g.valueMap({ '0': ['red', 'DOWN'], '1': ['green', 'UP'] }),
        ),
        g.stat(
          'Time since last successful sync',
          "Age of each source's last successful sync (hero_source_last_success_timestamp_seconds). HeroSourceDataStale alerts above 1h.",
          g.pos(8, 0, 8, 7),
          [
            g.target('time() - hero_source_last_success_timestamp_seconds{job=~"$job",instance=~"$instance"}', '{{source}} ({{type}})', instant=true),
          ],
          unit='s', thresholds=[['green', null], ['yellow', 600], ['red', 3600]],
        ),
        g.stat(
          'Collector success',
          '1 when the collector succeeded on the last scrape (hero_scrape_collector_success). HeroExporterCollectorFailing alerts after 15m of failures.',
          g.pos(16, 0, 8, 7),
          [
            g.target('hero_scrape_collector_success{job=~"$job",instance=~"$instance"}', '{{collector}}', instant=true),
          ],
          unit='none', thresholds=[['red', null], ['green', 1]], mappings=g.valueMap({ '0': ['red', 'FAIL'], '1': ['green', 'OK'] }),
        ),
        g.timeseries(
          'Sync duration',
          "Duration of each source's last sync (hero_source_sync_duration_seconds).",
          g.pos(0, 7, 12, 8),
          [
            g.target('hero_source_sync_duration_seconds{job=~"$job",instance=~"$instance"}', '{{source}} ({{type}})'),
          ],
          unit='s',
        ),
        g.timeseries(
          'Collector duration',
          'Time each collector took on the last scrape (hero_scrape_collector_duration_seconds).',
          g.pos(12, 7, 12, 8),
          [
            g.target('hero_scrape_collector_duration_seconds{job=~"$job",instance=~"$instance"}', '{{collector}} ({{instance}})'),
          ],
          unit='s',
        ),
        g.timeseries(
          'API requests by code',
          "Requests per second to each source's API by HTTP status code (hero_source_api_requests_total). 429 means rate-limited, 401/403 a token problem.",
          g.pos(0, 15, 12, 8),
          [
            g.target('sum by (source, code) (rate(hero_source_api_requests_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))', '{{source}} {{code}}'),
          ],
          unit='reqps',
        ),
        g.timeseries(
          'Rate-limit headroom',
          'Requests left in the current rate-limit window, as the API last reported (hero_source_rate_limit_remaining). Only for APIs that report it.',
          g.pos(12, 15, 12, 8),
          [
            g.target('hero_source_rate_limit_remaining{job=~"$job",instance=~"$instance"}', '{{source}} ({{type}})'),
          ],
          unit='none', decimals=0,
        ),
        g.stat(
          'Log files followed',
          'Files currently followed per configured log (hero_log_files). 0 means the globs match nothing.',
          g.pos(0, 23, 6, 8),
          [
            g.target('hero_log_files{job=~"$job",instance=~"$instance"}', '{{log}}', instant=true),
          ],
          unit='none', decimals=0, thresholds=[['red', null], ['green', 1]],
        ),
        g.timeseries(
          'Log read errors',
          'Read, open and rotation errors per second, per log (hero_log_errors_total). HeroLogReadErrors alerts when they persist for 15m.',
          g.pos(6, 23, 6, 8),
          [
            g.target('sum by (instance, log) (rate(hero_log_errors_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))', '{{log}} ({{instance}})'),
          ],
          unit='cps', thresholds=[['green', null], ['red', 0.0001]],
        ),
        g.timeseries(
          'Log lines read',
          'Lines read per second, per log (hero_log_lines_total).',
          g.pos(12, 23, 6, 8),
          [
            g.target('sum by (log) (rate(hero_log_lines_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='cps',
        ),
        g.timeseries(
          'Log bytes read',
          'Bytes read per second, per log (hero_log_bytes_total).',
          g.pos(18, 23, 6, 8),
          [
            g.target('sum by (log) (rate(hero_log_bytes_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))', '{{log}}'),
          ],
          unit='Bps',
        ),
        g.table(
          'Exporter version',
          'Version and revision of each hero_exporter instance (hero_exporter_build_info).',
          g.pos(0, 31, 24, 5),
          [
            g.target('hero_exporter_build_info{job=~"$job",instance=~"$instance"}', instant=true, format='table'),
          ],
          unit='none', organize={ excludeByName: { Time: true, Value: true, __name__: true } },
        ),
      ],
    ),
  },
}
