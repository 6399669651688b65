package store

import (
	"context"
	"fmt"
)

// PersonScrub reduces a person's name and email to what may be stored
// (pseudonym.Key.Scrub in person_label: hashed mode).
type PersonScrub func(name, email string) (string, string)

// SetPersonScrub makes every later write store people through scrub (nil: as they
// come), and rewrites the people already stored the same way, so that switching to
// hashed mode leaves no clear name or email in the store. It returns how many people
// were rewritten.
func (s *Store) SetPersonScrub(ctx context.Context, scrub PersonScrub) (int, error) {
	if scrub == nil {
		s.scrub.Store(nil)
		return 0, nil
	}
	s.scrub.Store(&scrub)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: scrub people: %w", err)
	}
	defer tx.Rollback()
	type row struct {
		source, person int64
		name, email    string
	}
	rows, err := tx.QueryContext(ctx, `SELECT source, person, name, email FROM people WHERE name != '' OR email != ''`)
	if err != nil {
		return 0, fmt.Errorf("store: scrub people: %w", err)
	}
	var change []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.source, &r.person, &r.name, &r.email); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: scrub people: %w", err)
		}
		if n, e := scrub(r.name, r.email); n != r.name || e != r.email {
			r.name, r.email = n, e
			change = append(change, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: scrub people: %w", err)
	}
	if len(change) == 0 {
		return 0, nil
	}
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("store: scrub people: %w", err)
	}
	for _, r := range change {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET name = ?, email = ?, seq = ? WHERE source = ? AND person = ?`,
			r.name, r.email, seq, r.source, r.person); err != nil {
			return 0, fmt.Errorf("store: scrub people: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: scrub people: %w", err)
	}
	// The old values may survive in free pages and the WAL until they are reused;
	// a checkpoint and a vacuum make them unreadable from the file.
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return len(change), fmt.Errorf("store: scrub people: checkpoint: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return len(change), fmt.Errorf("store: scrub people: vacuum: %w", err)
	}
	return len(change), nil
}
