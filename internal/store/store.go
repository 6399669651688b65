// Package store keeps the exporter's state in one SQLite database (modernc.org/sqlite,
// pure Go): the incident history of every source, the sync cursors, and the positions
// and seen fingerprints of the log follower. It is what makes a restart cheap and
// honest: nothing is fetched twice and nothing is counted twice.
//
// The database is dir/hero.db in WAL mode. Its schema version is PRAGMA user_version;
// Open applies the missing migrations, each in its own transaction, and refuses a
// database that is newer than this binary or that is not a healthy SQLite file,
// without touching it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// FileName is the name of the database file inside the storage directory.
const FileName = "hero.db"

// busyTimeoutMillis bounds how long a statement waits for a lock another connection
// (or another process) holds before it fails with SQLITE_BUSY.
const busyTimeoutMillis = 10000

// cacheKiB is the page cache of each connection. SQLite's default (2 MiB) makes a
// large history load re-read pages through the OS.
const cacheKiB = 16 << 10

// walLimitBytes is what the WAL file is truncated to after a checkpoint.
const walLimitBytes = 64 << 20

// maxOpenConns bounds the connection pool: writes are serialised by SQLite anyway
// (BEGIN IMMEDIATE), and WAL lets the few readers run beside the writer.
const maxOpenConns = 4

var (
	// ErrCorrupt is wrapped by the error Open returns for a file that is not a SQLite
	// database or that fails PRAGMA quick_check. The file is left as it is.
	ErrCorrupt = errors.New("not a healthy SQLite database")
	// ErrTooNew is wrapped by the error Open returns for a database whose schema
	// version is newer than this binary knows. The file is left as it is.
	ErrTooNew = errors.New("database schema is newer than this binary")
)

// Store is the SQLite store. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	path     string
	logger   *slog.Logger
	names    *names                   // the names dictionary
	loadHint atomic.Pointer[loadHint] // sizes of the last LoadHistory
	// scrub, when set (person_label: hashed), reduces a person's name and email before
	// they are stored (see SetPersonScrub).
	scrub atomic.Pointer[PersonScrub]
	// pruned counts the records Prune deleted, by kind.
	pruned pruneCounters

	checkEvery int // rows between checks of the context in Write and LoadHistory
}

// sqliteHeader is the 16-byte magic string every SQLite 3 database file starts with.
const sqliteHeader = "SQLite format 3\x00"

// Open opens (creating when missing) dir/hero.db, checks it and brings its schema up
// to date. It never overwrites or recreates an existing file: a file that is not a
// SQLite database, fails PRAGMA quick_check or has a newer schema version is an error
// naming the file, and the file is left untouched.
func Open(ctx context.Context, dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The store holds people's names, emails and page history: owner only.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create storage directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}

	// Per-connection settings go into the DSN so that every pooled connection has
	// them. journal_mode is a property of the file and is set only after the checks
	// below, so that a database we refuse is not converted to WAL.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	// A big batch must not leave a big WAL file behind.
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walLimitBytes))
	// Write transactions take the write lock up front (no deadlock between two
	// readers that both want to write); read-only ones stay deferred.
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}).String()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	s := &Store{db: db, path: path, logger: logger, names: newNames(), checkEvery: defaultCheckEvery}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// ownerOnly creates the database file with mode 0600 before SQLite opens it (SQLite
// gives the -wal and -shm files the mode of the database file), and takes group and
// other access away from the files of a store created before.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	_ = f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("store: restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

// checkHeader refuses an existing, non-empty file that does not start with the SQLite
// magic string, before SQLite itself gets to see it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, buf)
	switch {
	case n == 0 && (err == io.EOF || err == nil):
		return nil // an empty file is an empty database
	case err != nil && err != io.ErrUnexpectedEOF:
		return fmt.Errorf("store: read %s: %w", path, err)
	case string(buf[:n]) != sqliteHeader:
		return fmt.Errorf("store: %s: %w (no SQLite header); refusing to touch it, move it away or point the storage path elsewhere", path, ErrCorrupt)
	}
	return nil
}

