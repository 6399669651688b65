package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// now is Monday 23 Nov 2026 12:00 UTC in every Compute test.
var now = utc(2026, 11, 23, 12, 0, 0)

const day = 24 * time.Hour

var allCaps = Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}

func ago(d time.Duration) time.Time { return now.Add(-d) }

func findTeam(t *testing.T, s *Snapshot, team, window string) TeamWindow {
	t.Helper()
	for _, r := range s.Teams {
		if r.Team == team && r.Window == window {
			return r
		}
	}
	t.Fatalf("no team row %s/%s in %+v", team, window, s.Teams)
	return TeamWindow{}
}

func findResp(t *testing.T, s *Snapshot, team, person, window string) ResponderWindow {
	t.Helper()
	for _, r := range s.Responders {
		if r.Team == team && r.Person == person && r.Window == window {
			return r
		}
	}
	t.Fatalf("no responder row %s/%s/%s in %+v", team, person, window, s.Responders)
	return ResponderWindow{}
}

func hasResp(s *Snapshot, team, person string) bool {
	for _, r := range s.Responders {
		if r.Team == team && r.Person == person {
			return true
		}
	}
	return false
}

func near(a, b float64) bool { return abs(a-b) < 1e-9 }

// oneHero: alice does everything in payments, bob and carol are idle roster members.
func oneHero() *History {
	inc := func(id string, created, ack, res time.Time) Incident {
		return Incident{Source: "pd", ID: id, Team: "payments", Service: "api", Severity: SeverityHigh,
			EscalationPolicy: "EP1", CreatedAt: created, AcknowledgedAt: ack, ResolvedAt: res}
	}
	var zero time.Time
	return &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People: []Person{
			{Source: "pd", ID: "A", Name: "alice", Email: "alice@example.com", TimeZone: "UTC"},
			{Source: "pd", ID: "B", Name: "bob", Email: "bob@example.com"},
			{Source: "pd", ID: "C", Name: "carol", Email: "carol@example.com"},
		},
		Teams: []Team{{Source: "pd", Name: "payments", Members: []string{"A", "B", "C"}}},
		Incidents: []Incident{
			// Mon 10:00, ack 10:05 (300 s), resolved 11:00 (3600 s)
			inc("I1", ago(2*time.Hour), ago(2*time.Hour-5*time.Minute), ago(time.Hour)),
			// Fri 20 Nov 12:00, ack 12:01 (60 s), resolved 12:30 (1800 s)
			inc("I2", ago(3*day), ago(3*day-time.Minute), ago(3*day-30*time.Minute)),
			// Fri 13 Nov 12:00, never acknowledged, resolved 12:10 (600 s): 28d only
			inc("I3", ago(10*day), zero, ago(10*day-10*time.Minute)),
			// Mon 11:00, open, never acknowledged, nobody engaged
			inc("I4", ago(time.Hour), zero, zero),
		},
		Engagements: []Engagement{
			{Source: "pd", ID: "e1", IncidentID: "I1", PersonID: "A", Kind: EngageAcknowledge, At: ago(2*time.Hour - 5*time.Minute)},
			{Source: "pd", ID: "e2", IncidentID: "I2", PersonID: "A", Kind: EngageAcknowledge, At: ago(3*day - time.Minute)},
			{Source: "pd", ID: "e3", IncidentID: "I3", PersonID: "A", Kind: EngageNote, At: ago(10*day - 100*time.Second)},
			{Source: "pd", ID: "e4", IncidentID: "I2", PersonID: "A", Kind: EngageResolve, At: ago(3*day - 30*time.Minute)},
		},
	}
}

