(import 'on-call-load.libsonnet') +
(import 'exceptions.libsonnet') +
(import 'exporter-health.libsonnet')
