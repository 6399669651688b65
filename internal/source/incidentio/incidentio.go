// Package incidentio is the incident.io source: it reads incidents (API v2) with their
// role assignments, timestamps and updates, escalations (acknowledgements and
// notifications), users, schedules with their final entries, and escalation paths, and
// writes them, as the tool-neutral model, to the store.
//
// The mapping, and what incident.io cannot supply, is documented in
// docs/sources.md.
package incidentio

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "incidentio"

// DefaultBaseURL is incident.io's API.
const DefaultBaseURL = "https://api.incident.io"

// Defaults of Config.
const (
	DefaultHistory           = 90 * 24 * time.Hour
	DefaultTimeout           = 30 * time.Second
	DefaultRequestsPerMinute = 1200 // incident.io's documented limit per API key
	DefaultReferenceInterval = time.Hour
	DefaultTeamField         = "Team"
	DefaultServiceField      = "Affected services"
)

// API limits the source respects.
const (
	incidentPageSize   = 250 // incidents, incident updates, users, schedules
	escalationPageSize = 50  // escalations, escalation paths: page_size ≤ 50
	oneOfBatch         = 20  // incident[one_of] values per escalations request
	overlap            = 5 * time.Minute
	entriesAhead       = 7 * 24 * time.Hour
	batchRecords       = 2000
)

// Config configures the source. Zero values take the defaults above.
type Config struct {
	Name    string
	BaseURL string // default DefaultBaseURL
	Token   string // API key with read access; never logged, never in an error
	// History is back-filled on the first sync (default 90d).
	History time.Duration
	// DefaultTimezone (hours.default_timezone) is the zone of users who are on no
	// schedule: incident.io users have no time zone of their own.
	DefaultTimezone string
	// Timeout bounds one HTTP request attempt (default 30s).
	Timeout time.Duration
	// RequestsPerMinute is the client-side limit (default 1200, incident.io's limit).
	RequestsPerMinute float64
	// ReferenceInterval is how often users, schedules, escalation paths and schedule
	// entries are re-read (default 1h); incidents and escalations are read every sync.
	ReferenceInterval time.Duration
	// TeamField and ServiceField name the incident custom fields that hold the team
	// and the service (defaults "Team" and "Affected services"; matched without case).
	TeamField    string
	ServiceField string

	// HTTPClient, Clock, Jitter and MaxAttempts are for tests (see httpapi.Config).
	HTTPClient  *http.Client
	Clock       httpapi.Clock
	Jitter      func() float64
	MaxAttempts int
}

// Source is an incident.io source. Sync must not run concurrently with itself;
// APIStats may be called at any time.
type Source struct {
	cfg    Config
	client *httpapi.Client
	clock  httpapi.Clock
	logger *slog.Logger

	// ref is the reference data of the last refresh, kept in memory: it is re-read on
	// the first sync after a start and then every ReferenceInterval.
	ref   *reference
	refAt time.Time

	capMu sync.Mutex
	caps  incident.Capabilities
}

var (
	_ source.Source    = (*Source)(nil)
	_ source.APISource = (*Source)(nil)
)

// New checks cfg and returns a source.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	if cfg.Name == "" {
		return nil, errors.New("incidentio: source name is empty")
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("incidentio %s: token is empty", cfg.Name)
	}
	if strings.ContainsAny(cfg.Token, "\r\n") {
		return nil, fmt.Errorf("incidentio %s: token contains a line break", cfg.Name)
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
	if cfg.TeamField == "" {
		cfg.TeamField = DefaultTeamField
	}
	if cfg.ServiceField == "" {
		cfg.ServiceField = DefaultServiceField
	}
	if cfg.DefaultTimezone != "" {
		if _, err := time.LoadLocation(cfg.DefaultTimezone); err != nil {
			return nil, fmt.Errorf("incidentio %s: default time zone: %w", cfg.Name, err)
		}
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.User != nil {
		return nil, fmt.Errorf("incidentio %s: invalid base URL", cfg.Name)
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
			"Authorization": {"Bearer " + cfg.Token},
			"Accept":        {"application/json"},
		},
		Timeout:           cfg.Timeout,
		RequestsPerMinute: cfg.RequestsPerMinute,
		Burst:             max(1, int(cfg.RequestsPerMinute/12)), // five seconds' worth
		MaxAttempts:       cfg.MaxAttempts,
		HTTPClient:        cfg.HTTPClient,
		Clock:             clock,
		Jitter:            cfg.Jitter,
		Logger:            logger,
	})
	if err != nil {
		return nil, fmt.Errorf("incidentio %s: %w", cfg.Name, err)
	}
	return &Source{cfg: cfg, client: client, clock: clock, logger: logger,
		caps: incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "incidentio".
func (s *Source) Type() string { return Type }

// Capabilities: people (time zones from schedules), pages (escalation notifications,
// channel approximated as push), engagements (acknowledgements, role assignments,
// updates) and on-call shifts (final schedule entries). Pages and OnCall hold only
// while the organisation uses incident.io On-call (escalations readable, an escalation
// path that targets a schedule): an organisation that pages through another tool would
// otherwise show zero interruptions and every engagement off-rotation. They are
// re-evaluated at every reference refresh.
func (s *Source) Capabilities() incident.Capabilities {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	return s.caps
}

func (s *Source) setOnCallCaps(pages, onCall bool) {
	s.capMu.Lock()
	s.caps.Pages, s.caps.OnCall = pages, onCall
	s.capMu.Unlock()
}

// APIStats are the request counters by status code, and the remaining budget if the
// API sends one (incident.io documents none).
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
