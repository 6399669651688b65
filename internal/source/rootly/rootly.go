// Package rootly is the Rootly source: it reads users, teams, escalation policies,
// incidents (with their role assignments and alerts), the account-wide alert event feed
// and on-call entries through Rootly's JSON:API (https://api.rootly.com/v1) and writes
// them, as the tool-neutral model, to the store.
//
// The mapping (what counts as a page, an engagement, a team, a severity, a recurrence
// key) is documented in docs/sources.md.
package rootly

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "rootly"

// DefaultBaseURL is Rootly's API host.
const DefaultBaseURL = "https://api.rootly.com"

// DefaultRequestsPerMinute is Rootly's documented default budget of GET requests per
// API key (3000 per 60 s sliding window).
// History, Timeout and ReferenceInterval default to httpapi's defaults.
const DefaultRequestsPerMinute = 3000

// DefaultExcludeKinds returns the incident kinds left out by default, which are not
// real incidents: test and example incidents and scheduled maintenance.
func DefaultExcludeKinds() []string {
	return []string{"test", "test_sub", "example", "example_sub", "scheduled"}
}

// Config configures the source. Zero values take the defaults above: BaseURL
// DefaultBaseURL; Token is an API key, sent as "Authorization: Bearer …", never
// logged; DefaultTimezone stands in for users without time_zone; ReferenceInterval is
// how often users, teams and escalation policies are re-read (incidents, alert events
// and on-calls are read every sync).
type Config struct {
	httpapi.SourceConfig
	// ExcludeKinds are incident kinds that are skipped (nil: DefaultExcludeKinds; an
	// empty non-nil slice keeps every kind).
	ExcludeKinds []string
}

// Source is a Rootly source. Sync must not run concurrently with itself; APIStats and
// Capabilities may be called at any time.
type Source struct {
	cfg     Config
	client  *httpapi.Client
	logger  *slog.Logger
	exclude map[string]bool

	// Pages and on-call data come from Rootly On-Call (alerting), an add-on: without it
	// /v1/oncalls answers 404 and the alert event feed is 404 or empty, and an
	// organisation that pages through another tool has no notification events. Each
	// capability is true only once the account has shown such data (a notification
	// event, an on-call entry), as recorded in the cursor, and false again after a 404;
	// until then its figures are absent rather than a made-up zero (no pages) or a
	// made-up 100 % (no shifts would make every engagement off-rotation).
	hasOnCall atomic.Bool
	hasPages  atomic.Bool
	syncer    httpapi.Syncer
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
	if cfg.ExcludeKinds == nil {
		cfg.ExcludeKinds = DefaultExcludeKinds()
	}
	b, err := cfg.NewClient(Type, logger, httpapi.ClientOptions{
		ErrorMessage: apiMessage,
		Header: http.Header{
			"Authorization": {"Bearer " + cfg.Token},
			"Accept":        {"application/vnd.api+json"},
			"Content-Type":  {"application/vnd.api+json"},
		},
		Burst: int(cfg.RequestsPerMinute / 6),
	})
	if err != nil {
		return nil, err
	}
	ex := map[string]bool{}
	for _, k := range cfg.ExcludeKinds {
		ex[k] = true
	}
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger, exclude: ex,
		syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
			Overlap: overlap, Cache: httpapi.ReferenceInCursor, Version: cursorVersion, BatchRecords: batchRecords,
		})}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "rootly".
func (s *Source) Type() string { return Type }

// Capabilities: Rootly supplies people with time zones and engagements; pages (alert
// event notifications) and on-call entries come from Rootly On-Call and are reported
// only once the account has shown such data (see Source.hasPages). The engine reads
// them after each successful sync.
func (s *Source) Capabilities() incident.Capabilities {
	return incident.Capabilities{People: true, Pages: s.hasPages.Load(), Engagements: true, OnCall: s.hasOnCall.Load()}
}

// APIStats are the request counters by status code and the last X-RateLimit-Remaining.
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
