package incident

import (
	"testing"
	"time"
)

// An engagement of an unknown incident in another source must not derail the lookup of
// the next engagements (a regression: they were looked up in the wrong source and lost).
func TestEngagementLookupAcrossSources(t *testing.T) {
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	h := &History{
		Sources: map[string]Capabilities{"a": {Engagements: true}, "b": {Engagements: true}},
		Incidents: []Incident{
			{Source: "a", ID: "1", Team: "t", CreatedAt: at, ResolvedAt: at.Add(time.Minute)},
			{Source: "a", ID: "2", Team: "t", CreatedAt: at, ResolvedAt: at.Add(time.Minute)},
			{Source: "b", ID: "9", Team: "t", CreatedAt: at, ResolvedAt: at.Add(time.Minute)},
		},
		Engagements: []Engagement{
			{Source: "a", ID: "e1", IncidentID: "1", PersonID: "p1", Kind: EngageAcknowledge, At: at},
			{Source: "b", ID: "e2", IncidentID: "missing", PersonID: "q", Kind: EngageNote, At: at},
			{Source: "a", ID: "e3", IncidentID: "2", PersonID: "p2", Kind: EngageAcknowledge, At: at},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	got := map[string]int{}
	for _, r := range snap.Responders {
		if r.Window == "7d" {
			got[r.Person] = r.Incidents
		}
	}
	if got["p1"] != 1 || got["p2"] != 1 {
		t.Fatalf("engaged incidents = %v, want p1 1 and p2 1", got)
	}
}