func TestComputeOneHero(t *testing.T) {
	snap := Compute(oneHero(), DefaultSettings(), now)

	wantInc := []IncidentCount{
		{Source: "pd", Team: "payments", Service: "api", Severity: SeverityHigh, Window: "28d", Count: 4},
		{Source: "pd", Team: "payments", Service: "api", Severity: SeverityHigh, Window: "7d", Count: 3}, // I1 I2 I4
	}
	if !reflect.DeepEqual(snap.Incidents, wantInc) {
		t.Errorf("Incidents = %+v\nwant %+v", snap.Incidents, wantInc)
	}
	if want := []OpenCount{{Source: "pd", Team: "payments", Service: "api", Severity: SeverityHigh, Count: 1}}; !reflect.DeepEqual(snap.Open, want) {
		t.Errorf("Open = %+v", snap.Open)
	}
	// I4: open, 1 h old (> 20 m), nobody engaged
	if want := []SourceTeamCount{{Source: "pd", Team: "payments", Count: 1}}; !reflect.DeepEqual(snap.OpenSolo, want) {
		t.Errorf("OpenSolo = %+v", snap.OpenSolo)
	}
	if want := []CreatedCount{{Source: "pd", Team: "payments", Severity: SeverityHigh, Count: 4}}; !reflect.DeepEqual(snap.CreatedTotal, want) {
		t.Errorf("CreatedTotal = %+v", snap.CreatedTotal)
	}

	tests := []struct {
		window                 string
		mtta, mttr, p50, p90   float64
		solo                   int
		aliceIncidents, offrot int
		aliceBusinessSeconds   float64
		responders, bus        int
		top, gini              float64
	}{
		// 7d: MTTA (300+60)/2 = 180 (I4 never acked); MTTR (3600+1800)/2 = 2700;
		// p50 rank ceil(1)=1 → 1800, p90 rank ceil(1.8)=2 → 3600. Solo long: I1 (1 h)
		// and I2 (30 m), alice alone. Engaged: I1 10:05-11:00 = 3300 s, I2 Fri
		// 12:01-12:30 = 1740 s, both business in UTC. Gini over [2,0,0] = 8/12.
		{"7d", 180, 2700, 1800, 3600, 2, 2, 2, 5040, 1, 1, 1, 8.0 / 12},
		// 28d adds I3: never acked; 600 s, too short for solo long; MTTR
		// (3600+1800+600)/3 = 2000, p50 rank ceil(1.5)=2 → 1800, p90 rank ceil(2.7)=3 →
		// 3600. Alice's only engagement on I3 is a note at 12:01:40 (no ack), so her
		// engaged time runs from it to 12:10: +500 s.
		{"28d", 180, 2000, 1800, 3600, 2, 3, 3, 5540, 1, 1, 1, 8.0 / 12},
	}
	for _, tc := range tests {
		tw := findTeam(t, snap, "payments", tc.window)
		if !tw.HasMTTA || !near(tw.MTTA, tc.mtta) || !tw.HasMTTR || !near(tw.MTTR, tc.mttr) ||
			tw.ResolveP50 != tc.p50 || tw.ResolveP90 != tc.p90 || tw.SoloLong != tc.solo {
			t.Errorf("%s: team = %+v", tc.window, tw)
		}
		if !tw.HasLoad || tw.Responders != tc.responders || tw.BusFactor != tc.bus || !near(tw.TopRatio, tc.top) || !near(tw.Gini, tc.gini) {
			t.Errorf("%s: load = %+v", tc.window, tw)
		}
		a := findResp(t, snap, "payments", "alice", tc.window)
		if a.Incidents != tc.aliceIncidents || !near(a.LoadRatio, 1) {
			t.Errorf("%s: alice = %+v", tc.window, a)
		}
		// no shifts at all, on-call data available: every engaged incident is off rotation
		if !a.HasOnCall || a.OffRotation != tc.offrot {
			t.Errorf("%s: alice off-rotation = %v %d, want %d", tc.window, a.HasOnCall, a.OffRotation, tc.offrot)
		}
		if want := [NumPeriods]float64{tc.aliceBusinessSeconds, 0, 0}; a.EngagedSeconds != want {
			t.Errorf("%s: alice engaged = %v, want %v", tc.window, a.EngagedSeconds, want)
		}
		if !a.HasPages || a.Interruptions != [NumPeriods]int{} {
			t.Errorf("%s: alice pages = %v %v", tc.window, a.HasPages, a.Interruptions)
		}
		for _, idle := range []string{"bob", "carol"} {
			r := findResp(t, snap, "payments", idle, tc.window)
			if r.Incidents != 0 || r.LoadRatio != 0 || r.EngagedSeconds != [NumPeriods]float64{} {
				t.Errorf("%s: idle %s = %+v", tc.window, idle, r)
			}
		}
	}
	if len(snap.Responders) != 6 {
		t.Errorf("responder rows = %d, want 3 people × 2 windows", len(snap.Responders))
	}
}

