package incident

import (
	"math/rand/v2"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// fakeHolidays is a HolidayCalendar of fixed dates.
type fakeHolidays map[[3]int]bool

func (f fakeHolidays) IsHoliday(y int, m time.Month, d int) bool { return f[[3]int{y, int(m), d}] }

var xmas = fakeHolidays{{2026, 12, 25}: true}

func withHolidays(h Hours, c HolidayCalendar) Hours {
	h.Holidays = c
	return h
}

func TestPeriodAt(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	auckland := mustLoc(t, "Pacific/Auckland")
	tonga := mustLoc(t, "Pacific/Tongatapu")
	honolulu := mustLoc(t, "Pacific/Honolulu")
	def := DefaultHours()
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		h    Hours
		want Period
	}{
		// EU DST 2026: spring forward Sun 29 Mar 01:00 UTC, fall back Sun 25 Oct 01:00 UTC.
		{"berlin fri before spring forward 06:30Z = 07:30 CET", utc(2026, 3, 27, 6, 30, 0), berlin, def, PeriodSleep},
		{"berlin mon after spring forward 06:30Z = 08:30 CEST", utc(2026, 3, 30, 6, 30, 0), berlin, def, PeriodBusiness},
		{"berlin sun spring forward 00:59Z = 01:59 CET", utc(2026, 3, 29, 0, 59, 0), berlin, def, PeriodSleep},
		{"berlin sun spring forward 10:00Z = 12:00 CEST weekend", utc(2026, 3, 29, 10, 0, 0), berlin, def, PeriodOffHours},
		{"berlin fri before fall back 06:30Z = 08:30 CEST", utc(2026, 10, 23, 6, 30, 0), berlin, def, PeriodBusiness},
		{"berlin mon after fall back 06:30Z = 07:30 CET", utc(2026, 10, 26, 6, 30, 0), berlin, def, PeriodSleep},
		{"berlin first 02:30 of fall back 00:30Z = 02:30 CEST", utc(2026, 10, 25, 0, 30, 0), berlin, def, PeriodSleep},
		{"berlin mon 16:59Z = 17:59 CET", utc(2026, 11, 23, 16, 59, 0), berlin, def, PeriodBusiness},
		{"berlin mon 17:00Z = 18:00 CET end exclusive", utc(2026, 11, 23, 17, 0, 0), berlin, def, PeriodOffHours},
		// Auckland is UTC+13 in November (NZDT): Sun 20:00Z is Mon 09:00.
		{"auckland sun 20:00Z = mon 09:00 NZDT", utc(2026, 11, 22, 20, 0, 0), auckland, def, PeriodBusiness},
		{"auckland mon 09:00Z = mon 22:00 NZDT", utc(2026, 11, 23, 9, 0, 0), auckland, def, PeriodSleep},
		// Tongatapu is UTC+13 all year: Wed 19:00Z is Thu 08:00, start inclusive.
		{"tonga wed 19:00Z = thu 08:00", utc(2026, 7, 1, 19, 0, 0), tonga, def, PeriodBusiness},
		{"tonga wed 18:59Z = thu 07:59", utc(2026, 7, 1, 18, 59, 0), tonga, def, PeriodSleep},
		// Honolulu is UTC-10 (no DST): Mon 06:00Z is Sun 20:00.
		{"honolulu mon 06:00Z = sun 20:00 HST", utc(2026, 11, 23, 6, 0, 0), honolulu, def, PeriodOffHours},
		{"honolulu mon 19:00Z = mon 09:00 HST", utc(2026, 11, 23, 19, 0, 0), honolulu, def, PeriodBusiness},
		{"honolulu tue 08:30Z = mon 22:30 HST", utc(2026, 11, 24, 8, 30, 0), honolulu, def, PeriodSleep},
		// Holidays: Fri 25 Dec 2026 in the fake calendar.
		{"holiday fri 10:00", utc(2026, 12, 25, 10, 0, 0), time.UTC, withHolidays(def, xmas), PeriodOffHours},
		{"holiday still sleeps at 23:00", utc(2026, 12, 25, 23, 0, 0), time.UTC, withHolidays(def, xmas), PeriodSleep},
		{"day before holiday thu 10:00", utc(2026, 12, 24, 10, 0, 0), time.UTC, withHolidays(def, xmas), PeriodBusiness},
		// Honolulu Thu 24 Dec 15:00 HST is Fri 25 Dec 01:00Z: the holiday is the local date.
		{"holiday is local: honolulu thu 15:00", utc(2026, 12, 25, 1, 0, 0), honolulu, withHolidays(def, xmas), PeriodBusiness},
		{"nil loc is UTC", utc(2026, 11, 23, 12, 0, 0), nil, def, PeriodBusiness},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PeriodAt(tc.at, tc.loc, tc.h); got != tc.want {
				t.Errorf("PeriodAt(%s) = %s, want %s", tc.at.In(orUTC(tc.loc)), got, tc.want)
			}
		})
	}
}

func orUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

