package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Retention: the store keeps what the analytics need and prunes the rest. An incident
// is pruned when it ended (was resolved; created and resolved) before the cutoff, with
// its pages and engagements; a shift when it ended before the cutoff; a change when it
// happened before it. Open incidents and open-ended shifts are never pruned. People,
// teams, cursors and incident_totals (hero_incidents_created_total) are kept: the
// counter must not go down.

// pruneBatch is how many incidents (or shifts, or changes) one prune transaction
// deletes, so that writers and loads wait at most one short transaction.
const pruneBatch = 2000

// PruneStats are the records pruned by kind since the store was opened.
type PruneStats struct {
	Incidents, Pages, Engagements, Shifts, Changes int64
}

// pruneCounters are PruneStats kept with atomics (read by scrapes).
type pruneCounters struct {
	incidents, pages, engagements, shifts, changes atomic.Int64
}

// Pruned returns the records pruned since the store was opened, by kind.
func (s *Store) Pruned() PruneStats {
	return PruneStats{Incidents: s.pruned.incidents.Load(), Pages: s.pruned.pages.Load(), Engagements: s.pruned.engagements.Load(),
		Shifts: s.pruned.shifts.Load(), Changes: s.pruned.changes.Load()}
}

// SizeBytes is the size of the database file and its WAL.
func (s *Store) SizeBytes() int64 {
	var n int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// PrunedBefore is the cutoff of the last prune (zero before any).
func (s *Store) PrunedBefore(ctx context.Context) (time.Time, error) {
	var ms int64
	if err := s.db.QueryRowContext(ctx, `SELECT pruned_before FROM retention WHERE id = 0`).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: read retention: %w", err)
	}
	if ms == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms).UTC(), nil
}

// Prune deletes what ended before cutoff (see above) in short transactions and gives the
// freed pages back to the file system (incremental vacuum). It returns what it deleted.
// A later cutoff than the last one is recorded first, so that writes of records older
// than it are skipped from then on.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (PruneStats, error) {
	var got PruneStats
	cut := cutoff.UnixMilli()
	if _, err := s.db.ExecContext(ctx, `UPDATE retention SET pruned_before = max(pruned_before, ?) WHERE id = 0`, cut); err != nil {
		return got, fmt.Errorf("store: prune: %w", err)
	}
	for {
		n, err := s.pruneIncidents(ctx, cut, &got)
		if err != nil {
			return got, err
		}
		if n < pruneBatch {
			break
		}
	}
	for _, q := range []struct {
		query string
		count *int64
		kind  string
	}{
		{`DELETE FROM shifts WHERE rowid IN (SELECT rowid FROM shifts WHERE live_until < ? LIMIT ?)`, &got.Shifts, "shifts"},
		{`DELETE FROM changes WHERE rowid IN (SELECT rowid FROM changes WHERE at < ? LIMIT ?)`, &got.Changes, "changes"},
	} {
		for {
			res, err := s.db.ExecContext(ctx, q.query, cut, pruneBatch)
			if err != nil {
				return got, fmt.Errorf("store: prune %s: %w", q.kind, err)
			}
			n, _ := res.RowsAffected()
			*q.count += n
			if n < pruneBatch {
				break
			}
		}
	}
	s.pruned.incidents.Add(got.Incidents)
	s.pruned.pages.Add(got.Pages)
	s.pruned.engagements.Add(got.Engagements)
	s.pruned.shifts.Add(got.Shifts)
	s.pruned.changes.Add(got.Changes)
	if got != (PruneStats{}) {
		if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return got, fmt.Errorf("store: prune: checkpoint: %w", err)
		}
		if err := s.vacuumFreePages(ctx); err != nil {
			return got, err
		}
	}
	return got, nil
}

