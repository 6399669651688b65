package sourcetest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Sink is a memory source.Sink that upserts records by id (teams by name), like the
// store. Tests read its fields with Mu held when a sync may be running.
type Sink struct {
	Mu          sync.Mutex
	Writes      int
	Cursor      string
	People      map[string]incident.Person
	Teams       map[string]incident.Team
	Incidents   map[string]incident.Incident
	Pages       map[string]incident.Page
	Engagements map[string]incident.Engagement
	Shifts      map[string]incident.Shift
	Changes     map[string]incident.Change
}

// NewSink returns an empty sink.
func NewSink() *Sink {
	return &Sink{People: map[string]incident.Person{}, Teams: map[string]incident.Team{},
		Incidents: map[string]incident.Incident{}, Pages: map[string]incident.Page{},
		Engagements: map[string]incident.Engagement{}, Shifts: map[string]incident.Shift{},
		Changes: map[string]incident.Change{}}
}

// Write stores b; a non-empty cursor replaces the stored one.
func (m *Sink) Write(_ context.Context, _ string, b *source.Batch) error {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	m.Writes++
	for _, x := range b.People {
		m.People[x.ID] = x
	}
	for _, x := range b.Teams {
		m.Teams[x.Name] = x
	}
	for _, x := range b.Incidents {
		m.Incidents[x.ID] = x
	}
	for _, x := range b.Pages {
		m.Pages[x.ID] = x
	}
	for _, x := range b.Engagements {
		m.Engagements[x.ID] = x
	}
	for _, x := range b.Shifts {
		m.Shifts[x.ID] = x
	}
	for _, x := range b.Changes {
		m.Changes[x.ID] = x
	}
	if b.Cursor != "" {
		m.Cursor = b.Cursor
	}
	return nil
}

// StoredCursor is the cursor stored last.
func (m *Sink) StoredCursor() string {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	return m.Cursor
}

// EngagementsOf are "person:kind" of the engagements of incident inc, sorted.
func (m *Sink) EngagementsOf(inc string) []string {
	var out []string
	for _, e := range m.Engagements {
		if e.IncidentID == inc {
			out = append(out, e.PersonID+":"+e.Kind)
		}
	}
	sort.Strings(out)
	return out
}

// PagesOf are "person:channel@15:04:05" of the pages of incident inc, sorted.
func (m *Sink) PagesOf(inc string) []string {
	var out []string
	for _, p := range m.Pages {
		if p.IncidentID == inc {
			out = append(out, fmt.Sprintf("%s:%s@%s", p.PersonID, p.Channel, p.At.Format("15:04:05")))
		}
	}
	sort.Strings(out)
	return out
}

// History is everything stored, as the analytics read it, for source name with caps.
func (m *Sink) History(name string, caps incident.Capabilities) *incident.History {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	h := &incident.History{Sources: map[string]incident.Capabilities{name: caps}}
	for _, x := range m.People {
		h.People = append(h.People, x)
	}
	for _, x := range m.Teams {
		h.Teams = append(h.Teams, x)
	}
	for _, x := range m.Incidents {
		h.Incidents = append(h.Incidents, x)
	}
	for _, x := range m.Pages {
		h.Pages = append(h.Pages, x)
	}
	for _, x := range m.Engagements {
		h.Engagements = append(h.Engagements, x)
	}
	for _, x := range m.Shifts {
		h.Shifts = append(h.Shifts, x)
	}
	for _, x := range m.Changes {
		h.Changes = append(h.Changes, x)
	}
	return h
}
