// Package firehydrant is the FireHydrant source: it reads users, teams (with their
// memberships) and incidents (with their lifecycle milestones, role assignments and
// team assignments) through the FireHydrant REST API (https://api.firehydrant.io/v1),
// and each new or changed incident's timeline events, and writes them, as the
// tool-neutral model, to the store.
//
// FireHydrant's published specification has no typed records of notifications to
// people or of on-call shifts, so this source supplies neither: pages and off-rotation
// figures are absent for it (never zero). The mapping is documented in
// docs/sources.md.
package firehydrant

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Type is the source type name in the config.
const Type = "firehydrant"

// DefaultBaseURL is FireHydrant's API host (paths start with /v1).
const DefaultBaseURL = "https://api.firehydrant.io"

// DefaultRequestsPerMinute is FireHydrant's documented account-wide budget (50
// requests every 10 s, shared by all bot tokens of the account).
// History, Timeout and ReferenceInterval default to httpapi's defaults.
const DefaultRequestsPerMinute = 300

// Milestone slugs are configured per organisation in FireHydrant. The defaults are
// the slugs of FireHydrant's default lifecycle.

// DefaultAckMilestones returns the milestone slugs that mark an acknowledgement.
func DefaultAckMilestones() []string { return []string{"acknowledged"} }

// DefaultResolveMilestones returns the milestone slugs that mark a resolved incident;
// the earliest one that occurred is the resolve time.
func DefaultResolveMilestones() []string {
	return []string{"resolved", "postmortem_started", "postmortem_completed",
		"retrospective_started", "retrospective_completed", "closed"}
}

// Config configures the source. Zero values take the defaults above: BaseURL
// DefaultBaseURL; Token is a bot token, sent as "Authorization: Bearer …", never
// logged; DefaultTimezone: FireHydrant users have no time zone; ReferenceInterval is
// how often users and teams are re-read.
type Config struct {
	httpapi.SourceConfig
	// AckMilestones and ResolveMilestones are the milestone slugs (or, for the older
	// milestone API, types) that mark the first acknowledgement and the resolution
	// (nil: DefaultAckMilestones, DefaultResolveMilestones).
	AckMilestones     []string
	ResolveMilestones []string
}

// Source is a FireHydrant source. Sync must not run concurrently with itself; APIStats
// may be called at any time.
type Source struct {
	cfg            Config
	client         *httpapi.Client
	logger         *slog.Logger
	ackSet, resSet map[string]bool
	syncer         httpapi.Syncer
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
	if cfg.AckMilestones == nil {
		cfg.AckMilestones = DefaultAckMilestones()
	}
	if cfg.ResolveMilestones == nil {
		cfg.ResolveMilestones = DefaultResolveMilestones()
	}
	ackSet, resSet := map[string]bool{}, map[string]bool{}
	for _, m := range cfg.AckMilestones {
		ackSet[strings.ToLower(m)] = true
	}
	for _, m := range cfg.ResolveMilestones {
		if ackSet[strings.ToLower(m)] {
			return nil, fmt.Errorf("firehydrant %s: milestone %q is both an acknowledge and a resolve milestone", cfg.Name, m)
		}
		resSet[strings.ToLower(m)] = true
	}
	if len(resSet) == 0 {
		return nil, fmt.Errorf("firehydrant %s: no resolve milestone configured", cfg.Name)
	}
	b, err := cfg.NewClient(Type, logger, httpapi.ClientOptions{
		ErrorMessage: apiMessage,
		Header: http.Header{
			"Authorization": {"Bearer " + cfg.Token},
			"Accept":        {"application/json"},
		},
		// FireHydrant counts 50 requests per 10 s: at most that many at once.
		Burst: int(cfg.RequestsPerMinute / 6),
	})
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, client: b.Client, logger: b.Logger, ackSet: ackSet, resSet: resSet,
		syncer: cfg.NewSyncer(Type, b, httpapi.SyncOptions{
			Overlap: overlap, Cache: httpapi.ReferenceInCursor, Version: cursorVersion, BatchRecords: batchRecords,
		})}, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.cfg.Name }

// Type is "firehydrant".
func (s *Source) Type() string { return Type }

// Capabilities: FireHydrant supplies people (without time zones) and engagements.
// Pages and on-call shifts have no typed data in its API: absent.
func (s *Source) Capabilities() incident.Capabilities {
	return incident.Capabilities{People: true, Engagements: true}
}

// APIStats are the request counters by status code.
func (s *Source) APIStats() source.APIStats { return s.client.Stats() }
