package file

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

type memSink struct {
	batches []*source.Batch
}

func (m *memSink) Write(_ context.Context, name string, b *source.Batch) error {
	if name != "f" {
		panic("wrong source name " + name)
	}
	m.batches = append(m.batches, b)
	return nil
}

func (m *memSink) all() source.Batch {
	var out source.Batch
	for _, b := range m.batches {
		out.People = append(out.People, b.People...)
		out.Teams = append(out.Teams, b.Teams...)
		out.Incidents = append(out.Incidents, b.Incidents...)
		out.Pages = append(out.Pages, b.Pages...)
		out.Engagements = append(out.Engagements, b.Engagements...)
		out.Shifts = append(out.Shifts, b.Shifts...)
		if b.Cursor != "" {
			out.Cursor = b.Cursor
		}
	}
	return out
}

const good = `# a comment line
{"type":"person","id":"u1","name":"Ana","email":"ana@example.com","time_zone":"Europe/Berlin"}
{"type":"team","name":"payments","members":["u1","u2"]}
{"type":"incident","id":"i1","title":"DB down","team":"payments","service":"db","severity":"critical","escalation_policy":"ep1","created_at":"2026-11-01T10:00:00Z","acknowledged_at":"2026-11-01T10:05:00Z","resolved_at":"2026-11-01T11:00:00Z"}
{"type":"page","id":"p1","incident_id":"i1","person_id":"u1","at":"2026-11-01T10:00:10Z","channel":"phone"}

{"type":"engagement","id":"e1","incident_id":"i1","person_id":"u1","kind":"acknowledge","at":"2026-11-01T10:05:00Z"}
{"type":"shift","id":"s1","person_id":"u1","escalation_policy":"ep1","level":1,"start":"2026-11-01T00:00:00Z","end":"2026-11-08T00:00:00Z"}
`

func TestParseAllRecordTypes(t *testing.T) {
	var recs []Record
	var bad []LineError
	err := Parse(strings.NewReader(good), func(r Record) error { recs = append(recs, r); return nil }, func(le LineError) { bad = append(bad, le) })
	if err != nil || len(bad) != 0 {
		t.Fatalf("Parse: err=%v bad=%v", err, bad)
	}
	if len(recs) != 6 {
		t.Fatalf("got %d records, want 6", len(recs))
	}
	want := incident.Incident{ID: "i1", Title: "DB down", Team: "payments", Service: "db", Severity: incident.SeverityCritical,
		EscalationPolicy: "ep1", CreatedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		AcknowledgedAt: time.Date(2026, 11, 1, 10, 5, 0, 0, time.UTC), ResolvedAt: time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC)}
	if got := *recs[2].Incident; got != want {
		t.Errorf("incident = %+v\nwant %+v", got, want)
	}
	if p := recs[0].Person; p.TimeZone != "Europe/Berlin" || p.Email != "ana@example.com" {
		t.Errorf("person = %+v", p)
	}
	if tm := recs[1].Team; len(tm.Members) != 2 {
		t.Errorf("team = %+v", tm)
	}
	if s := recs[5].Shift; s.Level != 1 || !s.End.Equal(time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("shift = %+v", s)
	}
}

