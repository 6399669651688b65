// Package grafanaoncall is the Grafana OnCall / Grafana Cloud IRM source: it reads
// alert groups, resolution notes, users, teams, integrations, routes, escalation
// policies and schedules' final shifts through the OnCall public HTTP API (v1) and
// writes them, as the tool-neutral model, to the store.
//
// The OnCall API has no notification records, so the source supplies no pages: the
// interruption figures are absent for it, never zero. The mapping is documented in
// docs/sources.md.
package grafanaoncall

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "grafanaoncall"

// DefaultRequestsPerMinute is OnCall's documented API limit: 300 requests per
// 5 minutes per API key.
// History, Timeout and ReferenceInterval default to httpapi's defaults.
const DefaultRequestsPerMinute = 60

// API limits and tuning.
const (
	// overlap re-reads the tail of the previous window so an alert group that became
	// visible late is not missed; records are upserts, so nothing is stored twice.
	overlap = 5 * time.Minute
	// maxShiftRange: final_shifts' end_date may be at most 365 days after start_date.
	maxShiftRange = 365 * 24 * time.Hour
	// shiftLookback re-reads final shifts from a day before the last read, so shifts
	// edited after the fact are picked up.
	shiftLookback = 24 * time.Hour
	// shiftLookahead reads final shifts a day ahead, so on-call data covers the time
	// until the next reference refresh.
	shiftLookahead = 24 * time.Hour
	// notesPerGroupMax: when more alert groups than this need their resolution notes
	// read, the source compares the org-wide list's page count with one request per
	// group and takes the cheaper.
	notesPerGroupMax = 3
	// batchRecords bounds the records of one sink.Write.
	batchRecords = 2000
	// maxPages guards against a server whose next links never end.
	maxPages = 100000
)

// Config configures the source. Zero values take the defaults above. BaseURL is the
// OnCall API URL from OnCall → Settings, e.g.
// https://oncall-prod-us-central-0.grafana.net/oncall (required; /api/v1/... is
// appended). Token is an OnCall API key or a Grafana service account token, sent as
// "Authorization: <token>", never logged, never in an error. DefaultTimezone stands in
// for users without a time zone. ReferenceInterval is how often users, teams,
// integrations, routes, escalation policies, schedules and final shifts are re-read
// (alert groups are read every sync).
type Config struct {
	httpapi.SourceConfig
	// GrafanaURL is the Grafana stack URL, sent as X-Grafana-URL; needed only with a
	// service account token.
	GrafanaURL string
}

// Source is a Grafana OnCall source. Sync must not run concurrently with itself;
// APIStats may be called at any time.
type Source struct {
	cfg      Config
	client   *httpapi.Client
	logger   *slog.Logger
	basePath string // the base URL's path, without a trailing slash
	syncer   httpapi.Syncer
}

var (
	_ source.Source    = (*Source)(nil)
	_ source.APISource = (*Source)(nil)
)

func init() {
	httpapi.RegisterAPI(Type, DefaultRequestsPerMinute, checkConfig, func(c httpapi.SourceConfig, logger *slog.Logger) (*Source, error) {
		return New(Config{SourceConfig: c}, logger)
	})
}

// checkConfig: OnCall has no default base URL (every instance and Grafana Cloud stack
// has its own).
func checkConfig(s *config.Source, fail func(field, format string, args ...any)) {
	if s.BaseURL == "" {
		fail("base_url", "is required for grafanaoncall: the OnCall API URL of your instance or Grafana Cloud stack")
	}
}

// New checks cfg and returns a source.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	if err := cfg.ApplyDefaults(httpapi.SourceDefaults{
		Type:              Type,
		MissingBaseURL:    "base_url is required: the OnCall API URL from OnCall → Settings",
		LineBreakChecked:  []string{cfg.GrafanaURL},
		LineBreakWhat:     "token or Grafana URL",
		RequestsPerMinute: DefaultRequestsPerMinute,
	}); err != nil {
		return nil, err
	}
	header := http.Header{
		"Authorization": {cfg.Token},
		"Accept":        {"application/json"},
	}
	if cfg.GrafanaURL != "" {
		header.Set("X-Grafana-URL", cfg.GrafanaURL)
	}
	b, err := cfg.NewClient(Type, logger, httpapi.ClientOptions{
		ErrorMessage: apiMessage,
		Header:       header,
		// A sixth of a minute's budget may go at once; the rest is spread out.
		Burst: max(1, int(cfg.RequestsPerMinute/6)),
	})
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.BaseURL) // NewClient checked it
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger,
		basePath: strings.TrimRight(u.Path, "/"),
		syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
			Overlap: overlap, Cache: httpapi.ReferenceInCursor, Version: cursorVersion, BatchRecords: batchRecords,
		})}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "grafanaoncall".
func (s *Source) Type() string { return Type }

// Capabilities: people with time zones, engagements (acknowledge, resolve, resolution
// notes) and on-call shifts; no pages (the API has no notification records).
func (s *Source) Capabilities() incident.Capabilities {
	return incident.Capabilities{People: true, Pages: false, Engagements: true, OnCall: true}
}

// APIStats are the request counters by status code.
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
