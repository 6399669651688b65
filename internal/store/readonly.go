package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
)

// ErrNoStore is wrapped by the error OpenReadOnly returns when the storage directory
// holds no database file.
var ErrNoStore = errors.New("no store")

// OpenReadOnly opens an existing dir/hero.db for reading only (the report
// subcommand): it creates nothing — no directory, no database file — never migrates
// and never writes. A serving exporter may keep writing the same file meanwhile (WAL
// lets readers run beside the writer). A missing file is ErrNoStore; a file that is
// not a SQLite database is ErrCorrupt; a schema other than this binary's is an error
// saying what to do.
func OpenReadOnly(ctx context.Context, dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store: %s does not exist: %w", path, ErrNoStore)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("store: %s is not a regular file", path)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("store: %s is empty: %w", path, ErrNoStore)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	s := &Store{db: db, path: path, logger: logger, names: newNames(), checkEvery: defaultCheckEvery}
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, s.openErr(err)
	}
	switch {
	case version > len(migrations):
		db.Close()
		return nil, fmt.Errorf("store: %s has schema version %d but this binary knows only up to version %d: %w (run a newer hero_exporter)",
			path, version, len(migrations), ErrTooNew)
	case version < len(migrations):
		db.Close()
		return nil, fmt.Errorf("store: %s has schema version %d, this binary reads version %d; start the exporter once on it to migrate, then run the report again",
			path, version, len(migrations))
	}
	return s, nil
}
