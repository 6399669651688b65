// The hero_exporter monitoring mixin (the convention of node-mixin and kubernetes-mixin):
// _config (config.libsonnet) parameterises prometheusAlerts, prometheusRules and
// grafanaDashboards. rules/ and dashboards/ of this repository are generated from it by
// `make mixin` (mixin/cmd/mixin); mixin/README.md explains how to use it with your own
// settings.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
