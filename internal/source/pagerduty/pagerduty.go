// Package pagerduty is the PagerDuty source: it reads users, teams, services,
// escalation policies, incidents, the account-wide log entry stream and on-call shifts
// through REST API v2 and writes them, as the tool-neutral model, to the store.
//
// The mapping (what counts as a page, an engagement, a team, a severity) is documented
// in docs/sources.md.
package pagerduty

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "pagerduty"

// DefaultBaseURL is the US service region; the EU one is https://api.eu.pagerduty.com.
const DefaultBaseURL = "https://api.pagerduty.com"

// Defaults of Config.
const (
	DefaultHistory           = 90 * 24 * time.Hour
	DefaultTimeout           = 30 * time.Second
	DefaultRequestsPerMinute = 960
	DefaultReferenceInterval = time.Hour
)

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

// Config configures the source. Zero values take the defaults above.
type Config struct {
	Name    string
	BaseURL string // default DefaultBaseURL; EU: https://api.eu.pagerduty.com
	Token   string // REST API key; never logged, never in an error
	// History is back-filled on the first sync (default 90d).
	History time.Duration
	// DefaultTimezone (hours.default_timezone) stands in for the account time zone of
	// users whose time_zone is null.
	DefaultTimezone string
	// Timeout bounds one HTTP request attempt (default 30s).
	Timeout time.Duration
	// RequestsPerMinute is the client-side limit (default 960, PagerDuty's per-key limit).
	RequestsPerMinute float64
	// ReferenceInterval is how often users, teams, services and escalation policies are
	// re-read (default 1h); incidents, log entries and on-calls are read every sync.
	ReferenceInterval time.Duration

	// HTTPClient, Clock, Jitter and MaxAttempts are for tests (see httpapi.Config).
	HTTPClient  *http.Client
	Clock       httpapi.Clock
	Jitter      func() float64
	MaxAttempts int
}

// Source is a PagerDuty source. Sync must not run concurrently with itself; APIStats
// may be called at any time.
type Source struct {
	cfg    Config
	client *httpapi.Client
	clock  httpapi.Clock
	logger *slog.Logger
}

var (
	_ source.Source    = (*Source)(nil)
	_ source.APISource = (*Source)(nil)
)

// New checks cfg and returns a source.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	if cfg.Name == "" {
		return nil, errors.New("pagerduty: source name is empty")
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("pagerduty %s: token is empty", cfg.Name)
	}
	if strings.ContainsAny(cfg.Token, "\r\n") {
		return nil, fmt.Errorf("pagerduty %s: token contains a line break", cfg.Name)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.History <= 0 {
		cfg.History = DefaultHistory
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if cfg.ReferenceInterval <= 0 {
		cfg.ReferenceInterval = DefaultReferenceInterval
	}
	if cfg.DefaultTimezone != "" {
		if _, err := time.LoadLocation(cfg.DefaultTimezone); err != nil {
			return nil, fmt.Errorf("pagerduty %s: default time zone: %w", cfg.Name, err)
		}
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.User != nil {
		return nil, fmt.Errorf("pagerduty %s: invalid base URL", cfg.Name)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("source", cfg.Name, "type", Type)
	clock := cfg.Clock
	if clock == nil {
		clock = httpapi.RealClock{}
	}
	client, err := httpapi.New(httpapi.Config{
		BaseURL: cfg.BaseURL,
		Header: http.Header{
			"Authorization": {"Token token=" + cfg.Token},
			"Accept":        {"application/vnd.pagerduty+json;version=2"},
			"Content-Type":  {"application/json"},
		},
		Timeout:           cfg.Timeout,
		RequestsPerMinute: cfg.RequestsPerMinute,
		// A sixth of a minute's budget may go at once; the rest is spread out.
		Burst:       int(cfg.RequestsPerMinute / 6),
		MaxAttempts: cfg.MaxAttempts,
		HTTPClient:  cfg.HTTPClient,
		Clock:       clock,
		Jitter:      cfg.Jitter,
		Logger:      logger,
	})
	if err != nil {
		return nil, fmt.Errorf("pagerduty %s: %w", cfg.Name, err)
	}
	return &Source{cfg: cfg, client: client, clock: clock, logger: logger}, nil
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
