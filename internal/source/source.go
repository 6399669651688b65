// Package source defines what every incident source implements: a background sync that
// reads a tool's history and hands it, batch by batch, to a Sink (the store).
package source

import (
	"context"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// Batch is a set of records from one source, written atomically together with Cursor.
// Every record is an upsert keyed by (source, id): a re-synced record replaces the
// stored one and is never stored twice. Team members are replaced as a whole.
type Batch struct {
	People      []incident.Person
	Teams       []incident.Team
	Incidents   []incident.Incident
	Pages       []incident.Page
	Engagements []incident.Engagement
	Shifts      []incident.Shift
	Changes     []incident.Change // deploys, rollbacks, config changes; upserts by (source, id)
	// KeepResolved makes the incidents of this batch never reopen a stored resolved
	// incident: an open record for an incident the store has as resolved keeps the
	// stored resolution (a push source's late or replayed firing notification, whose ids
	// are per occurrence, so a new occurrence is a new incident).
	KeepResolved bool
	// Cursor, when not empty, is stored in the same transaction as the records and is
	// handed back to the next Sync: a crash never leaves a cursor ahead of its data.
	Cursor string
}

// Sink persists batches. The store implements it.
type Sink interface {
	Write(ctx context.Context, source string, b *Batch) error
}

// Source is one configured incident source.
type Source interface {
	Name() string
	Type() string
	Capabilities() incident.Capabilities
	// Sync reads what is new since cursor ("" on first start) and writes it to sink, in
	// as many batches as it likes. An error fails the sync; what was written stays.
	Sync(ctx context.Context, cursor string, sink Sink) error
}

// DataCapabilities is implemented by a source whose capabilities depend on the data it
// reads (the file source: on-call data only when the file has shifts). known is false
// until the source has read its data in this process (an unchanged file after a restart
// or a reload is not read again): the engine then keeps the capabilities the store
// recorded from the earlier read instead of registering a guess.
type DataCapabilities interface {
	KnownCapabilities() (caps incident.Capabilities, known bool)
}

// APIStats are request figures of a source that talks to a remote API.
type APIStats struct {
	Requests           map[string]float64 // by HTTP status code, "error" for no response
	RateLimitRemaining float64
	HasRateLimit       bool // the API reported a remaining budget
}

// APISource is implemented by sources that call a remote API.
type APISource interface {
	APIStats() APIStats
}

// PushSource is implemented by sources that receive their data over HTTP (webhooks):
// the requests they answered, by status code, accepted and refused alike, and the label
// values (team, service) they folded into "other" to bound the series a client can
// create, by label.
type PushSource interface {
	WebhookRequests() map[string]float64
	FoldedLabelValues() map[string]float64
}

// Status is what the exporter knows about the last syncs of one source.
type Status struct {
	Name, Type  string
	Attempted   bool // at least one sync has finished, successfully or not
	Up          bool // the last sync succeeded
	LastSuccess time.Time
	Duration    time.Duration // of the last sync
	LastError   string
	API         *APIStats // nil for sources that call no API
	// Webhook are the requests a push source answered, by status code (nil for others).
	Webhook map[string]float64
	// Folded are the label values a push source folded into "other", by label.
	Folded map[string]float64
}
