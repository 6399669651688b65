package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// SetPersonScrub rewrites the people already stored and every later write; afterwards
// no clear name or email is left in the database file or its WAL.
func TestSetPersonScrub(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(p incident.Person) {
		t.Helper()
		if err := s.Write(ctx, "pd", &source.Batch{People: []incident.Person{p}}); err != nil {
			t.Fatal(err)
		}
	}
	write(incident.Person{ID: "U1", Name: "Ana Lima", Email: "ana.lima@example.com", TimeZone: "Europe/Lisbon"})
	scrub := func(name, email string) (string, string) {
		if email == "" {
			return "", ""
		}
		return "", "h:" + email[len(email)-3:]
	}
	n, err := s.SetPersonScrub(ctx, scrub)
	if err != nil || n != 1 {
		t.Fatalf("scrubbed %d, %v; want 1", n, err)
	}
	write(incident.Person{ID: "U2", Name: "Bruno Costa", Email: "bruno.costa@example.com", TimeZone: "Europe/Lisbon"})
	hist, err := s.LoadHistory(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]incident.Person{}
	for _, p := range hist.People {
		got[p.ID] = p
	}
	if p := got["U1"]; p.Name != "" || p.Email != "h:com" || p.TimeZone != "Europe/Lisbon" {
		t.Errorf("U1 after the scrub: %+v", p)
	}
	if p := got["U2"]; p.Name != "" || p.Email != "h:com" || p.TimeZone != "Europe/Lisbon" {
		t.Errorf("U2 written after the scrub: %+v", p)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileName, FileName + "-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		for _, clear := range []string{"Ana Lima", "ana.lima@", "Bruno Costa", "bruno.costa@"} {
			if bytes.Contains(b, []byte(clear)) {
				t.Errorf("%s still holds %q", f, clear)
			}
		}
	}
}