func TestComputeNeverAcknowledged(t *testing.T) {
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		Incidents: []Incident{
			{Source: "pd", ID: "1", Team: "t", CreatedAt: ago(time.Hour), ResolvedAt: ago(30 * time.Minute)},
			{Source: "pd", ID: "2", Team: "t", CreatedAt: ago(2 * time.Hour)},
			// acknowledged after now: not acknowledged yet as of now
			{Source: "pd", ID: "3", Team: "t", CreatedAt: ago(3 * time.Hour), AcknowledgedAt: now.Add(time.Minute)},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	tw := findTeam(t, snap, "t", "7d")
	if tw.HasMTTA {
		t.Errorf("MTTA present without acknowledged incidents: %+v", tw)
	}
	// only incident 1 is resolved: 1800 s
	if !tw.HasMTTR || tw.MTTR != 1800 || tw.ResolveP50 != 1800 || tw.ResolveP90 != 1800 {
		t.Errorf("MTTR = %+v", tw)
	}
	if tw.HasLoad {
		t.Errorf("load without engagements: %+v", tw)
	}
	// service "" → unknown; severity as stored, except that "" (no label) → unknown
	if snap.Incidents[0].Service != "unknown" || snap.Incidents[0].Severity != SeverityUnknown {
		t.Errorf("labels = %+v", snap.Incidents[0])
	}
}

// zones: one person in Auckland (zone from the source), one in Honolulu (zone from a
// config override), one with an invalid source zone (default location Berlin).
func TestComputeTimeZones(t *testing.T) {
	s := DefaultSettings()
	s.DefaultLocation = mustLoc(t, "Europe/Berlin")
	s.People = []PersonOverride{
		{Email: "HANA@example.com", Location: mustLoc(t, "Pacific/Honolulu")},
		// the source's zone wins over config: kiri stays in Auckland
		{Name: "kiri", Location: mustLoc(t, "Pacific/Honolulu")},
	}
	created := utc(2026, 11, 22, 19, 30, 0) // Sun 19:30Z
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People: []Person{
			{Source: "pd", ID: "K", Name: "kiri", TimeZone: "Pacific/Auckland"},
			{Source: "pd", ID: "H", Name: "hana", Email: "hana@example.com", TimeZone: ""},
			{Source: "pd", ID: "X", Name: "xaver", TimeZone: "Mars/Olympus"},
		},
		Incidents: []Incident{{Source: "pd", ID: "W1", Team: "web", Service: "edge", Severity: SeverityCritical,
			CreatedAt: created, AcknowledgedAt: created, ResolvedAt: created.Add(2 * time.Hour)}},
		Engagements: []Engagement{
			{Source: "pd", ID: "1", IncidentID: "W1", PersonID: "K", Kind: EngageAcknowledge, At: created},
			{Source: "pd", ID: "2", IncidentID: "W1", PersonID: "H", Kind: EngageAccept, At: created},
			{Source: "pd", ID: "3", IncidentID: "W1", PersonID: "X", Kind: EngageAcknowledge, At: created},
		},
		Pages: []Page{
			{Source: "pd", ID: "1", IncidentID: "W1", PersonID: "K", Channel: ChannelPush, At: created},
			{Source: "pd", ID: "2", IncidentID: "W1", PersonID: "H", Channel: ChannelPhone, At: created},
			{Source: "pd", ID: "3", IncidentID: "W1", PersonID: "X", Channel: ChannelSMS, At: created},
		},
	}
	snap := Compute(h, s, now)
	tests := []struct {
		person  string
		engaged [NumPeriods]float64
		pages   [NumPeriods]int
	}{
		// 19:30-21:30Z = Mon 08:30-10:30 NZDT (UTC+13): business.
		{"kiri", [NumPeriods]float64{7200, 0, 0}, [NumPeriods]int{1, 0, 0}},
		// = Sun 09:30-11:30 HST (UTC-10): weekend, off hours.
		{"hana", [NumPeriods]float64{0, 7200, 0}, [NumPeriods]int{0, 1, 0}},
		// = Sun 20:30-22:30 CET: 1.5 h off hours then 0.5 h sleep.
		{"xaver", [NumPeriods]float64{0, 5400, 1800}, [NumPeriods]int{0, 1, 0}},
	}
	for _, tc := range tests {
		r := findResp(t, snap, "web", tc.person, "7d")
		if r.EngagedSeconds != tc.engaged || r.Interruptions != tc.pages {
			t.Errorf("%s: engaged %v pages %v, want %v %v", tc.person, r.EngagedSeconds, r.Interruptions, tc.engaged, tc.pages)
		}
		// three people with one incident each
		if r.Incidents != 1 || !near(r.LoadRatio, 1.0/3) {
			t.Errorf("%s: %+v", tc.person, r)
		}
	}
	tw := findTeam(t, snap, "web", "7d")
	// shares 1/3 each: two people reach 2/3 ≥ 0.5; equal counts: Gini 0
	if tw.Responders != 3 || tw.BusFactor != 2 || !near(tw.TopRatio, 1.0/3) || tw.Gini != 0 {
		t.Errorf("team = %+v", tw)
	}
}

// An incident across local midnight, with hours per team and a holiday.
func TestComputeMidnightAndTeamHours(t *testing.T) {
	s := DefaultSettings()
	th := DefaultHours()
	th.Holidays = fakeHolidays{{2026, 11, 20}: true} // Friday 20 Nov is a holiday for ops
	s.TeamHours = map[string]Hours{"ops": th}
	start := utc(2026, 11, 19, 21, 0, 0) // Thu 21:00Z
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People:  []Person{{Source: "pd", ID: "P", Name: "pat"}},
		Incidents: []Incident{
			{Source: "pd", ID: "1", Team: "ops", CreatedAt: start, AcknowledgedAt: start, ResolvedAt: start.Add(14 * time.Hour)},
			{Source: "pd", ID: "2", Team: "dev", CreatedAt: start, AcknowledgedAt: start, ResolvedAt: start.Add(14 * time.Hour)},
		},
		Engagements: []Engagement{
			{Source: "pd", ID: "1", IncidentID: "1", PersonID: "P", Kind: EngageAcknowledge, At: start},
			{Source: "pd", ID: "2", IncidentID: "2", PersonID: "P", Kind: EngageAcknowledge, At: start},
		},
	}
	snap := Compute(h, s, now)
	// Thu 21:00 → Fri 11:00 UTC: Thu 21-22 off (1 h), 22-08 sleep (10 h), Fri 08-11
	// business (3 h) for dev, off hours for ops (holiday).
	if got, want := findResp(t, snap, "ops", "pat", "7d").EngagedSeconds, [NumPeriods]float64{0, 4 * 3600, 10 * 3600}; got != want {
		t.Errorf("ops: %v, want %v", got, want)
	}
	if got, want := findResp(t, snap, "dev", "pat", "7d").EngagedSeconds, [NumPeriods]float64{3 * 3600, 3600, 10 * 3600}; got != want {
		t.Errorf("dev: %v, want %v", got, want)
	}
}

