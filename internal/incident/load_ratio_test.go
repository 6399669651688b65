package incident

import (
	"testing"
	"time"
)

// A team whose members engaged no incident in a window has no load shares there: the
// shares of nothing are absent, not 0 (they would sum to 0, not 1). In a window where the
// team did engage, idle members have an honest 0 beside the engaged ones' shares.
func TestLoadRatioAbsentWithoutEngagement(t *testing.T) {
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People: []Person{
			{Source: "pd", ID: "A", Name: "alice"}, {Source: "pd", ID: "B", Name: "bob"},
			{Source: "pd", ID: "C", Name: "carol"}, {Source: "pd", ID: "D", Name: "dan"},
		},
		Teams: []Team{
			{Source: "pd", Name: "payments", Members: []string{"A", "B"}},
			{Source: "pd", Name: "search", Members: []string{"C", "D"}},
		},
		Incidents: []Incident{
			// payments: one incident 10 days ago (28d only), engaged by alice
			{Source: "pd", ID: "P1", Team: "payments", CreatedAt: ago(10 * day), ResolvedAt: ago(10*day - time.Hour)},
			// search: one incident 2 days ago that nobody engaged
			{Source: "pd", ID: "S1", Team: "search", CreatedAt: ago(2 * day), ResolvedAt: ago(2*day - time.Hour)},
		},
		Engagements: []Engagement{
			{Source: "pd", ID: "e1", IncidentID: "P1", PersonID: "A", Kind: EngageAcknowledge, At: ago(10*day - time.Minute)},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	tests := []struct {
		team, person, window string
		has                  bool
		ratio                float64
	}{
		{"payments", "alice", "7d", false, 0}, // no engagement in 7d
		{"payments", "bob", "7d", false, 0},
		{"payments", "alice", "28d", true, 1},
		{"payments", "bob", "28d", true, 0}, // idle beside an engaged teammate: an honest 0
		{"search", "carol", "7d", false, 0}, // an incident, but nobody engaged it
		{"search", "dan", "7d", false, 0},
		{"search", "carol", "28d", false, 0},
		{"search", "dan", "28d", false, 0},
	}
	for _, tc := range tests {
		r := findResp(t, snap, tc.team, tc.person, tc.window)
		if r.HasLoadRatio != tc.has || r.LoadRatio != tc.ratio {
			t.Errorf("%s/%s/%s: load ratio = %v %v, want %v %v", tc.team, tc.person, tc.window, r.HasLoadRatio, r.LoadRatio, tc.has, tc.ratio)
		}
	}
	for _, w := range []string{"7d", "28d"} {
		if tw := findTeam(t, snap, "search", w); tw.HasLoad {
			t.Errorf("search %s: team load figures present without engagement: %+v", w, tw)
		}
	}
}
