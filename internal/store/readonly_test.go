package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenReadOnlyMissingCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing", "here")
	_, err := OpenReadOnly(context.Background(), dir, nil)
	if !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(), filepath.Join(dir, FileName)) {
		t.Fatalf("err %v, want ErrNoStore naming the file", err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a directory was created: %v", err)
	}
	// An existing directory without a database, and an empty file: still no store,
	// and nothing written.
	dir = t.TempDir()
	if _, err := OpenReadOnly(context.Background(), dir, nil); !errors.Is(err, ErrNoStore) {
		t.Fatalf("empty directory: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files created: %v", ents)
	}
	os.WriteFile(filepath.Join(dir, FileName), nil, 0o600)
	if _, err := OpenReadOnly(context.Background(), dir, nil); !errors.Is(err, ErrNoStore) {
		t.Fatalf("empty file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("not a database at all, but long enough"), 0o600)
	if _, err := OpenReadOnly(context.Background(), dir, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("garbage: %v", err)
	}
}

// TestOpenReadOnlyReads: the history written by a store reads back through a
// read-only one, beside the writer and after it closed; the read-only store cannot
// write and leaves the database file as it was.
func TestOpenReadOnlyReads(t *testing.T) {
	s, dir := openTest(t)
	mustWrite(t, s, "pd", sampleBatch())
	want := mustLoad(t, s, time.Time{})
	sortHistory(want)

	check := func(when string) {
		t.Helper()
		ro, err := OpenReadOnly(context.Background(), dir, nil)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		defer ro.Close()
		got := mustLoad(t, ro, time.Time{})
		checkRecords(t, got, want)
		if err := ro.Write(context.Background(), "pd", sampleBatch()); err == nil {
			t.Errorf("%s: a read-only store wrote", when)
		}
		if err := ro.SaveLogState(context.Background(), "l", "k", []byte("v")); err == nil {
			t.Errorf("%s: a read-only store saved log state", when)
		}
	}
	check("beside the writer")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := dirContents(t, dir)
	check("after the writer closed")
	after := dirContents(t, dir)
	if !bytes.Equal(before[FileName], after[FileName]) {
		t.Error("the database file changed")
	}
	for name := range after {
		if _, ok := before[name]; !ok && !strings.HasSuffix(name, "-shm") && !strings.HasSuffix(name, "-wal") {
			t.Errorf("new file %s", name)
		}
	}
}

func TestOpenReadOnlySchemaVersions(t *testing.T) {
	for _, v := range []int{len(migrations) + 2, 1} {
		s, dir := openTest(t)
		s.Close()
		db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = OpenReadOnly(context.Background(), dir, nil)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", v)) {
			t.Errorf("version %d: %v", v, err)
		}
		if v > len(migrations) && !errors.Is(err, ErrTooNew) {
			t.Errorf("version %d: %v does not wrap ErrTooNew", v, err)
		}
	}
}