func TestComputePageDedup(t *testing.T) {
	t0 := utc(2026, 11, 23, 10, 0, 0) // Mon 10:00Z, business in UTC
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People:  []Person{{Source: "pd", ID: "D", Name: "dan"}},
		Incidents: []Incident{
			{Source: "pd", ID: "1", Team: "t", CreatedAt: t0},
			{Source: "pd", ID: "2", Team: "t", CreatedAt: utc(2026, 11, 22, 23, 0, 0)},
		},
	}
	page := func(inc string, ch string, at time.Time) {
		h.Pages = append(h.Pages, Page{Source: "pd", ID: string(rune('a' + len(h.Pages))), IncidentID: inc, PersonID: "D", Channel: ch, At: at})
	}
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	page("1", ChannelPush, sec(0))                        // counted (first)
	page("1", ChannelPhone, sec(30))                      // dropped: 30 s after the counted t0
	page("1", ChannelPush, sec(91))                       // counted: 91 s after t0 (61 s after the dropped one)
	page("1", ChannelSMS, sec(152))                       // counted: 61 s after the last counted
	page("1", ChannelEmail, sec(400))                     // email never counts (and resets nothing)
	page("1", ChannelAssignment, sec(430))                // counted: 278 s after the last counted
	page("1", ChannelPush, sec(489))                      // dropped: 59 s
	page("nope", ChannelPush, sec(600))                   // unknown incident: ignored
	page("1", ChannelPush, now.Add(time.Minute))          // after now: not yet
	page("2", ChannelPush, utc(2026, 11, 22, 23, 0, 0))   // Sun 23:00Z: sleep
	page("2", ChannelPhone, utc(2026, 11, 22, 23, 0, 30)) // dropped
	page("2", ChannelPhone, utc(2026, 11, 22, 23, 1, 0))  // exactly 60 s: counted
	snap := Compute(h, DefaultSettings(), now)
	r := findResp(t, snap, "t", "dan", "7d")
	if want := [NumPeriods]int{4, 0, 2}; r.Interruptions != want {
		t.Errorf("interruptions = %v, want %v", r.Interruptions, want)
	}
	if r.Incidents != 0 || !r.HasPages {
		t.Errorf("row = %+v", r)
	}
	// pages in the first seconds of a window still see the page before it
	s := DefaultSettings()
	s.Windows = []Window{{"1h", time.Hour}}
	snap = Compute(h, s, sec(3600+20)) // window (10:00:20, 11:00:20]: sec(30) would count alone
	if got := findResp(t, snap, "t", "dan", "1h").Interruptions; got != [NumPeriods]int{3, 0, 0} {
		t.Errorf("1h window = %v, want 91, 152, 430", got)
	}
}

func TestComputeRecurrence(t *testing.T) {
	inc := func(id string, created time.Time, key, title string) Incident {
		return Incident{Source: "pd", ID: id, Team: "db", Service: "postgres", CreatedAt: created, RecurrenceKey: key, Title: title}
	}
	h := &History{Sources: map[string]Capabilities{"pd": allCaps}, Incidents: []Incident{
		inc("R1", ago(20*day), "", "Disk 91% full on db-03"),
		inc("R2", ago(15*day), "", "Disk 95% full on db-07"), // same masked title, 5 d later: recurs (28d)
		inc("R3", ago(2*day), "k1", "x"),
		inc("R4", ago(1*day), "k1", "y"), // 1 d after R3: recurs (7d, 28d)
		inc("K2a", ago(40*day), "k2", ""),
		inc("R5", ago(3*time.Hour), "k2", ""), // 40 d gap: no
		inc("K4a", ago(30*day), "k4", ""),     // outside every window, still counts as earlier
		inc("R6", ago(27*day), "k4", ""),      // 3 d later: recurs (28d)
		inc("K5a", ago(12*day), "k5", ""),
		inc("R7", ago(5*day), "k5", ""), // exactly 7 d: recurs (7d, 28d)
		inc("K6a", ago(16*day+time.Second), "k6", ""),
		inc("R8", ago(9*day), "k6", ""), // 7 d + 1 s: no
		{Source: "pd", ID: "O", Team: "db", Service: "other", CreatedAt: ago(time.Hour), Title: "Disk 91% full on db-03"}, // other service: no
	}}
	snap := Compute(h, DefaultSettings(), now)
	want := []RecurrenceCount{
		{Team: "db", Service: "other", Window: "28d", Count: 0},
		{Team: "db", Service: "other", Window: "7d", Count: 0},
		{Team: "db", Service: "postgres", Window: "28d", Count: 4}, // R2 R4 R6 R7
		{Team: "db", Service: "postgres", Window: "7d", Count: 2},  // R4 R7
	}
	if !reflect.DeepEqual(snap.Recurrences, want) {
		t.Errorf("Recurrences = %+v\nwant %+v", snap.Recurrences, want)
	}
}

