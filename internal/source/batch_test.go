package source

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

func TestBatchSplit(t *testing.T) {
	b := &Batch{People: []incident.Person{{ID: "p"}}, Cursor: "c"}
	for range 3 {
		b.Incidents = append(b.Incidents, incident.Incident{})
		b.Pages = append(b.Pages, incident.Page{})
	}
	b.Engagements = append(b.Engagements, incident.Engagement{})
	b.Shifts = append(b.Shifts, incident.Shift{})
	b.Changes = append(b.Changes, incident.Change{ID: "c1"}, incident.Change{ID: "c2"})
	got := b.Split(3)
	if len(got) != 4 {
		t.Fatalf("got %d batches, want 4", len(got))
	}
	if len(got[0].Incidents) != 3 || len(got[1].Pages) != 3 || len(got[2].Engagements) != 1 || len(got[2].Shifts) != 1 ||
		len(got[2].Changes) != 1 || got[2].Changes[0].ID != "c1" || len(got[3].Changes) != 1 || got[3].Changes[0].ID != "c2" {
		t.Errorf("unexpected split: %+v", got)
	}
	for _, x := range got {
		if x.People != nil || x.Cursor != "" {
			t.Errorf("people or cursor carried over: %+v", x)
		}
	}
	if got := (&Batch{}).Split(3); len(got) != 1 {
		t.Errorf("empty batch: got %d batches, want 1", len(got))
	}
	if got := b.Split(10); len(got) != 1 {
		t.Errorf("exactly max records: got %d batches, want 1", len(got))
	}
}

type countSink struct {
	cursors []string
	fail    bool
}

func (s *countSink) Write(_ context.Context, _ string, b *Batch) error {
	if s.fail {
		return errors.New("disk full")
	}
	s.cursors = append(s.cursors, b.Cursor)
	return nil
}

func TestWriteSplit(t *testing.T) {
	b := &Batch{Incidents: make([]incident.Incident, 5)}
	s := &countSink{}
	if err := WriteSplit(context.Background(), s, "x", b, 2, "cur"); err != nil {
		t.Fatal(err)
	}
	if len(s.cursors) != 3 || s.cursors[0] != "" || s.cursors[1] != "" || s.cursors[2] != "cur" {
		t.Errorf("cursors %q, want only the last batch to carry it", s.cursors)
	}
	s = &countSink{fail: true}
	if err := WriteSplit(context.Background(), s, "x", b, 2, "cur"); err == nil || err.Error() != "writing a batch: disk full" {
		t.Errorf("err = %v", err)
	}
}

func TestWriteSync(t *testing.T) {
	b := &Batch{Incidents: make([]incident.Incident, 3)}
	ref := &Batch{People: make([]incident.Person, 1)}
	type cur struct {
		V int `json:"v"`
	}
	s := &countSink{}
	if err := WriteSync(context.Background(), s, "x", ref, b, 2, cur{V: 1}); err != nil {
		t.Fatal(err)
	}
	// The reference batch first, without a cursor; then the data, the cursor last.
	if len(s.cursors) != 3 || s.cursors[0] != "" || s.cursors[1] != "" || s.cursors[2] != `{"v":1}` {
		t.Errorf("cursors %q", s.cursors)
	}
	s = &countSink{}
	if err := WriteSync(context.Background(), s, "x", nil, b, 2, cur{V: 2}); err != nil {
		t.Fatal(err)
	}
	if len(s.cursors) != 2 || s.cursors[1] != `{"v":2}` {
		t.Errorf("without reference data: cursors %q", s.cursors)
	}
	if err := WriteSync(context.Background(), &countSink{fail: true}, "x", ref, b, 2, cur{}); err == nil || err.Error() != "writing people and teams: disk full" {
		t.Errorf("err = %v", err)
	}
	if err := WriteSync(context.Background(), &countSink{}, "x", nil, b, 2, func() {}); err == nil || !strings.Contains(err.Error(), "encoding the cursor") {
		t.Errorf("unencodable cursor: err = %v", err)
	}
}
