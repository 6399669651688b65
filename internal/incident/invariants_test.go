package incident_test

import (
	"cmp"
	"math"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
)

// TestComputeInvariants checks relations that must hold on any history, on a
// synthetic one: totals against a direct count, load shares summing to 1, the 7d
// figures never exceeding the 28d ones, unique and sorted rows.
func TestComputeInvariants(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	h := synth.Generate(20_000, 200, 60, 42, now)
	snap := incident.Compute(h, incident.DefaultSettings(), now)

	in28, open := 0, 0
	for _, x := range h.Incidents {
		if x.CreatedAt.After(now.Add(-28*24*time.Hour)) && !x.CreatedAt.After(now) {
			in28++
		}
		if x.ResolvedAt.IsZero() {
			open++
		}
	}
	sum := map[string]int{}
	for _, r := range snap.Incidents {
		sum[r.Window] += r.Count
	}
	if sum["28d"] != in28 || sum["7d"] == 0 || sum["7d"] > sum["28d"] {
		t.Errorf("incident counts %v, want 28d = %d", sum, in28)
	}
	gotOpen := 0
	for _, r := range snap.Open {
		gotOpen += r.Count
	}
	if gotOpen != open {
		t.Errorf("open = %d, want %d", gotOpen, open)
	}

	shares := map[string]float64{}
	type rk struct{ team, person string }
	byWin := map[string]map[rk]incident.ResponderWindow{"7d": {}, "28d": {}}
	for i, r := range snap.Responders {
		shares[r.Team+"/"+r.Window] += r.LoadRatio
		byWin[r.Window][rk{r.Team, r.Person}] = r
		if i > 0 {
			p := snap.Responders[i-1]
			if cmp.Or(cmp.Compare(p.Team, r.Team), cmp.Compare(p.Person, r.Person), cmp.Compare(p.Window, r.Window)) >= 0 {
				t.Fatalf("responders not sorted/unique at %d: %+v, %+v", i, p, r)
			}
		}
	}
	loaded := 0
	for _, tw := range snap.Teams {
		if !tw.HasLoad {
			continue
		}
		loaded++
		if s := shares[tw.Team+"/"+tw.Window]; math.Abs(s-1) > 1e-9 {
			t.Errorf("%s/%s shares sum to %v", tw.Team, tw.Window, s)
		}
		if tw.BusFactor < 1 || tw.BusFactor > tw.Responders || tw.Gini < 0 || tw.Gini >= 1 || tw.TopRatio <= 0 || tw.TopRatio > 1 {
			t.Errorf("team figures out of range: %+v", tw)
		}
		if tw.HasMTTR && (tw.ResolveP50 > tw.ResolveP90) {
			t.Errorf("p50 > p90: %+v", tw)
		}
	}
	if loaded == 0 {
		t.Fatal("no team with load figures")
	}
	for k, r7 := range byWin["7d"] {
		r28, ok := byWin["28d"][k]
		if !ok {
			t.Fatalf("%v has 7d but no 28d row", k)
		}
		bad := r7.Incidents > r28.Incidents || r7.OffRotation > r28.OffRotation
		for q := range incident.NumPeriods {
			bad = bad || r7.Interruptions[q] > r28.Interruptions[q] || r7.EngagedSeconds[q] > r28.EngagedSeconds[q]+1e-6
			bad = bad || r7.EngagedSeconds[q] < 0
		}
		if bad {
			t.Errorf("7d exceeds 28d for %v:\n%+v\n%+v", k, r7, r28)
		}
	}
	t.Logf("rows: %d incidents, %d open, %d teams, %d responders, %d recurrences",
		len(snap.Incidents), len(snap.Open), len(snap.Teams), len(snap.Responders), len(snap.Recurrences))
}