func TestComputeSolo(t *testing.T) {
	var zero time.Time
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps, "og": {Engagements: true}},
		Incidents: []Incident{
			{Source: "pd", ID: "long1", Team: "t", CreatedAt: ago(5 * time.Hour), ResolvedAt: ago(4 * time.Hour)},                // 1 h, one person: solo
			{Source: "pd", ID: "long2", Team: "t", CreatedAt: ago(5 * time.Hour), ResolvedAt: ago(4 * time.Hour)},                // two people
			{Source: "pd", ID: "short", Team: "t", CreatedAt: ago(5 * time.Hour), ResolvedAt: ago(5*time.Hour - 19*time.Minute)}, // 19 m
			{Source: "pd", ID: "edge", Team: "t", CreatedAt: ago(5 * time.Hour), ResolvedAt: ago(5*time.Hour - 20*time.Minute)},  // exactly 20 m: solo
			{Source: "pd", ID: "open1", Team: "t", CreatedAt: ago(time.Hour), ResolvedAt: zero},                                  // open, 1 person: open solo
			{Source: "pd", ID: "open0", Team: "t", CreatedAt: ago(2 * time.Hour)},                                                // open, nobody: open solo
			{Source: "pd", ID: "open2", Team: "t", CreatedAt: ago(3 * time.Hour)},                                                // open, two people
			{Source: "pd", ID: "young", Team: "t", CreatedAt: ago(10 * time.Minute)},                                             // open, too young
			{Source: "og", ID: "old", Team: "t", CreatedAt: ago(40 * day)},                                                       // open, other source, outside windows
		},
	}
	e := func(inc, p string) {
		h.Engagements = append(h.Engagements, Engagement{Source: "pd", ID: inc + p, IncidentID: inc, PersonID: p, Kind: EngageNote, At: ago(time.Minute)})
	}
	e("long1", "a")
	e("long1", "a") // the same person twice is still one person
	e("long2", "a")
	e("long2", "b")
	e("short", "a")
	e("edge", "b")
	e("open1", "a")
	e("open2", "a")
	e("open2", "b")
	snap := Compute(h, DefaultSettings(), now)
	if got := findTeam(t, snap, "t", "7d").SoloLong; got != 2 {
		t.Errorf("solo long = %d, want 2 (long1, edge)", got)
	}
	want := []SourceTeamCount{{Source: "og", Team: "t", Count: 1}, {Source: "pd", Team: "t", Count: 2}}
	if !reflect.DeepEqual(snap.OpenSolo, want) {
		t.Errorf("OpenSolo = %+v, want %+v", snap.OpenSolo, want)
	}
	// the old open incident is counted open but not in any window
	for _, r := range snap.Incidents {
		if r.Source == "og" {
			t.Errorf("og incident in a window: %+v", r)
		}
	}
	if want := (OpenCount{Source: "og", Team: "t", Service: "unknown", Severity: SeverityUnknown, Count: 1}); snap.Open[0] != want {
		t.Errorf("Open[0] = %+v, want %+v", snap.Open[0], want)
	}
}

