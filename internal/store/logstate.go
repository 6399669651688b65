package store

import (
	"context"
	"errors"
	"fmt"
)

// LoadLogState returns the stored state values of log by key; an empty map when
// there are none.
func (s *Store) LoadLogState(ctx context.Context, log string) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM log_state WHERE log = ?`, log)
	if err != nil {
		return nil, fmt.Errorf("store: load state of log %q: %w", log, err)
	}
	defer rows.Close()
	m := map[string][]byte{}
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: load state of log %q: %w", log, err)
		}
		if v == nil {
			v = []byte{}
		}
		m[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load state of log %q: %w", log, err)
	}
	return m, nil
}

// SaveLogState stores value under (log, key), replacing what was there.
func (s *Store) SaveLogState(ctx context.Context, log, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO log_state (log, key, value) VALUES (?, ?, ?)
ON CONFLICT (log, key) DO UPDATE SET value = excluded.value`, log, key, value)
	if err != nil {
		return fmt.Errorf("store: save state %q of log %q: %w", key, log, err)
	}
	return nil
}

// DeleteLogState removes (log, key); removing what is not there is not an error.
func (s *Store) DeleteLogState(ctx context.Context, log, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM log_state WHERE log = ? AND key = ?`, log, key); err != nil {
		return fmt.Errorf("store: delete state %q of log %q: %w", key, log, err)
	}
	return nil
}

// LoadSeenFingerprints returns the fingerprints stored for log, least recently added
// first.
func (s *Store) LoadSeenFingerprints(ctx context.Context, log string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT fingerprint FROM seen_fingerprints WHERE log = ? ORDER BY seq`, log)
	if err != nil {
		return nil, fmt.Errorf("store: load seen fingerprints of log %q: %w", log, err)
	}
	defer rows.Close()
	var fps []string
	for rows.Next() {
		var fp string
		if err := rows.Scan(&fp); err != nil {
			return nil, fmt.Errorf("store: load seen fingerprints of log %q: %w", log, err)
		}
		fps = append(fps, fp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load seen fingerprints of log %q: %w", log, err)
	}
	return fps, nil
}

// AddSeenFingerprints records fps as seen for log, in order, and then keeps only the
// limit most recently added fingerprints of log. Adding a fingerprint that is already
// stored makes it the most recent. limit must be positive.
func (s *Store) AddSeenFingerprints(ctx context.Context, log string, fps []string, limit int) (err error) {
	if limit <= 0 {
		return fmt.Errorf("store: add seen fingerprints of log %q: limit %d is not positive", log, limit)
	}
	if len(fps) == 0 {
		return nil
	}
	wrap := func(err error) error {
		return fmt.Errorf("store: add seen fingerprints of log %q: %w", log, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM seen_fingerprints WHERE log = ?`, log).Scan(&last); err != nil {
		return wrap(err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO seen_fingerprints (log, fingerprint, seq) VALUES (?, ?, ?)
ON CONFLICT (log, fingerprint) DO UPDATE SET seq = excluded.seq`)
	if err != nil {
		return wrap(err)
	}
	defer st.Close()
	for i, fp := range fps {
		if fp == "" {
			return wrap(errors.New("empty fingerprint"))
		}
		if _, err := st.ExecContext(ctx, log, fp, last+int64(i)+1); err != nil {
			return wrap(err)
		}
	}
	// Delete everything older than the limit-th newest.
	if _, err := tx.ExecContext(ctx, `DELETE FROM seen_fingerprints WHERE log = ?1 AND seq < (
	SELECT seq FROM seen_fingerprints WHERE log = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)`, log, limit-1); err != nil {
		return wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}
