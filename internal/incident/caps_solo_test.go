package incident

import (
	"testing"
	"time"
)

// A source without engagement data (an Alertmanager webhook) cannot say who worked an
// incident: its incidents must not count as solo, and the team's solo and responder
// figures are absent rather than zero.
func TestSoloFiguresNeedEngagementData(t *testing.T) {
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	h := &History{
		Sources: map[string]Capabilities{"am": {}},
		Incidents: []Incident{
			{Source: "am", ID: "a", Team: "storage", CreatedAt: now.Add(-2 * time.Hour)},                                      // open 2h
			{Source: "am", ID: "b", Team: "storage", CreatedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-4 * time.Hour)}, // 1h
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	if len(snap.OpenSolo) != 0 {
		t.Errorf("open solo rows for a source without engagements: %+v", snap.OpenSolo)
	}
	if len(snap.Teams) != 2 {
		t.Fatalf("teams = %+v", snap.Teams)
	}
	for _, tw := range snap.Teams {
		if tw.HasEngagements || tw.SoloLong != 0 || tw.HasLoad {
			t.Errorf("team figures claim engagement data: %+v", tw)
		}
		if !tw.HasMTTR || tw.MTTR != 3600 {
			t.Errorf("MTTR still comes from the incidents: %+v", tw)
		}
	}
	// The same incidents from a source with engagements: both solo figures count.
	h.Sources["am"] = Capabilities{Engagements: true}
	snap = Compute(h, DefaultSettings(), now)
	if len(snap.OpenSolo) != 1 || snap.OpenSolo[0].Count != 1 {
		t.Errorf("open solo = %+v, want 1 (open 2h, nobody engaged)", snap.OpenSolo)
	}
	if !snap.Teams[0].HasEngagements || snap.Teams[0].SoloLong != 0 {
		t.Errorf("team = %+v: solo long needs exactly one engaged person, none here", snap.Teams[0])
	}
}