func TestComputeOffRotation(t *testing.T) {
	created := ago(2 * time.Hour)
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps, "og": {People: true, Pages: true, Engagements: true}},
		People: []Person{
			{Source: "pd", ID: "E", Name: "erin"}, {Source: "pd", ID: "F", Name: "frank"},
			{Source: "pd", ID: "G", Name: "gina"}, {Source: "pd", ID: "H", Name: "henry"},
			{Source: "og", ID: "F2", Name: "frank2"},
		},
		Shifts: []Shift{
			{Source: "pd", ID: "s1", PersonID: "E", EscalationPolicy: "EP1", Start: ago(day), End: now.Add(day)},
			{Source: "pd", ID: "s2", PersonID: "F", EscalationPolicy: "EP2", Start: ago(day), End: now.Add(day)}, // other policy
			{Source: "pd", ID: "s3", PersonID: "G", EscalationPolicy: "EP1", Level: 2, Start: ago(10 * day)},     // open-ended
			{Source: "pd", ID: "s4", PersonID: "H", EscalationPolicy: "EP1", Start: ago(day), End: created.Add(time.Minute)},
		},
		Incidents: []Incident{
			{Source: "pd", ID: "O1", Team: "ops", EscalationPolicy: "EP1", CreatedAt: created},
			{Source: "og", ID: "O2", Team: "ops2", EscalationPolicy: "EP1", CreatedAt: created},
		},
		Engagements: []Engagement{
			{Source: "pd", ID: "1", IncidentID: "O1", PersonID: "E", Kind: EngageAcknowledge, At: created.Add(time.Minute)}, // on call
			{Source: "pd", ID: "2", IncidentID: "O1", PersonID: "F", Kind: EngageNote, At: created.Add(time.Minute)},        // off: EP2 only
			{Source: "pd", ID: "3", IncidentID: "O1", PersonID: "G", Kind: EngageNote, At: created.Add(time.Minute)},        // on: open-ended
			{Source: "pd", ID: "4", IncidentID: "O1", PersonID: "H", Kind: EngageNote, At: created.Add(time.Minute)},        // off: End exclusive
			{Source: "pd", ID: "5", IncidentID: "O1", PersonID: "H", Kind: EngageAcknowledge, At: created},                  // ...but his first engagement was on call
			{Source: "og", ID: "6", IncidentID: "O2", PersonID: "F2", Kind: EngageAcknowledge, At: created.Add(time.Minute)},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	for _, tc := range []struct {
		person string
		off    int
	}{{"erin", 0}, {"frank", 1}, {"gina", 0}, {"henry", 0}} {
		r := findResp(t, snap, "ops", tc.person, "7d")
		if !r.HasOnCall || r.OffRotation != tc.off {
			t.Errorf("%s: HasOnCall %v OffRotation %d, want %d", tc.person, r.HasOnCall, r.OffRotation, tc.off)
		}
	}
	// henry without the earlier ack: first engagement at the shift's End → off rotation
	h.Engagements = slices.DeleteFunc(h.Engagements, func(e Engagement) bool { return e.ID == "5" })
	snap = Compute(h, DefaultSettings(), now)
	if r := findResp(t, snap, "ops", "henry", "7d"); r.OffRotation != 1 {
		t.Errorf("henry at End: %+v", r)
	}
	// no on-call data in og: absent, not zero
	r := findResp(t, snap, "ops2", "frank2", "7d")
	if r.HasOnCall || r.OffRotation != 0 || !r.HasPages {
		t.Errorf("og row = %+v", r)
	}
}

func TestComputeEmailMerge(t *testing.T) {
	at := ago(time.Hour)
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps, "og": allCaps},
		People: []Person{
			{Source: "pd", ID: "P1", Name: "Ana", Email: "ana@example.com"},
			{Source: "og", ID: "U9", Name: "", Email: " ANA@Example.COM"}, // og < pd: primary record, but no name
		},
		Incidents: []Incident{
			{Source: "pd", ID: "1", Team: "shared", CreatedAt: at},
			{Source: "og", ID: "1", Team: "shared", CreatedAt: at}, // same id, other source: another incident
		},
		Engagements: []Engagement{
			{Source: "pd", ID: "1", IncidentID: "1", PersonID: "P1", Kind: EngageAcknowledge, At: at},
			{Source: "og", ID: "1", IncidentID: "1", PersonID: "U9", Kind: EngageAcknowledge, At: at},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	if r := findResp(t, snap, "shared", "Ana", "7d"); r.Incidents != 2 || r.LoadRatio != 1 {
		t.Errorf("merged = %+v", r)
	}
	if n := len(snap.Responders); n != 2 {
		t.Errorf("%d responder rows, want one person × 2 windows", n)
	}
	for label, want := range map[string]string{"email": "ana@example.com", "id": "U9", "hashed": hash16("ana@example.com")} {
		s := DefaultSettings()
		s.PersonLabel = label
		if got := Compute(h, s, now).Responders[0].Person; got != want {
			t.Errorf("person_label %s = %q, want %q", label, got, want)
		}
	}
	// Keyed (hash_key_file), from the clear email and from the stored keyed hash alike:
	// python3 -c "import hmac,hashlib; print(hmac.new(b'0123456789abcdef-test-key', b'ana@example.com', hashlib.sha256).hexdigest()[:16])"
	s := DefaultSettings()
	s.PersonLabel, s.HashKey = "hashed", []byte("0123456789abcdef-test-key")
	if got := Compute(h, s, now).Responders[0].Person; got != "898a991966728612" {
		t.Errorf("keyed hashed label = %q, want 898a991966728612", got)
	}
	scrubbed := *h
	scrubbed.People = nil
	for _, p := range h.People {
		p.Name, p.Email = s.HashKey.Scrub(p.Name, p.Email)
		scrubbed.People = append(scrubbed.People, p)
	}
	if got := Compute(&scrubbed, s, now).Responders[0].Person; got != "898a991966728612" {
		t.Errorf("keyed hashed label from the stored form = %q, want 898a991966728612", got)
	}
}

func hash16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

