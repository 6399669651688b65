// Package incidentio is the incident.io source: it reads incidents (API v2) with their
// role assignments, timestamps and updates, escalations (acknowledgements and
// notifications), users, schedules with their final entries, and escalation paths, and
// writes them, as the tool-neutral model, to the store.
//
// The mapping, and what incident.io cannot supply, is documented in
// docs/sources.md.
package incidentio

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
const Type = "incidentio"

// DefaultBaseURL is incident.io's API.
const DefaultBaseURL = "https://api.incident.io"

// Defaults of Config; History, Timeout and ReferenceInterval default to httpapi's.
const (
	DefaultRequestsPerMinute = 1200 // incident.io's documented limit per API key
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

// Config configures the source. Zero values take the defaults above: BaseURL
// DefaultBaseURL; Token is an API key with read access, never logged, never in an
// error; DefaultTimezone is the zone of users who are on no schedule (incident.io
// users have no time zone of their own); RequestsPerMinute is incident.io's limit;
// ReferenceInterval is how often users, schedules, escalation paths and schedule
// entries are re-read (incidents and escalations are read every sync).
type Config struct {
	httpapi.SourceConfig
	// TeamField and ServiceField name the incident custom fields that hold the team
	// and the service (defaults "Team" and "Affected services"; matched without case).
	TeamField    string
	ServiceField string
}

// Source is an incident.io source. Sync must not run concurrently with itself;
// APIStats may be called at any time.
type Source struct {
	cfg    Config
	client *httpapi.Client
	logger *slog.Logger

	// ref is the reference data of the last refresh, kept in memory: it is re-read on
	// the first sync after a start and then every ReferenceInterval.
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
	if cfg.TeamField == "" {
		cfg.TeamField = DefaultTeamField
	}
	if cfg.ServiceField == "" {
		cfg.ServiceField = DefaultServiceField
	}
	b, err := cfg.NewClient(Type, logger, httpapi.ClientOptions{
		ErrorMessage: apiMessage,
		Header: http.Header{
			"Authorization": {"Bearer " + cfg.Token},
			"Accept":        {"application/json"},
		},
		Burst: max(1, int(cfg.RequestsPerMinute/12)), // five seconds' worth
	})
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger,
		caps: incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true},
		syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
			Overlap: overlap, Cache: httpapi.ReferenceInMemory, Version: cursorVersion, BatchRecords: batchRecords,
		})}, nil
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
