// Package pagerduty is the PagerDuty source: it reads users, teams, services,
// escalation policies, incidents, the account-wide log entry stream and on-call shifts
// through REST API v2 and writes them, as the tool-neutral model, to the store.
//
// The mapping (what counts as a page, an engagement, a team, a severity) is documented
// in docs/sources.md.
package pagerduty

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "pagerduty"

// DefaultBaseURL is the US service region; the EU one is https://api.eu.pagerduty.com.
const DefaultBaseURL = "https://api.pagerduty.com"

// DefaultRequestsPerMinute is PagerDuty's per-key limit.
// History, Timeout and ReferenceInterval default to httpapi's defaults.
const DefaultRequestsPerMinute = 960

// API limits the source respects.
const (
	pageLimit        = 100                  // limit ≤ 100
	maxOffset        = 10000                // offset + limit ≤ 10000
	maxIncidentRange = 180 * 24 * time.Hour // /incidents since..until ≤ 6 months
	maxOncallRange   = 90 * 24 * time.Hour
	// overlap re-reads the tail of the previous window so that a log entry that became
	// visible late is not missed; records are upserts, so nothing is stored twice.
	overlap = 5 * time.Minute
	// byIDThreshold: at most this many incidents that resolved since the last sync are
	// fetched one by one; more are fetched by creation-time range.
	byIDThreshold = 20
	// batchRecords bounds the records of one sink.Write.
	batchRecords = 2000
)

// Config configures the source. Zero values take the defaults above: BaseURL
// DefaultBaseURL (EU: https://api.eu.pagerduty.com); Token is a REST API key, never
// logged, never in an error; DefaultTimezone stands in for the account time zone of
// users whose time_zone is null; RequestsPerMinute is PagerDuty's per-key limit;
// ReferenceInterval is how often users, teams, services and escalation policies are
// re-read (incidents, log entries and on-calls are read every sync).
type Config struct {
	httpapi.SourceConfig
}

// Source is a PagerDuty source. Sync must not run concurrently with itself; APIStats
// may be called at any time.
type Source struct {
	cfg    Config
	client *httpapi.Client
	logger *slog.Logger
	syncer httpapi.Syncer
}

var (
	_ source.Source    = (*Source)(nil)
	_ source.APISource = (*Source)(nil)
)

func init() {
	httpapi.RegisterAPI(Type, DefaultRequestsPerMinute, nil, func(c httpapi.SourceConfig, logger *slog.Logger) (*Source, error) {
		return New(Config{SourceConfig: c}, logger)
	})
}

// New checks cfg and returns a source.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	if err := cfg.ApplyDefaults(httpapi.SourceDefaults{
		Type:              Type,
		BaseURL:           DefaultBaseURL,
		RequestsPerMinute: DefaultRequestsPerMinute,
	}); err != nil {
		return nil, err
	}
	b, err := cfg.NewClient(Type, logger, httpapi.ClientOptions{
		ErrorMessage: apiMessage,
		Header: http.Header{
			"Authorization": {"Token token=" + cfg.Token},
			"Accept":        {"application/vnd.pagerduty+json;version=2"},
			"Content-Type":  {"application/json"},
		},
		// A sixth of a minute's budget may go at once; the rest is spread out.
		Burst: int(cfg.RequestsPerMinute / 6),
	})
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger, syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
		Overlap: overlap, Cache: httpapi.ReferenceInCursor, Version: cursorVersion, BatchRecords: batchRecords,
	})}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "pagerduty".
func (s *Source) Type() string { return Type }

// Capabilities: PagerDuty supplies people with time zones, notifications, engagements
// and on-call shifts.
func (s *Source) Capabilities() incident.Capabilities {
	return incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}
}

// APIStats are the request counters by status code and the last ratelimit-remaining.
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