func TestComputeLabelCollision(t *testing.T) {
	at := ago(time.Hour)
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps, "og": allCaps},
		People: []Person{
			{Source: "pd", ID: "S1", Name: "Sam", Email: "sam.a@example.com"},
			{Source: "pd", ID: "S2", Name: "Sam", Email: "sam.b@example.com"},
			{Source: "pd", ID: "T", Name: "Tom\xff"}, // invalid UTF-8 in a name
		},
		Incidents:   []Incident{{Source: "pd", ID: "1", Team: "t", CreatedAt: at}},
		Engagements: []Engagement{{Source: "pd", ID: "1", IncidentID: "1", PersonID: "T", At: at}},
		Teams:       []Team{{Source: "pd", Name: "t", Members: []string{"S1", "S2", "ghost"}}}, // ghost: only an id
	}
	snap := Compute(h, DefaultSettings(), now)
	var got []string
	for _, r := range snap.Responders {
		if r.Window == "7d" {
			got = append(got, r.Person)
		}
	}
	want := []string{
		"Sam (" + hash16("sam.a@example.com")[:6] + ")",
		"Sam (" + hash16("sam.b@example.com")[:6] + ")",
		"Tom\uFFFD",
		"ghost",
	}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("labels = %q, want %q", got, want)
	}
	// id labels: S1 in pd and S1 in og are different people with the same id
	h.People = append(h.People, Person{Source: "og", ID: "S1", Name: "Other"})
	h.Teams = append(h.Teams, Team{Source: "og", Name: "t", Members: []string{"S1"}})
	s := DefaultSettings()
	s.PersonLabel = "id"
	snap = Compute(h, s, now)
	if !hasResp(snap, "t", "S1 ("+hash16("og/S1")[:6]+")") || !hasResp(snap, "t", "S1 ("+hash16("sam.a@example.com")[:6]+")") {
		t.Errorf("id collision not disambiguated: %+v", snap.Responders)
	}
}

func TestComputeWindowBoundary(t *testing.T) {
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		Incidents: []Incident{
			{Source: "pd", ID: "at-now", Team: "t", Severity: SeverityLow, CreatedAt: now, ResolvedAt: now},         // in 7d and 28d
			{Source: "pd", ID: "at-7d", Team: "t", Severity: SeverityLow, CreatedAt: ago(7 * day), ResolvedAt: now}, // only 28d
			{Source: "pd", ID: "at-28d", Team: "t", Severity: SeverityLow, CreatedAt: ago(28 * day), ResolvedAt: now},
			{Source: "pd", ID: "future", Team: "t", Severity: SeverityLow, CreatedAt: now.Add(time.Second)},
		},
	}
	snap := Compute(h, DefaultSettings(), now)
	want := []IncidentCount{
		{Source: "pd", Team: "t", Service: "unknown", Severity: SeverityLow, Window: "28d", Count: 2},
		{Source: "pd", Team: "t", Service: "unknown", Severity: SeverityLow, Window: "7d", Count: 1},
	}
	if !reflect.DeepEqual(snap.Incidents, want) {
		t.Errorf("Incidents = %+v", snap.Incidents)
	}
	// none open: the future incident does not exist yet; the label set still shows 0
	if len(snap.Open) != 1 || snap.Open[0].Count != 0 {
		t.Errorf("Open = %+v", snap.Open)
	}
	// created total: 3 incidents as of now
	if snap.CreatedTotal[0].Count != 3 {
		t.Errorf("CreatedTotal = %+v", snap.CreatedTotal)
	}
	h.CreatedTotals = []CreatedCount{{Source: "pd", Team: "", Severity: SeverityLow, Count: 5}, {Source: "pd", Team: "unassigned", Severity: SeverityLow, Count: 2}}
	if got := Compute(h, DefaultSettings(), now).CreatedTotal; !reflect.DeepEqual(got, []CreatedCount{{Source: "pd", Team: "unassigned", Severity: SeverityLow, Count: 7}}) {
		t.Errorf("CreatedTotal from store = %+v", got)
	}
}

// Absence: a source without pages gives no interruptions; without engagements no load.
func TestComputeCapabilities(t *testing.T) {
	at := ago(time.Hour)
	h := &History{
		Sources:     map[string]Capabilities{"am": {}},
		Incidents:   []Incident{{Source: "am", ID: "1", CreatedAt: at}},
		Engagements: []Engagement{{Source: "am", ID: "1", IncidentID: "1", PersonID: "x", Kind: EngageNote, At: at}},
	}
	snap := Compute(h, DefaultSettings(), now)
	tw := findTeam(t, snap, "unassigned", "7d")
	if tw.HasLoad || tw.Responders != 1 {
		t.Errorf("team = %+v", tw)
	}
	r := findResp(t, snap, "unassigned", "x", "7d")
	if r.HasPages || r.HasOnCall || r.LoadRatio != 0 || r.Incidents != 1 {
		t.Errorf("row = %+v", r)
	}
}

