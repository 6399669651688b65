package changes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

// Pushed services beyond max_label_values are stored as "other" (the change is kept and
// counts), and counted by label.
func TestPushedServicesBounded(t *testing.T) {
	g := newRig(t, func(c *Config) { c.Labels = webhook.LabelLimits{MaxValues: 2} })
	var items []string
	for i := range 5 {
		items = append(items, fmt.Sprintf(`{"id":"d%d","service":"svc-%d","team":"payments","time":"2026-11-20T11:00:00Z"}`, i, i))
	}
	if code, out := g.push(t, "["+strings.Join(items, ",")+"]"); code != 200 || out["stored"] != 5.0 {
		t.Fatalf("HTTP %d %v", code, out)
	}
	got := map[string]int{}
	for _, c := range g.sink.changes {
		got[c.Service]++
	}
	if len(got) != 3 || got["svc-0"] != 1 || got["svc-1"] != 1 || got[webhook.Other] != 3 {
		t.Fatalf("services %v, want svc-0, svc-1 and 3 × other", got)
	}
	if f := g.r.FoldedLabelValues(); f["service"] != 3 || f["team"] != 0 {
		t.Fatalf("folded %v", f)
	}
}
