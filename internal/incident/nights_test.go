package incident

import (
	"testing"
	"time"
)

// TestInterruptedNights: Berlin, sleep 22:00–08:00, window 7d ending 2026-10-30 03:00 UTC
// (starting 2026-10-23 03:00 UTC = 05:00 CEST). Summer time ends on 2026-10-25 at 03:00
// CEST. Pages, all of one incident:
//
//	2026-10-23 04:00 UTC = 06:00 CEST: in the window, but its night began 10-22 22:00
//	  CEST, before the window: a sleep page, not a night of the window;
//	2026-10-23 23:00 UTC = 10-24 01:00 CEST: the night of 10-23 (after midnight) — 1;
//	2026-10-25 00:30 UTC = 02:30 CEST and 06:30 UTC = 07:30 CET: both the night of 10-24,
//	  across the change of offset — 2;
//	2026-10-25 21:10 UTC = 22:10 CET: the night of 10-25 — 3;
//	2026-10-26 09:00 UTC = 10:00 CET, a Monday: business hours, no night.
//
// So 5 sleep pages, 1 business page and 3 interrupted nights.
func TestInterruptedNights(t *testing.T) {
	end := utc(2026, 10, 30, 3, 0, 0)
	s := DefaultSettings()
	s.Windows = []Window{{"7d", 7 * 24 * time.Hour}}
	pages := []time.Time{
		utc(2026, 10, 23, 4, 0, 0), utc(2026, 10, 23, 23, 0, 0), utc(2026, 10, 25, 0, 30, 0),
		utc(2026, 10, 25, 6, 30, 0), utc(2026, 10, 25, 21, 10, 0), utc(2026, 10, 26, 9, 0, 0),
	}
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People:  []Person{{Source: "pd", ID: "A", Name: "Ana", TimeZone: "Europe/Berlin"}},
		Teams:   []Team{{Source: "pd", Name: "t", Members: []string{"A"}}},
		Incidents: []Incident{{Source: "pd", ID: "I", Team: "t", Severity: SeverityHigh,
			CreatedAt: utc(2026, 10, 23, 3, 30, 0), ResolvedAt: utc(2026, 10, 27, 0, 0, 0)}},
	}
	for i, at := range pages {
		h.Pages = append(h.Pages, Page{Source: "pd", ID: string(rune('a' + i)), IncidentID: "I", PersonID: "A", At: at, Channel: ChannelPush})
	}
	r := findResp(t, Compute(h, s, end), "t", "Ana", "7d")
	if r.InterruptedNights != 3 || r.Interruptions[PeriodSleep] != 5 || r.Interruptions[PeriodBusiness] != 1 {
		t.Fatalf("nights %d, pages %v; want 3 nights, 5 sleep pages, 1 business page", r.InterruptedNights, r.Interruptions)
	}
}

// TestOnCallSeconds: the same person and window as TestInterruptedNights. Shifts:
//
//	S1 10-24 20:00 → 10-25 07:00 UTC: 22:00 CEST → 08:00 CET, 11 h of real time across
//	   the end of summer time, all in the sleep band: 39,600 s sleep;
//	S2 10-25 06:00 → 09:00 UTC overlaps S1 for an hour (counted once); what it adds,
//	   07:00–09:00 UTC = 08:00–10:00 CET on a Sunday: 7,200 s off hours;
//	S3 10-22 10:00 → 10-23 05:00 UTC starts before the window (10-23 03:00 UTC): only
//	   03:00–05:00 UTC = 05:00–07:00 CEST Friday counts: 7,200 s sleep;
//	S4 10-26 08:00 → 10:00 UTC = 09:00–11:00 CET Monday: 7,200 s business.
func TestOnCallSeconds(t *testing.T) {
	end := utc(2026, 10, 30, 3, 0, 0)
	s := DefaultSettings()
	s.Windows = []Window{{"7d", 7 * 24 * time.Hour}}
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People:  []Person{{Source: "pd", ID: "A", Name: "Ana", TimeZone: "Europe/Berlin"}},
		Teams:   []Team{{Source: "pd", Name: "t", Members: []string{"A"}}},
		Incidents: []Incident{{Source: "pd", ID: "I", Team: "t", Severity: SeverityHigh,
			CreatedAt: utc(2026, 10, 27, 3, 30, 0), ResolvedAt: utc(2026, 10, 27, 4, 0, 0)}},
		Engagements: []Engagement{{Source: "pd", ID: "e", IncidentID: "I", PersonID: "A", Kind: EngageAcknowledge, At: utc(2026, 10, 27, 3, 35, 0)}},
		Shifts: []Shift{
			{Source: "pd", ID: "S1", PersonID: "A", EscalationPolicy: "ep", Start: utc(2026, 10, 24, 20, 0, 0), End: utc(2026, 10, 25, 7, 0, 0)},
			{Source: "pd", ID: "S2", PersonID: "A", EscalationPolicy: "ep", Level: 2, Start: utc(2026, 10, 25, 6, 0, 0), End: utc(2026, 10, 25, 9, 0, 0)},
			{Source: "pd", ID: "S3", PersonID: "A", EscalationPolicy: "ep", Start: utc(2026, 10, 22, 10, 0, 0), End: utc(2026, 10, 23, 5, 0, 0)},
			{Source: "pd", ID: "S4", PersonID: "A", EscalationPolicy: "other", Start: utc(2026, 10, 26, 8, 0, 0), End: utc(2026, 10, 26, 10, 0, 0)},
		},
	}
	r := findResp(t, Compute(h, s, end), "t", "Ana", "7d")
	want := [NumPeriods]float64{}
	want[PeriodSleep], want[PeriodOffHours], want[PeriodBusiness] = 46800, 7200, 7200
	if !r.HasOnCall || r.OnCallSeconds != want {
		t.Fatalf("on call %v (has %v), want %v", r.OnCallSeconds, r.HasOnCall, want)
	}
}