// The snapshot does not depend on the order of History's slices.
func TestComputeOrderIndependent(t *testing.T) {
	h := oneHero()
	a := Compute(h, DefaultSettings(), now)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		rng.Shuffle(len(h.People), func(i, j int) { h.People[i], h.People[j] = h.People[j], h.People[i] })
		rng.Shuffle(len(h.Incidents), func(i, j int) { h.Incidents[i], h.Incidents[j] = h.Incidents[j], h.Incidents[i] })
		rng.Shuffle(len(h.Engagements), func(i, j int) { h.Engagements[i], h.Engagements[j] = h.Engagements[j], h.Engagements[i] })
		if b := Compute(h, DefaultSettings(), now); !reflect.DeepEqual(a, b) {
			t.Fatalf("snapshot changed with order:\n%+v\n%+v", a, b)
		}
	}
}

func TestComputeEmpty(t *testing.T) {
	snap := Compute(&History{}, DefaultSettings(), now)
	if len(snap.Incidents)+len(snap.Open)+len(snap.Teams)+len(snap.Responders) != 0 || len(snap.Windows) != 2 {
		t.Errorf("empty = %+v", snap)
	}
	Compute(nil, Settings{}, now) // zero settings must not panic
}

// Engaged time of an open incident is clipped to each window; windows in any order.
func TestComputeEngagedClipped(t *testing.T) {
	created := ago(10 * day) // Fri 13 Nov 12:00Z
	h := &History{
		Sources:     map[string]Capabilities{"pd": allCaps},
		People:      []Person{{Source: "pd", ID: "P", Name: "pat"}},
		Incidents:   []Incident{{Source: "pd", ID: "1", Team: "t", CreatedAt: created, AcknowledgedAt: created}},
		Engagements: []Engagement{{Source: "pd", ID: "1", IncidentID: "1", PersonID: "P", Kind: EngageAcknowledge, At: created}},
	}
	s := DefaultSettings()
	s.Windows = []Window{{"28d", 28 * day}, {"7d", 7 * day}}
	snap := Compute(h, s, now)
	const hr = 3600
	// 7d: any 7 whole days hold each weekday hour once: 5×10 h business, 5×4+2×14 = 48 h
	// off, 7×10 h sleep.
	if got, want := findResp(t, snap, "t", "pat", "7d").EngagedSeconds, [NumPeriods]float64{50 * hr, 48 * hr, 70 * hr}; got != want {
		t.Errorf("7d = %v, want %v", got, want)
	}
	// 28d: the incident's whole 10 days: the week above plus Fri 13 12:00 .. Mon 16
	// 12:00: business Fri 12-18 + Mon 08-12 = 10 h; off Fri 18-22, Sat and Sun 08-22 =
	// 32 h; sleep three nights = 30 h.
	if got, want := findResp(t, snap, "t", "pat", "28d").EngagedSeconds, [NumPeriods]float64{60 * hr, 80 * hr, 100 * hr}; got != want {
		t.Errorf("28d = %v, want %v", got, want)
	}
	// created 10 d ago: engaged incidents only in 28d
	if a, b := findResp(t, snap, "t", "pat", "7d").Incidents, findResp(t, snap, "t", "pat", "28d").Incidents; a != 0 || b != 1 {
		t.Errorf("incidents 7d %d 28d %d", a, b)
	}
}

// Hours from a person override; a page in the window about an incident resolved long
// before it (not indexed up front) still counts for that incident's team.
func TestComputeOverrideHoursAndOldIncident(t *testing.T) {
	allDay := Hours{Business: ClockRange{Start: 0, End: 24 * 60}, BusinessDays: [7]bool{true, true, true, true, true, true, true}}
	s := DefaultSettings()
	s.People = []PersonOverride{{ID: "N", Hours: &allDay}}
	sunNight := utc(2026, 11, 22, 23, 30, 0) // sleep by default hours
	h := &History{
		Sources: map[string]Capabilities{"pd": allCaps},
		People:  []Person{{Source: "pd", ID: "N", Name: "nora"}, {Source: "pd", ID: "M", Name: "max"}},
		Incidents: []Incident{
			{Source: "pd", ID: "old", Team: "legacy", CreatedAt: ago(40 * day), ResolvedAt: ago(39 * day)},
		},
		Pages: []Page{
			{Source: "pd", ID: "1", IncidentID: "old", PersonID: "N", Channel: ChannelPush, At: sunNight},
			{Source: "pd", ID: "2", IncidentID: "old", PersonID: "M", Channel: ChannelPush, At: sunNight},
			{Source: "pd", ID: "3", IncidentID: "ghost", PersonID: "N", Channel: ChannelPush, At: sunNight.Add(time.Hour)},
		},
	}
	snap := Compute(h, s, now)
	if got := findResp(t, snap, "legacy", "nora", "7d"); got.Interruptions != [NumPeriods]int{1, 0, 0} || !got.HasPages {
		t.Errorf("nora = %+v", got)
	}
	if got := findResp(t, snap, "legacy", "max", "7d").Interruptions; got != [NumPeriods]int{0, 0, 1} {
		t.Errorf("max = %v", got)
	}
	if len(snap.Teams) != 0 || len(snap.Incidents) != 0 {
		t.Errorf("legacy has no incident in a window: %+v %+v", snap.Teams, snap.Incidents)
	}
}