// pruneIncidents deletes one batch of incidents that ended before cut, with their
// pages and engagements, in one transaction.
func (s *Store) pruneIncidents(ctx context.Context, cut int64, got *PruneStats) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: prune incidents: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT rowid, source, id FROM incidents WHERE live_until < ? LIMIT ?`, cut, pruneBatch)
	if err != nil {
		return 0, fmt.Errorf("store: prune incidents: %w", err)
	}
	type key struct {
		rowid, source int64
		id            string
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.rowid, &k.source, &k.id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: prune incidents: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: prune incidents: %w", err)
	}
	stmts := map[string]*sql.Stmt{}
	for name, q := range map[string]string{
		"pages":       `DELETE FROM pages WHERE source = ? AND incident_id = ?`,
		"engagements": `DELETE FROM engagements WHERE source = ? AND incident_id = ?`,
		"incident":    `DELETE FROM incidents WHERE rowid = ?`,
	} {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("store: prune incidents: %w", err)
		}
		defer st.Close()
		stmts[name] = st
	}
	for _, k := range keys {
		for _, kind := range []string{"pages", "engagements"} {
			res, err := stmts[kind].ExecContext(ctx, k.source, k.id)
			if err != nil {
				return 0, fmt.Errorf("store: prune %s: %w", kind, err)
			}
			n, _ := res.RowsAffected()
			if kind == "pages" {
				got.Pages += n
			} else {
				got.Engagements += n
			}
		}
		if _, err := stmts["incident"].ExecContext(ctx, k.rowid); err != nil {
			return 0, fmt.Errorf("store: prune incident: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: prune incidents: commit: %w", err)
	}
	got.Incidents += int64(len(keys))
	return len(keys), nil
}

// dropPruned removes from b what a prune with cutoff pb would delete, so that a source
// sending old data again (a file re-read, a back-fill) neither stores it again nor counts
// an incident twice. Pages and engagements older than pb are dropped only when their
// incident is not kept (not in the batch and not stored).
func dropPruned(ctx context.Context, tx *sql.Tx, srcID int64, pb int64, b *source.Batch) (*source.Batch, error) {
	if pb == 0 {
		return b, nil
	}
	ended := func(created, resolved time.Time) bool {
		return !resolved.IsZero() && max(created.UnixMilli(), resolved.UnixMilli()) < pb
	}
	out := *b
	out.Incidents = nil
	kept := map[string]bool{}
	for _, in := range b.Incidents {
		if ended(in.CreatedAt, in.ResolvedAt) {
			continue
		}
		kept[in.ID] = true
		out.Incidents = append(out.Incidents, in)
	}
	stored := func(id string) (bool, error) {
		if kept[id] {
			return true, nil
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM incidents WHERE source = ? AND id = ?`, srcID, id).Scan(&one)
		if err == sql.ErrNoRows {
			return false, nil
		}
		return err == nil, err
	}
	var err error
	if out.Pages, err = keepOfStored(b.Pages, pb, func(p incident.Page) (int64, string) { return p.At.UnixMilli(), p.IncidentID }, stored); err != nil {
		return nil, err
	}
	if out.Engagements, err = keepOfStored(b.Engagements, pb, func(e incident.Engagement) (int64, string) { return e.At.UnixMilli(), e.IncidentID }, stored); err != nil {
		return nil, err
	}
	out.Shifts = nil
	for _, sh := range b.Shifts {
		if !sh.End.IsZero() && sh.End.UnixMilli() < pb {
			continue
		}
		out.Shifts = append(out.Shifts, sh)
	}
	out.Changes = nil
	for _, c := range b.Changes {
		if c.Time.UnixMilli() < pb {
			continue
		}
		out.Changes = append(out.Changes, c)
	}
	return &out, nil
}

// vacuumFreePages runs PRAGMA incremental_vacuum to its end: SQLite frees pages one step
// of the statement at a time, so the statement is stepped until it has no more rows.
func (s *Store) vacuumFreePages(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA incremental_vacuum`)
	if err != nil {
		return fmt.Errorf("store: incremental vacuum: %w", err)
	}
	for rows.Next() {
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: incremental vacuum: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint after incremental vacuum: %w", err)
	}
	return nil
}

// keepOfStored keeps the records (pages, engagements) at or after pb, and the older ones
// whose incident is kept.
func keepOfStored[T any](recs []T, pb int64, key func(T) (int64, string), stored func(string) (bool, error)) ([]T, error) {
	var out []T
	for _, r := range recs {
		if at, inc := key(r); at < pb {
			ok, err := stored(inc)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}
