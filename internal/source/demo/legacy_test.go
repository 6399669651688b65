package demo

import (
	"testing"
	"time"
)

// TestLegacyServiceFalls: search-legacy-indexer's incidents halve every 28 days from
// 2026-09-01. Worked out from the cumulative count 58 × (1 − 2^(−days/28)), floored:
// at the pinned now (2026-11-18, day 78) 49; 28 days before (day 50) 41; 56 days before
// (day 22) 24 — so 8 incidents in the last 28 days against 17 in the 28 before.
func TestLegacyServiceFalls(t *testing.T) {
	st := load(t, 1, pinned)
	day := 24 * time.Hour
	var now, before int
	for _, in := range st.incidents {
		if in.Service != LegacyService {
			continue
		}
		switch c := in.CreatedAt; {
		case c.After(pinned.Add(-28*day)) && !c.After(pinned):
			now++
		case c.After(pinned.Add(-56*day)) && !c.After(pinned.Add(-28*day)):
			before++
		}
	}
	if now != 8 || before != 17 {
		t.Fatalf("legacy incidents: %d in the last 28d, %d in the 28d before; want 8 and 17", now, before)
	}
	if legacyCount(time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC))-legacyCount(time.Date(2027, 11, 3, 0, 0, 0, 0, time.UTC)) != 0 {
		t.Error("a year on, the service should be quiet")
	}
}