// init checks the file and migrates its schema.
func (s *Store) init(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.openErr(err)
	}
	defer conn.Close()

	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.openErr(err)
	}
	if version > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d but this binary knows only up to version %d: %w; refusing to touch it (run a newer hero_exporter or point the storage path elsewhere)",
			s.path, version, len(migrations), ErrTooNew)
	}
	if err := s.quickCheck(ctx, conn); err != nil {
		return err
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("store: %s: set WAL journal mode: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: %s: journal mode is %q, not wal", s.path, mode)
	}
	if err := s.incrementalVacuum(ctx, conn, version); err != nil {
		return err
	}
	return s.migrate(ctx, conn, version)
}

// incrementalVacuum makes the file give pages freed by pruning back to the file system
// (PRAGMA incremental_vacuum after each prune). The setting takes effect with a VACUUM
// (the WAL header is already written, even in a new file); for a store created before,
// that one VACUUM rewrites the whole file, once.
func (s *Store) incrementalVacuum(ctx context.Context, conn *sql.Conn, version int) error {
	const incremental = 2
	var av int
	if err := conn.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&av); err != nil {
		return s.openErr(err)
	}
	if av == incremental {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return fmt.Errorf("store: %s: set auto_vacuum: %w", s.path, err)
	}
	start := time.Now()
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("store: %s: vacuum to switch to incremental auto_vacuum: %w", s.path, err)
	}
	if version > 0 {
		s.logger.Info("store switched to incremental vacuum (once)", "file", s.path, "duration", time.Since(start))
	}
	return nil
}

func (s *Store) corrupt(err error) error {
	return fmt.Errorf("store: %s: %w: %v; refusing to touch it, move it away or point the storage path elsewhere", s.path, ErrCorrupt, err)
}

// openErr wraps an error met while checking the file: ErrCorrupt when SQLite says
// the file is not a database or is malformed, a plain error otherwise (a lock held
// too long, a permission, a cancelled context: nothing wrong with the file).
func (s *Store) openErr(err error) error {
	if isCorruption(err) {
		return s.corrupt(err)
	}
	return fmt.Errorf("store: open %s: %w", s.path, err)
}

// isCorruption reports whether err is SQLite's SQLITE_NOTADB or SQLITE_CORRUPT.
func isCorruption(err error) bool {
	const sqliteCorrupt, sqliteNotADB = 11, 26
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff // the primary code of an extended one
	return code == sqliteCorrupt || code == sqliteNotADB
}

// quickCheck runs PRAGMA quick_check, which reports "ok" or a list of problems.
func (s *Store) quickCheck(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.openErr(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.openErr(err)
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.openErr(err)
	}
	if len(problems) > 0 {
		return s.corrupt(fmt.Errorf("quick_check: %s", strings.Join(problems, "; ")))
	}
	return nil
}

// migrate applies migrations[from:], each in its own transaction together with the
// new user_version. It re-reads the version inside each transaction, so two
// processes opening the same file at once do not apply a migration twice.
func (s *Store) migrate(ctx context.Context, conn *sql.Conn, from int) error {
	for v := from; v < len(migrations); v++ {
		applied, err := s.migrateOne(ctx, conn, v)
		if err != nil {
			return fmt.Errorf("store: %s: migrate schema from version %d to %d: %w", s.path, v, v+1, err)
		}
		if applied {
			s.logger.Info("Migrated store schema", "file", s.path, "from", v, "to", v+1)
		}
	}
	return nil
}

func (s *Store) migrateOne(ctx context.Context, conn *sql.Conn, v int) (applied bool, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return false, err
	}
	if cur > v {
		return false, tx.Rollback() // someone else got there first
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Path is the file name of the database.
func (s *Store) Path() string { return s.path }

// Close closes the database. It checkpoints the WAL when it is the last connection.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}
