// Helpers that build the Grafana JSON of the hero_exporter dashboards. They encode the
// conventions the dashboard tests (dashboards/dashboards_test.go) and Grafana's dashboard
// linter check: every query goes through the $datasource variable, every panel has a
// description and a unit, job and instance variables are multi-select with allValue ".+",
// dashboards are not editable and have fixed uids.
{
  // The data source of every panel, target and query variable: the dashboard variable.
  datasource:: { type: 'prometheus', uid: '${datasource}' },

  pos(x, y, w, h):: { x: x, y: y, w: w, h: h },

  // thresholds([[color, value], ...]); the first value is null (the base colour).
  thresholds(steps):: { mode: 'absolute', steps: [{ color: s[0], value: s[1] } for s in steps] },

  // A value mapping of numbers to text and colour: valueMap({ '0': ['red', 'DOWN'], ... }).
  valueMap(m):: [{
    type: 'value',
    options: {
      [k]: { color: m[k][0], index: i, text: m[k][1] }
      for i in std.range(0, std.length(std.objectFields(m)) - 1)
      for k in [std.objectFields(m)[i]]
    },
  }],

  // One PromQL query. The panel helpers number the refIds (A, B, ...).
  target(expr, legend='', instant=false, format=null):: {
    datasource: $.datasource,
    expr: expr,
    legendFormat: legend,
    range: !instant,
    instant: instant,
    editorMode: 'code',
  } + (if format == null then {} else { format: format }),

  // A row: a titled band across the dashboard that groups the panels below it.
  row(title, description, y):: {
    type: 'row',
    title: title,
    description: description,
    collapsed: false,
    gridPos: $.pos(0, y, 24, 1),
    panels: [],
  },

  // The fields every panel type shares.
  panel(type, title, description, gridPos, targets, unit, decimals=null, min=null, max=null,
        thresholds=[['blue', null]], mappings=[]):: {
    type: type,
    title: title,
    description: description,
    datasource: $.datasource,
    gridPos: gridPos,
    fieldConfig: {
      defaults: {
        unit: unit,
        color: { mode: 'thresholds' },
        thresholds: $.thresholds(thresholds),
        mappings: mappings,
      } + (if decimals == null then {} else { decimals: decimals })
      + (if min == null then {} else { min: min })
      + (if max == null then {} else { max: max }),
      overrides: [],
    },
    targets: [targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1)],
  },

  stat(title, description, gridPos, targets, unit, decimals=null, min=null, max=null,
       thresholds=[['blue', null]], mappings=[])::
    $.panel('stat', title, description, gridPos, targets, unit, decimals, min, max, thresholds, mappings) {
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'auto',
        textMode: 'value_and_name',
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'center',
        text: { titleSize: 20, valueSize: 48 },
      },
    },

  bargauge(title, description, gridPos, targets, unit, decimals=null, min=null, max=null,
           thresholds=[['blue', null]], mappings=[])::
    $.panel('bargauge', title, description, gridPos, targets, unit, decimals, min, max, thresholds, mappings) {
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'horizontal',
        displayMode: 'basic',
        valueMode: 'color',
        showUnfilled: true,
        namePlacement: 'left',
        sizing: 'auto',
        minVizHeight: 24,
        maxVizHeight: 48,
        text: { titleSize: 18, valueSize: 22 },
      },
    },

  timeseries(title, description, gridPos, targets, unit, decimals=null, min=null, max=null,
             thresholds=[['blue', null]], mappings=[], drawStyle='line')::
    $.panel('timeseries', title, description, gridPos, targets, unit, decimals, min, max, thresholds, mappings) {
      fieldConfig+: {
        defaults+: {
          color: { mode: 'palette-classic' },
          custom: {
            lineWidth: 3,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: true,
            drawStyle: drawStyle,
            stacking: { mode: 'none', group: 'A' },
          },
        },
      },
      options: {
        legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'], showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  // A table of instant queries; organize holds the options of Grafana's "organize fields"
  // transformation (excludeByName, indexByName, renameByName).
  table(title, description, gridPos, targets, unit, organize={})::
    $.panel('table', title, description, gridPos, targets, unit) {
      options: {
        showHeader: true,
        cellHeight: 'lg',
        footer: { show: false },
        sortBy: [{ displayName: 'Value', desc: true }],
      },
      transformations: [{ id: 'organize', options: organize }],
    },

  // A query variable over label_values(selector, label). job and instance follow the
  // dashboard linter (multi-select, allValue ".+", label "Job"/"Instance").
  variable(name, label, query, multi=true, includeAll=true, allValue='.*', current=null):: {
    name: name,
    label: label,
    type: 'query',
    datasource: $.datasource,
    definition: query,
    query: { query: query, refId: name },
    refresh: 2,  // on time range change
    sort: 1,
    hide: 0,
    regex: '',
    multi: multi,
    includeAll: includeAll,
    options: [],
    current:
      if current != null then { selected: true, text: current, value: current }
      else { selected: true, text: ['All'], value: ['$__all'] },
  } + (if includeAll then { allValue: allValue } else {}),

  datasourceVariable:: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    regex: '',
    hide: 0,
    refresh: 1,
    current: {},
    options: [],
    includeAll: false,
    multi: false,
  },

  // The datasource, job and instance variables every dashboard starts with; selector is the
  // exporter selector of the mixin's _config.
  standardVariables(selector):: [
    $.datasourceVariable,
    $.variable('job', 'Job', 'label_values(hero_exporter_build_info{%s}, job)' % selector, allValue='.+'),
    $.variable('instance', 'Instance', 'label_values(hero_exporter_build_info{%s,job=~"$job"}, instance)' % selector, allValue='.+'),
  ],

  // A dashboard; panel ids are assigned in order (1, 2, ...).
  dashboard(config, uid, title, description, tags, variables, panels, from='now-6h'):: {
    uid: uid,
    title: title,
    description: description,
    tags: config.dashboardTags + tags,
    editable: false,
    graphTooltip: 1,
    refresh: config.dashboardRefresh,
    schemaVersion: 39,
    version: 1,
    timezone: config.dashboardTimezone,
    fiscalYearStartMonth: 0,
    liveNow: false,
    time: { from: from, to: 'now' },
    timepicker: {},
    templating: { list: $.standardVariables(config.heroExporterSelector) + variables },
    annotations: { list: [] },
    links: [{
      type: 'dashboards',
      tags: config.dashboardTags,
      asDropdown: false,
      includeVars: true,
      keepTime: true,
      title: 'hero_exporter',
      icon: 'external link',
    }],
    panels: [panels[i] { id: i + 1 } for i in std.range(0, std.length(panels) - 1)],
  },
}
