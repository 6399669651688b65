// Package opsgenie is the Opsgenie source: it reads alerts (the incident unit) with
// their logs, notes and recipients, users with time zones, teams with members, and
// schedule timelines through the Opsgenie REST API v2, and writes them, as the
// tool-neutral model, to the store.
//
// Opsgenie support ends on 2027-04-05. docs/sources.md documents the mapping
// and how to move to another source without losing history.
package opsgenie

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "opsgenie"

// DefaultBaseURL is the US instance; EUBaseURL is the EU one.
const (
	DefaultBaseURL = "https://api.opsgenie.com"
	EUBaseURL      = "https://api.eu.opsgenie.com"
)

// DefaultRequestsPerMinute is the client-side default; Opsgenie limits each request
// domain (search, alert, configuration, …) separately, by plan.
// History, Timeout and ReferenceInterval default to httpapi's defaults.
const DefaultRequestsPerMinute = 300

// API limits the source respects.
const (
	pageLimit = 100 // limit ≤ 100
	// defaultMaxOffset: the alert search is read with offset pagination; before an
	// offset this deep the query restarts from the last createdAt seen (keyset), so a
	// busy range never depends on deep offsets.
	defaultMaxOffset = 5000
	// overlap re-reads the tail of the previous window: an alert indexed late is not
	// missed; records are upserts.
	overlap = 5 * time.Minute
	// timelineChunk bounds one schedule timeline request (intervalUnit=days).
	timelineChunk = 30
	// timelineAhead is how far into the future shifts are read.
	timelineAhead = 7 * 24 * time.Hour
	batchRecords  = 2000
)

// Config configures the source. Zero values take the defaults above: BaseURL
// DefaultBaseURL (EU: EUBaseURL); Token is the API key of an API integration (read
// access), never logged; DefaultTimezone stands in for the customer time zone of users
// whose timeZone is unset; RequestsPerMinute: Opsgenie limits each request domain
// (search, alert, configuration, …) separately, by plan; ReferenceInterval is how often
// users, teams, schedules and schedule timelines are re-read (alerts are read every
// sync).
type Config struct {
	httpapi.SourceConfig
}

// Source is an Opsgenie source. Sync must not run concurrently with itself; APIStats
// may be called at any time.
type Source struct {
	cfg       Config
	client    *httpapi.Client
	logger    *slog.Logger
	maxOffset int

	// ref is the reference data of the last refresh (users, teams, schedules), kept in
	// memory: it is re-read on the first sync after a start and then hourly.
	ref    *reference
	syncer httpapi.Syncer

	capMu sync.Mutex
	caps  incident.Capabilities
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
			"Authorization": {"GenieKey " + cfg.Token},
			"Accept":        {"application/json"},
		},
		Burst: max(1, int(cfg.RequestsPerMinute/30)), // two seconds' worth
		// Opsgenie sends no Retry-After; a throttled response says how long the
		// throttle lasts in X-RateLimit-Period-In-Sec.
		RetryAfterHeaders: []string{"X-RateLimit-Period-In-Sec"},
	})
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger, maxOffset: defaultMaxOffset,
		caps: incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true},
		syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
			Overlap: overlap, Cache: httpapi.ReferenceInMemory, Version: cursorVersion, BatchRecords: batchRecords,
		})}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "opsgenie".
func (s *Source) Type() string { return Type }

// Capabilities: Opsgenie supplies people with time zones, notifications (alert logs and
// recipients), engagements (logs, notes, report) and on-call shifts (schedule
// timelines). OnCall holds only while the account has an enabled schedule: without
// shifts every engagement would look off-rotation, so the figure is absent instead.
func (s *Source) Capabilities() incident.Capabilities {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	return s.caps
}

func (s *Source) setOnCall(on bool) {
	s.capMu.Lock()
	s.caps.OnCall = on
	s.capMu.Unlock()
}

// APIStats are the request counters by status code. Opsgenie reports no remaining
// budget (only X-RateLimit-State), so HasRateLimit stays false.
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
