package store

import (
	"context"
	"fmt"
)

// PushedLabelValues returns the distinct team and service values stored for source, in
// its incidents and its changes: what a push source admitted before a restart, so that
// its bound on label values (webhook.LabelGuard) still holds after it.
func (s *Store) PushedLabelValues(ctx context.Context, source string) (map[string][]string, error) {
	out := map[string][]string{}
	for label, q := range map[string]string{
		"team": `SELECT n.name FROM names n WHERE n.id IN (
	SELECT team FROM incidents WHERE source = (SELECT id FROM names WHERE name = ?1)
	UNION SELECT team FROM changes WHERE source = (SELECT id FROM names WHERE name = ?1)) AND n.name != ''`,
		"service": `SELECT n.name FROM names n WHERE n.id IN (
	SELECT service FROM incidents WHERE source = (SELECT id FROM names WHERE name = ?1)
	UNION SELECT service FROM changes WHERE source = (SELECT id FROM names WHERE name = ?1)) AND n.name != ''`,
	} {
		rows, err := s.db.QueryContext(ctx, q, source)
		if err != nil {
			return nil, fmt.Errorf("store: %s values of source %q: %w", label, source, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: %s values of source %q: %w", label, source, err)
			}
			out[label] = append(out[label], v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: %s values of source %q: %w", label, source, err)
		}
	}
	return out, nil
}