func TestSplitByPeriod(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	auckland := mustLoc(t, "Pacific/Auckland")
	honolulu := mustLoc(t, "Pacific/Honolulu")
	def := DefaultHours()
	const h = 3600.0
	tests := []struct {
		name       string
		start, end time.Time
		loc        *time.Location
		h          Hours
		want       [NumPeriods]float64 // business, off_hours, sleep
	}{
		{
			// Sat 28 Mar 22:00Z = 23:00 CET .. Sun 29 Mar 08:00Z = 10:00 CEST, 10 real hours.
			// Sleep 23:00 CET .. 08:00 CEST = 22:00Z .. 06:00Z = 8 h (02:00-03:00 never
			// happens); weekend 08:00-10:00 CEST = 2 h off hours.
			"berlin spring forward", utc(2026, 3, 28, 22, 0, 0), utc(2026, 3, 29, 8, 0, 0), berlin, def,
			[NumPeriods]float64{0, 2 * h, 8 * h},
		},
		{
			// Sat 24 Oct 20:00Z = 22:00 CEST .. Sun 25 Oct 08:00Z = 09:00 CET, 12 real hours.
			// Sleep 22:00 CEST .. 08:00 CET = 20:00Z .. 07:00Z = 11 h (02:00-03:00 twice);
			// 08:00-09:00 CET Sunday = 1 h off hours.
			"berlin fall back", utc(2026, 10, 24, 20, 0, 0), utc(2026, 10, 25, 8, 0, 0), berlin, def,
			[NumPeriods]float64{0, 1 * h, 11 * h},
		},
		{
			// Fri 27 Mar 2026 12:00 CET (11:00Z) .. Mon 30 Mar 12:00 CEST (10:00Z): 71 real hours.
			// Business: Fri 12-18 (6 h) + Mon 08-12 (4 h) = 10 h. Sleep: Fri 22-08 (10 h),
			// Sat 22-08 across the gap (9 h), Sun 22-08 (10 h) = 29 h. Off: Fri 18-22 (4 h),
			// Sat 08-22 (14 h), Sun 08-22 (14 h) = 32 h. 10+29+32 = 71.
			"berlin weekend across spring forward", utc(2026, 3, 27, 11, 0, 0), utc(2026, 3, 30, 10, 0, 0), berlin, def,
			[NumPeriods]float64{10 * h, 32 * h, 29 * h},
		},
		{
			// One UTC week Mon..Mon: business 5×10 h; sleep 7×10 h; off 5×4 h + 2×14 h = 48 h.
			"utc week", utc(2026, 11, 23, 0, 0, 0), utc(2026, 11, 30, 0, 0, 0), time.UTC, def,
			[NumPeriods]float64{50 * h, 48 * h, 70 * h},
		},
		{
			// Honolulu Fri 27 Nov 21:00 HST (Sat 07:00Z) .. Sat 28 Nov 09:30 HST (19:30Z),
			// across local midnight: Fri 21-22 off (1 h), 22-08 sleep (10 h), Sat 08-09:30
			// weekend off (1.5 h).
			"honolulu across midnight", utc(2026, 11, 28, 7, 0, 0), utc(2026, 11, 28, 19, 30, 0), honolulu, def,
			[NumPeriods]float64{0, 2.5 * h, 10 * h},
		},
		{
			// Auckland (UTC+13): Sun 22 Nov 20:00Z .. 23:00Z = Mon 09:00 .. 12:00 NZDT.
			"auckland monday morning", utc(2026, 11, 22, 20, 0, 0), utc(2026, 11, 22, 23, 0, 0), auckland, def,
			[NumPeriods]float64{3 * h, 0, 0},
		},
		{
			"holiday friday 09-11", utc(2026, 12, 25, 9, 0, 0), utc(2026, 12, 25, 11, 0, 0), time.UTC, withHolidays(def, xmas),
			[NumPeriods]float64{0, 2 * h, 0},
		},
		{
			"same friday without holidays", utc(2026, 12, 25, 9, 0, 0), utc(2026, 12, 25, 11, 0, 0), time.UTC, def,
			[NumPeriods]float64{2 * h, 0, 0},
		},
		{
			// 90 s from 07:59:15 to 08:00:45: 45 s sleep, 45 s business (Mon).
			"sub-minute edges", utc(2026, 11, 23, 7, 59, 15), utc(2026, 11, 23, 8, 0, 45), time.UTC, def,
			[NumPeriods]float64{45, 0, 45},
		},
		{"empty", utc(2026, 11, 23, 8, 0, 0), utc(2026, 11, 23, 8, 0, 0), time.UTC, def, [NumPeriods]float64{}},
		{"reversed", utc(2026, 11, 23, 9, 0, 0), utc(2026, 11, 23, 8, 0, 0), time.UTC, def, [NumPeriods]float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitByPeriod(tc.start, tc.end, tc.loc, tc.h)
			if got != tc.want {
				t.Errorf("SplitByPeriod = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSplitByPeriodMatchesPeriodAt checks SplitByPeriod against the definition, one
// minute at a time, around both Berlin DST changes, with bands whose edges fall inside
// the skipped and the repeated hour.
func TestSplitByPeriodMatchesPeriodAt(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	odd := Hours{
		Business:     ClockRange{Start: 2*60 + 30, End: 9 * 60}, // 02:30-09:00: starts in the gap / the repeated hour
		BusinessDays: [7]bool{true, true, true, true, true, true, true},
		Sleep:        ClockRange{Start: 23*60 + 15, End: 2*60 + 10}, // wraps midnight, ends in the gap
		Holidays:     fakeHolidays{{2026, 3, 30}: true},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, h := range []Hours{DefaultHours(), odd} {
		for _, day := range []time.Time{utc(2026, 3, 27, 0, 0, 0), utc(2026, 10, 23, 0, 0, 0)} {
			for range 40 {
				start := day.Add(time.Duration(rng.IntN(4*24*60)) * time.Minute)
				end := start.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute)
				var want [NumPeriods]float64
				for m := start; m.Before(end); m = m.Add(time.Minute) {
					want[PeriodAt(m, berlin, h)] += 60
				}
				if got := SplitByPeriod(start, end, berlin, h); got != want {
					t.Fatalf("SplitByPeriod(%s, %s) = %v, want %v", start, end, got, want)
				}
			}
		}
	}
}

func TestMaskTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Disk 91% full on db-03", "Disk <id>% full on db-<id>"},
		{"High CPU on web-7", "High CPU on web-<id>"},
		{"Job 7b3e1f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b failed", "Job <uuid> failed"},
		{"s3 ec2 ipv6 http2 are names", "s3 ec2 ipv6 http2 are names"},
		{"INC1234 at 0x7ffe and deadbeef00 / cafe", "<id> at <id> and <id> / cafe"},
		{"pod checkout-7f9c8d6b5-x2k4q restarted", "pod checkout-<id>-<id> restarted"},
	}
	for _, tc := range tests {
		if got := MaskTitle(tc.in); got != tc.want {
			t.Errorf("MaskTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// the hash used by Compute is the hash of exactly this masked form
		a := recurrenceHash(&Incident{Service: "s", Title: tc.in})
		b := fnvString(fnvByte(fnvString(fnvByte(fnvOffset, 't'), "s"), 0), tc.want)
		if a != b {
			t.Errorf("hash of %q differs from hash of its masked title", tc.in)
		}
	}
}

func TestGiniBusFactor(t *testing.T) {
	tests := []struct {
		xs   []int
		gini float64
		bus  int
	}{
		// [2,0,0]: Σ|xi-xj| over ordered pairs = 4×2 = 8; 2n²·mean = 2·9·(2/3) = 12.
		{[]int{2, 0, 0}, 8.0 / 12, 1},
		{[]int{1, 1}, 0, 1},                 // equal: 0; one share of 0.5 reaches half
		{[]int{3, 1}, 4.0 / (2 * 4 * 2), 1}, // Σ = 2×2 = 4; 2·4·2 = 16
		{[]int{1, 1, 1, 1, 0}, 8.0 / 40, 2}, // Σ = 8 (4 pairs ×2 with the zero); 2·25·0.8 = 40
		// unordered |diffs| 2+3+4+4+1+2+2+1+1+0 = 20, ordered 40; 2·25·2.4 = 120.
		// bus: 5/12 < .5, (5+3)/12 ≥ .5 → 2
		{[]int{5, 3, 2, 1, 1}, 40.0 / 120, 2},
		{nil, 0, 0},
		{[]int{0, 0}, 0, 0},
	}
	for _, tc := range tests {
		if g := Gini(tc.xs); abs(g-tc.gini) > 1e-12 {
			t.Errorf("Gini(%v) = %v, want %v", tc.xs, g, tc.gini)
		}
		if g := bruteGini(tc.xs); abs(g-tc.gini) > 1e-12 {
			t.Errorf("definition of Gini(%v) = %v, want %v", tc.xs, g, tc.gini)
		}
		if b := BusFactor(tc.xs); b != tc.bus {
			t.Errorf("BusFactor(%v) = %d, want %d", tc.xs, b, tc.bus)
		}
	}
}

func bruteGini(xs []int) float64 {
	n, sum, d := len(xs), 0, 0
	for _, a := range xs {
		sum += a
		for _, b := range xs {
			d += max(a-b, b-a)
		}
	}
	if sum == 0 {
		return 0
	}
	mean := float64(sum) / float64(n)
	return float64(d) / (2 * float64(n*n) * mean)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestNearestRank(t *testing.T) {
	tests := []struct {
		xs       []float64
		p50, p90 float64
	}{
		{[]float64{1800, 3600}, 1800, 3600},      // ranks ceil(1)=1, ceil(1.8)=2
		{[]float64{600, 1800, 3600}, 1800, 3600}, // ceil(1.5)=2, ceil(2.7)=3
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9},
		{[]float64{7}, 7, 7},
	}
	for _, tc := range tests {
		if got := nearestRank(tc.xs, 50); got != tc.p50 {
			t.Errorf("p50(%v) = %v, want %v", tc.xs, got, tc.p50)
		}
		if got := nearestRank(tc.xs, 90); got != tc.p90 {
			t.Errorf("p90(%v) = %v, want %v", tc.xs, got, tc.p90)
		}
	}
}
