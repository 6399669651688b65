package incidentio

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/incidentio/iofake"
)

const testToken = "inc_live_TESTkeyNeverLog_5678"

// ---- memory sink ----

type memSink struct {
	mu          sync.Mutex
	writes      int
	cursor      string
	people      map[string]incident.Person
	teams       map[string]incident.Team
	incidents   map[string]incident.Incident
	pages       map[string]incident.Page
	engagements map[string]incident.Engagement
	shifts      map[string]incident.Shift
}

func newSink() *memSink {
	return &memSink{people: map[string]incident.Person{}, teams: map[string]incident.Team{},
		incidents: map[string]incident.Incident{}, pages: map[string]incident.Page{},
		engagements: map[string]incident.Engagement{}, shifts: map[string]incident.Shift{}}
}

func (m *memSink) Write(_ context.Context, _ string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for _, x := range b.People {
		m.people[x.ID] = x
	}
	for _, x := range b.Teams {
		m.teams[x.Name] = x
	}
	for _, x := range b.Incidents {
		m.incidents[x.ID] = x
	}
	for _, x := range b.Pages {
		m.pages[x.ID] = x
	}
	for _, x := range b.Engagements {
		m.engagements[x.ID] = x
	}
	for _, x := range b.Shifts {
		m.shifts[x.ID] = x
	}
	if b.Cursor != "" {
		m.cursor = b.Cursor
	}
	return nil
}

// history is everything stored, as the analytics read it.
func (m *memSink) history(name string, caps incident.Capabilities) *incident.History {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := &incident.History{Sources: map[string]incident.Capabilities{name: caps}}
	for _, x := range m.people {
		h.People = append(h.People, x)
	}
	for _, x := range m.teams {
		h.Teams = append(h.Teams, x)
	}
	for _, x := range m.incidents {
		h.Incidents = append(h.Incidents, x)
	}
	for _, x := range m.pages {
		h.Pages = append(h.Pages, x)
	}
	for _, x := range m.engagements {
		h.Engagements = append(h.Engagements, x)
	}
	for _, x := range m.shifts {
		h.Shifts = append(h.Shifts, x)
	}
	return h
}

func (m *memSink) engagementsOf(inc string) []string {
	var out []string
	for _, e := range m.engagements {
		if e.IncidentID == inc {
			out = append(out, e.PersonID+":"+e.Kind)
		}
	}
	sort.Strings(out)
	return out
}

func (m *memSink) pagesOf(inc string) []string {
	var out []string
	for _, p := range m.pages {
		if p.IncidentID == inc {
			out = append(out, fmt.Sprintf("%s:%s@%s", p.PersonID, p.Channel, p.At.Format("15:04:05")))
		}
	}
	sort.Strings(out)
	return out
}

// ---- clock and source ----

type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) sleptFor() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	fake  *iofake.Server
	src   *Source
	sink  *memSink
	clock *fakeClock
	logs  *syncBuffer
}

// base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var base = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *iofake.Server) { iofake.Scenario(f, base) }

func bulk(n int, span time.Duration) func(*iofake.Server) {
	return func(f *iofake.Server) { iofake.Bulk(f, base, n, span) }
}

func newHarness(t *testing.T, fill func(*iofake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := iofake.New(testToken)
	if fill != nil {
		fill(f)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	clk := &fakeClock{now: base}
	logs := &syncBuffer{}
	cfg := Config{SourceConfig: httpapi.SourceConfig{Name: "io", BaseURL: srv.URL, Token: testToken, DefaultTimezone: "Europe/London", Clock: clk, Jitter: func() float64 { return 0.5 }, Timeout: 2 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{fake: f, src: src, sink: newSink(), clock: clk, logs: logs}
}

func (h *harness) sync(t *testing.T) error {
	t.Helper()
	h.sink.mu.Lock()
	cur := h.sink.cursor
	h.sink.mu.Unlock()
	err := h.src.Sync(context.Background(), cur, h.sink)
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Fatalf("token in error: %v", err)
	}
	if strings.Contains(h.logs.String(), testToken) {
		t.Fatal("token in log output")
	}
	return err
}
