package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source"
)

// SyncCursor is the part of every API source's cursor that the shared sync plan reads
// and writes. A vendor's cursor embeds it, so its fields stay at the top level of the
// cursor's JSON.
//
// CompleteUntil: everything the source reads incrementally is stored up to it; the next
// sync reads from CompleteUntil−overlap. ReferenceAt is when the reference data (users,
// teams, …) was last read, for sources that keep what they need of it in the cursor.
type SyncCursor struct {
	V             int       `json:"v"`
	CompleteUntil time.Time `json:"complete_until"`
	ReferenceAt   time.Time `json:"reference_at,omitzero"`
}

func (c *SyncCursor) syncCursor() *SyncCursor { return c }

// cursorType is implemented by the pointer to every cursor that embeds SyncCursor.
type cursorType[C any] interface {
	*C
	syncCursor() *SyncCursor
}

// ReferenceCache is where an API source keeps its reference data between syncs.
type ReferenceCache int

const (
	// ReferenceInCursor: what later syncs need of the reference data travels in the
	// cursor (the store), with ReferenceAt; a restart does not re-read it.
	ReferenceInCursor ReferenceCache = iota
	// ReferenceInMemory: the source keeps the reference data in memory; the first sync
	// after a start re-reads it, and the cursor carries no ReferenceAt.
	ReferenceInMemory
)

// Syncer runs the plan every API source's sync follows:
//
//  1. decode the cursor (a missing, unreadable or other-version cursor back-fills);
//  2. the window: history start, then all of history on back-fill or from
//     CompleteUntil−Overlap (never before the history start) to now;
//  3. whether the reference data is due (back-fill, never read since the start under
//     ReferenceInMemory, or older than ReferenceInterval);
//  4. the vendor's own reading and mapping (the body);
//  5. WriteSync: the reference batch when it was re-read, then the data, the cursor with
//     the last batch.
//
// A Syncer belongs to one source; Sync must not run concurrently with itself.
type Syncer struct {
	// Type and Name prefix every error ("pagerduty main: …").
	Type, Name string
	Clock      Clock
	Logger     *slog.Logger
	// History is the back-filled period; Overlap re-reads the tail of the previous
	// window (records are upserts).
	History, Overlap  time.Duration
	ReferenceInterval time.Duration
	Cache             ReferenceCache
	// Version of the cursor: a cursor of another version is ignored (back-fill).
	Version int
	// BatchRecords bounds the records of one sink.Write.
	BatchRecords int

	// refAt: the last reference read of this process (ReferenceInMemory).
	refAt time.Time
}

// Plan is what one sync reads.
type Plan struct {
	// Now is the sync's time (UTC, whole seconds); the window ends at it.
	Now time.Time
	// HistoryStart is Now−History.
	HistoryStart time.Time
	// From is where the window starts: HistoryStart on back-fill, else
	// CompleteUntil−Overlap, never before HistoryStart.
	From     time.Time
	Backfill bool
	// Refresh: the reference data is due this sync.
	Refresh bool
}

// Result is what a sync's body hands back to be written.
type Result[C any] struct {
	// Reference is the people and teams read this sync, written first; only when
	// Plan.Refresh (ignored otherwise).
	Reference *source.Batch
	// Data is split into batches of at most BatchRecords; the last one carries Next.
	Data *source.Batch
	// Next is the cursor for the next sync. Its SyncCursor is filled in: the version,
	// CompleteUntil = Plan.Now (unless Reread), ReferenceAt = Plan.Now when refreshed.
	Next C
	// Reread keeps the previous CompleteUntil (a listing kept changing while paged): the
	// next sync reads this window again. Ignored on back-fill.
	Reread bool
	// Written, when set, runs after everything was written (the source may then keep
	// what it read in memory).
	Written func()
}

// Sync runs one sync of sy: see Syncer. body reads and maps; cur is the decoded
// previous cursor (zero on back-fill).
func Sync[C any, PC cursorType[C]](ctx context.Context, sy *Syncer, rawCursor string, sink source.Sink,
	body func(ctx context.Context, p Plan, cur *C) (Result[C], error)) error {
	logger := sy.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cur := source.DecodeCursor(rawCursor, func(c *C) bool {
		sc := PC(c).syncCursor()
		return sc.V == sy.Version && !sc.CompleteUntil.IsZero()
	}, logger)
	prev := *PC(&cur).syncCursor()
	p := sy.plan(prev)
	res, err := body(ctx, p, &cur)
	if err == nil {
		next := PC(&res.Next).syncCursor()
		next.V, next.CompleteUntil, next.ReferenceAt = sy.Version, p.Now, time.Time{}
		if res.Reread && !p.Backfill {
			next.CompleteUntil = prev.CompleteUntil
		}
		var ref *source.Batch // people and teams, only when re-read
		if p.Refresh {
			ref = res.Reference
		}
		if sy.Cache == ReferenceInCursor {
			next.ReferenceAt = prev.ReferenceAt
			if p.Refresh {
				next.ReferenceAt = p.Now
			}
		}
		data := res.Data
		if data == nil {
			data = &source.Batch{}
		}
		err = source.WriteSync(ctx, sink, sy.Name, ref, data, sy.BatchRecords, res.Next)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", sy.Type, sy.Name, err)
	}
	if p.Refresh && sy.Cache == ReferenceInMemory {
		sy.refAt = p.Now
	}
	if res.Written != nil {
		res.Written()
	}
	return nil
}

// plan computes the window of a sync after the cursor prev.
func (sy *Syncer) plan(prev SyncCursor) Plan {
	now := sy.Clock.Now().UTC().Truncate(time.Second)
	p := Plan{Now: now, HistoryStart: now.Add(-sy.History), Backfill: prev.CompleteUntil.IsZero()}
	p.From = p.HistoryStart
	if !p.Backfill {
		if from := prev.CompleteUntil.Add(-sy.Overlap); from.After(p.From) {
			p.From = from
		}
	}
	last := prev.ReferenceAt
	if sy.Cache == ReferenceInMemory {
		last = sy.refAt
	}
	p.Refresh = p.Backfill || last.IsZero() || now.Sub(last) >= sy.ReferenceInterval
	return p
}

// SyncOptions are a vendor's constants of the shared sync plan (see Syncer).
type SyncOptions struct {
	Overlap      time.Duration
	Cache        ReferenceCache
	Version      int
	BatchRecords int
}

// NewSyncer returns the Syncer of the source configured by c and built by NewClient
// as b.
func (c *SourceConfig) NewSyncer(typ string, b Built, o SyncOptions) Syncer {
	return Syncer{
		Type: typ, Name: c.Name, Clock: b.Clock, Logger: b.Logger,
		History: c.History, Overlap: o.Overlap, ReferenceInterval: c.ReferenceInterval,
		Cache: o.Cache, Version: o.Version, BatchRecords: o.BatchRecords,
	}
}