func TestParseReportsMalformedLinesAndKeepsTheRest(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"person","id":"u1","name":"Ana"}`,
		`{"type":"person","id":"u2",`,
		`{"type":"incident","id":"i1","created_at":"yesterday"}`,
		`{"type":"incident","created_at":"2026-11-01T10:00:00Z"}`,
		`{"type":"page","id":"p1","incident_id":"i1","person_id":"u1","at":"2026-11-01T10:00:00Z","channel":"pigeon"}`,
		`{"type":"unicorn","id":"x"}`,
		`{"type":"person","id":"u3","title":"not a person field"}`,
		`{"type":"person","id":"u4","nickname":"x"}`,
		`{"type":"incident","id":"i2","created_at":"2026-11-01T10:00:00Z","resolved_at":"2026-11-01T09:00:00Z"}`,
		`{"type":"person","id":"u5","time_zone":"Mars/Olympus"}`,
		`{"type":"engagement","id":"e1","incident_id":"i1","person_id":"u1","kind":"stared","at":"2026-11-01T10:00:00Z"}`,
		`{"type":"shift","id":"s1","person_id":"u1","escalation_policy":"ep","start":"2026-11-02T00:00:00Z","end":"2026-11-01T00:00:00Z"}`,
		`{"type":"incident","id":"i3","severity":"sev1","created_at":"2026-11-01T10:00:00Z"}`,
		`[1,2,3]`,
		`{"type":"person","id":"u9","name":"Last"}`,
	}, "\n")
	var recs []Record
	var bad []LineError
	if err := Parse(strings.NewReader(in), func(r Record) error { recs = append(recs, r); return nil }, func(le LineError) { bad = append(bad, le) }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Person.ID != "u1" || recs[1].Person.ID != "u9" {
		t.Fatalf("records = %+v, want u1 and u9", recs)
	}
	want := []string{
		"line 2: invalid JSON: unexpected end of JSON input",
		`line 3: created_at: "yesterday" is not an RFC 3339 time`,
		"line 4: id: required",
		`line 5: channel: "pigeon" is not push, phone, sms, email or assignment`,
		`line 6: unknown type "unicorn" (want person, team, incident, page, engagement, shift or change)`,
		`line 7: field "title" is not used by a person record`,
		`line 8: invalid record: json: unknown field "nickname"`,
		"line 9: resolved_at: before created_at",
		`line 10: time_zone: unknown IANA time zone "Mars/Olympus"`,
		`line 11: kind: "stared" is not acknowledge, accept, resolve, note or action`,
		"line 12: end: not after start",
		`line 13: severity: "sev1" is not critical, high, low or unknown`,
		"line 14: invalid JSON: json: cannot unmarshal array into Go value of type map[string]json.RawMessage",
	}
	if len(bad) != len(want) {
		t.Fatalf("got %d bad lines, want %d: %v", len(bad), len(want), bad)
	}
	for i := range want {
		if bad[i].Error() != want[i] {
			t.Errorf("bad[%d] = %q\nwant      %q", i, bad[i].Error(), want[i])
		}
	}
}

func TestParseOverlongLineAndMissingFinalNewline(t *testing.T) {
	long := `{"type":"person","id":"x","name":"` + strings.Repeat("a", maxLine) + `"}`
	in := long + "\n" + `{"type":"person","id":"u2"}` // no trailing newline
	var recs []Record
	var bad []LineError
	if err := Parse(strings.NewReader(in), func(r Record) error { recs = append(recs, r); return nil }, func(le LineError) { bad = append(bad, le) }); err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0].Line != 1 || !strings.Contains(bad[0].Error(), "longer than") {
		t.Fatalf("bad = %v", bad)
	}
	if len(recs) != 1 || recs[0].Person.ID != "u2" {
		t.Fatalf("records = %+v", recs)
	}
}

func TestSyncSkipsUnchangedFileAndRereadsOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.ndjson")
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := New("f", path, slog.New(slog.NewTextHandler(&logs, nil)))
	if s.Capabilities().OnCall {
		t.Error("on-call capability before any shift was read")
	}
	sink := &memSink{}
	ctx := context.Background()
	if err := s.Sync(ctx, "", sink); err != nil {
		t.Fatal(err)
	}
	got := sink.all()
	if len(got.Incidents) != 1 || len(got.Pages) != 1 || len(got.Engagements) != 1 || len(got.Shifts) != 1 || got.Cursor == "" {
		t.Fatalf("first sync = %+v", got)
	}
	if !s.Capabilities().OnCall {
		t.Error("no on-call capability after shifts were read")
	}
	// Same content: nothing written.
	sink2 := &memSink{}
	if err := s.Sync(ctx, got.Cursor, sink2); err != nil || len(sink2.batches) != 0 {
		t.Fatalf("unchanged file: err=%v batches=%d", err, len(sink2.batches))
	}
	// Changed content with a malformed line: the rest loads, the line is logged.
	changed := good + "{broken\n" + `{"type":"person","id":"u7","name":"Zed"}` + "\n"
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	sink3 := &memSink{}
	if err := s.Sync(ctx, got.Cursor, sink3); err != nil {
		t.Fatal(err)
	}
	if g := sink3.all(); len(g.People) != 2 || g.Cursor == got.Cursor {
		t.Fatalf("changed file: %+v", g)
	}
	if !strings.Contains(logs.String(), "line=9") {
		t.Errorf("malformed line 9 not logged: %s", logs.String())
	}
}

func TestSyncMissingFileFails(t *testing.T) {
	s := New("f", filepath.Join(t.TempDir(), "nope.ndjson"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := s.Sync(context.Background(), "", &memSink{})
	if err == nil || !strings.Contains(err.Error(), `file source "f"`) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestSyncWritesInBatches(t *testing.T) {
	var b strings.Builder
	for i := 0; i < batchSize*2+10; i++ {
		b.WriteString(`{"type":"person","id":"u` + strconv.Itoa(i) + `"}` + "\n")
	}
	path := filepath.Join(t.TempDir(), "h.ndjson")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := New("f", path, slog.New(slog.NewTextHandler(io.Discard, nil))).Sync(context.Background(), "", sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.batches) != 3 {
		t.Fatalf("batches = %d, want 3", len(sink.batches))
	}
	for i, bt := range sink.batches {
		if (bt.Cursor != "") != (i == 2) {
			t.Errorf("batch %d cursor %q: only the last batch may carry the cursor", i, bt.Cursor)
		}
	}
	if n := len(sink.all().People); n != batchSize*2+10 {
		t.Errorf("people = %d", n)
	}
}

func TestSyncRereadsASameSizeChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.ndjson")
	a := `{"type":"person","id":"u1","name":"Ana"}` + "\n"
	b := `{"type":"person","id":"u1","name":"Bea"}` + "\n"
	if err := os.WriteFile(path, []byte(a), 0o600); err != nil {
		t.Fatal(err)
	}
	s := New("f", path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	first := &memSink{}
	if err := s.Sync(context.Background(), "", first); err != nil {
		t.Fatal(err)
	}
	cursor := first.all().Cursor
	if err := os.WriteFile(path, []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	// Make sure the modification time differs even on coarse-grained file systems.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	second := &memSink{}
	if err := s.Sync(context.Background(), cursor, second); err != nil {
		t.Fatal(err)
	}
	if got := second.all().People; len(got) != 1 || got[0].Name != "Bea" {
		t.Fatalf("same-size change not re-read: %+v", got)
	}
}

// A change record: kind one of the four (absent: other), at required, no other fields.
func TestParseChanges(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"change","id":"c1","service":"checkout","team":"payments","kind":"deploy","at":"2026-11-01T09:50:00Z"}`,
		`{"type":"change","id":"c2","service":"checkout","at":"2026-11-01T10:30:00+01:00"}`,
		`{"type":"change","id":"c3","kind":"hotfix","at":"2026-11-01T10:30:00Z"}`,
		`{"type":"change","id":"c4","service":"checkout"}`,
		`{"type":"change","service":"checkout","at":"2026-11-01T10:30:00Z"}`,
		`{"type":"change","id":"c6","title":"v2","at":"2026-11-01T10:30:00Z"}`,
		`{"type":"change","id":"c7","kind":"rollback","at":"2026-11-01T11:00:00Z"}`,
	}, "\n")
	var recs []Record
	var bad []string
	if err := Parse(strings.NewReader(in), func(r Record) error { recs = append(recs, r); return nil }, func(le LineError) { bad = append(bad, le.Error()) }); err != nil {
		t.Fatal(err)
	}
	want := []incident.Change{
		{ID: "c1", Team: "payments", Service: "checkout", Kind: "deploy", Time: time.Date(2026, 11, 1, 9, 50, 0, 0, time.UTC)},
		{ID: "c2", Service: "checkout", Kind: "other", Time: time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)},
		{ID: "c7", Kind: "rollback", Time: time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC)},
	}
	if len(recs) != len(want) {
		t.Fatalf("records %+v", recs)
	}
	for i, r := range recs {
		if r.Change == nil || r.Change.ID != want[i].ID || r.Change.Team != want[i].Team || r.Change.Service != want[i].Service ||
			r.Change.Kind != want[i].Kind || !r.Change.Time.Equal(want[i].Time) {
			t.Errorf("record %d = %+v, want %+v", i, r.Change, want[i])
		}
	}
	wantBad := []string{
		`line 3: kind: "hotfix" is not deploy, rollback, config or other`,
		"line 4: at: required",
		"line 5: id: required",
		`line 6: field "title" is not used by a change record`,
	}
	if strings.Join(bad, "\n") != strings.Join(wantBad, "\n") {
		t.Errorf("bad lines:\n%s\nwant\n%s", strings.Join(bad, "\n"), strings.Join(wantBad, "\n"))
	}

	// Sync writes them as the batch's changes (with more good records than bad ones:
	// a file mostly malformed fails the sync, see TestSyncMostlyGarbageFails).
	path := filepath.Join(t.TempDir(), "h.ndjson")
	if err := os.WriteFile(path, []byte(in+"\n"+good), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := New("f", path, slog.New(slog.DiscardHandler)).Sync(context.Background(), "", sink); err != nil {
		t.Fatal(err)
	}
	var got []incident.Change
	for _, b := range sink.batches {
		got = append(got, b.Changes...)
	}
	if len(got) != 3 || got[0].ID != "c1" || got[2].ID != "c7" {
		t.Errorf("synced changes %+v", got)
	}
}
