package synth

import (
	"reflect"
	"testing"
	"time"
)

func TestGenerateDeterministicAndShaped(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	a := Generate(2000, 100, 30, 7, now)
	b := Generate(2000, 100, 30, 7, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same arguments gave different histories")
	}
	if len(a.Incidents) != 2000 || len(a.Teams) != 10 || len(a.People) != 104 {
		t.Errorf("incidents %d teams %d people %d", len(a.Incidents), len(a.Teams), len(a.People))
	}
	perInc := func(n int) float64 { return float64(n) / float64(len(a.Incidents)) }
	if e, p := perInc(len(a.Engagements)), perInc(len(a.Pages)); e < 1.5 || e > 2.5 || p < 1.5 || p > 2.5 {
		t.Errorf("per incident: %.2f engagements, %.2f pages", e, p)
	}
	for i := 1; i < len(a.Incidents); i++ {
		if a.Incidents[i].CreatedAt.Before(a.Incidents[i-1].CreatedAt) {
			t.Fatal("incidents not in creation order")
		}
	}
	for _, x := range a.Incidents {
		if x.CreatedAt.After(now) || x.CreatedAt.Before(now.Add(-30*24*time.Hour)) || (!x.ResolvedAt.IsZero() && x.ResolvedAt.After(now)) {
			t.Fatalf("incident outside the history: %+v", x)
		}
	}
	if c := Generate(2000, 100, 30, 8, now); reflect.DeepEqual(a.Incidents, c.Incidents) {
		t.Error("another seed gave the same incidents")
	}
}
