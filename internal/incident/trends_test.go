package incident

import (
	"reflect"
	"testing"
	"time"
)

// TestTrendsHandComputed: previous-window incidents and MTTR with the window edges,
// quiet streaks, changes failed exactly change_failure_within before an incident, one
// incident after two changes, changes without a service or a team. Every expected value
// is worked out in the comments.
func TestTrendsHandComputed(t *testing.T) {
	const day = 24 * time.Hour
	s := DefaultSettings()
	s.Windows = []Window{{"7d", 7 * day}}
	i1 := ago(1 * day)
	i5 := ago(2 * day)
	i3 := ago(10 * day)
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		Incidents: []Incident{
			{Source: "pd", ID: "I1", Team: "payments", Service: "api", Severity: SeverityHigh, CreatedAt: i1, ResolvedAt: i1.Add(time.Hour)},
			// Exactly now−7d: the previous window (now−14d, now−7d] holds it.
			{Source: "pd", ID: "I2", Team: "payments", Service: "api", Severity: SeverityHigh, CreatedAt: ago(7 * day), ResolvedAt: ago(7 * day).Add(2 * time.Hour)},
			{Source: "pd", ID: "I3", Team: "payments", Service: "api", Severity: SeverityHigh, CreatedAt: i3, ResolvedAt: i3.Add(4 * time.Hour)},
			// Exactly now−14d: before the previous window.
			{Source: "pd", ID: "I4", Team: "payments", Service: "api", Severity: SeverityHigh, CreatedAt: ago(14 * day), ResolvedAt: ago(14 * day).Add(time.Hour)},
			{Source: "pd", ID: "I5", Team: "search", Service: "web", Severity: SeverityLow, CreatedAt: i5},
			{Source: "pd", ID: "I6", Team: "ops", Service: "db", Severity: SeverityCritical, CreatedAt: ago(9 * day), ResolvedAt: ago(9 * day).Add(time.Hour)},
		},
		Changes: []Change{
			{Source: "ci", ID: "C1", Team: "payments", Service: "api", Kind: ChangeDeploy, Time: i1.Add(-time.Hour)},       // I1 exactly 1h later: failed
			{Source: "ci", ID: "C2", Service: "api", Kind: ChangeDeploy, Time: i1.Add(-time.Hour - time.Second)},           // I1 1h1s later: not failed; team from api's newest incident
			{Source: "ci", ID: "C3", Team: "search", Service: "web", Kind: ChangeDeploy, Time: i5.Add(-30 * time.Minute)},  // I5 30m later: failed
			{Source: "ci", ID: "C4", Team: "search", Service: "web", Kind: ChangeConfig, Time: i5.Add(-10 * time.Minute)},  // I5 10m later: failed
			{Source: "ci", ID: "C5", Team: "payments", Service: "api", Kind: ChangeDeploy, Time: i3.Add(-5 * time.Minute)}, // previous window, I3 5m later: failed
			{Source: "ci", ID: "C6", Kind: ChangeOther, Time: ago(time.Hour)},                                              // no service: unknown, unassigned
			{Source: "ci", ID: "C7", Service: "db", Kind: ChangeRollback, Time: ago(3 * day)},                              // team of db's newest incident: ops
			{Source: "ci", ID: "C8", Team: "payments", Service: "api", Kind: ChangeDeploy, Time: now.Add(time.Hour)},       // after now: not yet
		},
	}
	cur := Compute(h, s, now)
	tr := ComputeTrends(h, s, now, cur, ReplayPrevious(h, s, now))

	// Previous window: payments/api I2 and I3 (not I4); ops/db I6; search/web had one
	// incident now and none before: 0, not absent.
	wantPrev := []IncidentCount{
		{Source: "pd", Team: "ops", Service: "db", Severity: SeverityCritical, Window: "7d", Count: 1},
		{Source: "pd", Team: "payments", Service: "api", Severity: SeverityHigh, Window: "7d", Count: 2},
		{Source: "pd", Team: "search", Service: "web", Severity: SeverityLow, Window: "7d", Count: 0},
	}
	if !reflect.DeepEqual(tr.IncidentsPrevious, wantPrev) {
		t.Errorf("incidents previous:\n got %+v\nwant %+v", tr.IncidentsPrevious, wantPrev)
	}
	// MTTR before, as it was at the end of that window (now−7d): payments only I3, 4h —
	// I2, created exactly at the end, was still open then; ops 1h.
	wantMTTR := []TeamValue{{Team: "ops", Window: "7d", Value: 3600}, {Team: "payments", Window: "7d", Value: 14400}}
	if !reflect.DeepEqual(tr.MTTRPrevious, wantMTTR) {
		t.Errorf("MTTR previous: got %+v want %+v", tr.MTTRPrevious, wantMTTR)
	}
	wantLast := []ServiceTime{{Team: "ops", Service: "db", At: ago(9 * day)}, {Team: "payments", Service: "api", At: i1}, {Team: "search", Service: "web", At: i5}}
	if !reflect.DeepEqual(tr.LastIncident, wantLast) {
		t.Errorf("last incident: got %+v want %+v", tr.LastIncident, wantLast)
	}
	wantChanges := []ChangeCount{
		{Source: "ci", Team: "ops", Service: "db", Window: "7d", Changes: 1},
		{Source: "ci", Team: "payments", Service: "api", Window: "7d", Changes: 2, Failed: 1, ChangesPrevious: 1, FailedPrev: 1},
		{Source: "ci", Team: "search", Service: "web", Window: "7d", Changes: 2, Failed: 2},
		{Source: "ci", Team: "unassigned", Service: "unknown", Window: "7d", Changes: 1},
	}
	if !reflect.DeepEqual(tr.Changes, wantChanges) {
		t.Errorf("changes:\n got %+v\nwant %+v", tr.Changes, wantChanges)
	}
	// Incidents after a change, in the window: I1 (C1 1h before), I5 once although two
	// changes preceded it; ops/db had a change and no incident after it: 0.
	wantAfter := []ServiceCount{
		{Team: "ops", Service: "db", Window: "7d", Count: 0},
		{Team: "payments", Service: "api", Window: "7d", Count: 1},
		{Team: "search", Service: "web", Window: "7d", Count: 1},
	}
	if !reflect.DeepEqual(tr.AfterChange, wantAfter) {
		t.Errorf("after change: got %+v want %+v", tr.AfterChange, wantAfter)
	}
}
