package webhook

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestLabelGuard(t *testing.T) {
	var logs bytes.Buffer
	g := NewLabelGuard(LabelLimits{MaxValues: 3}, slog.New(slog.NewTextHandler(&logs, nil)))
	g.Seed(map[string][]string{"team": {"b", "a", Other, ""}})
	cases := []struct{ label, in, want string }{
		{"team", "a", "a"},   // seeded
		{"team", "c", "c"},   // third value
		{"team", "d", Other}, // over the bound
		{"team", "a", "a"},   // admitted stays admitted
		{"team", "", ""},     // no label: unassigned, not a value
		{"service", strings.Repeat("s", 128), strings.Repeat("s", 128)},
		{"service", strings.Repeat("s", 129), Other}, // too long
		{"service", "caf\xe9", Other},                // not UTF-8
	}
	for _, c := range cases {
		if got := g.Admit(c.label, c.in); got != c.want {
			t.Errorf("Admit(%s, %.20q) = %q, want %q", c.label, c.in, got, c.want)
		}
	}
	if f := g.Folded(); f["team"] != 1 || f["service"] != 2 {
		t.Errorf("folded %v, want team 1 service 2", f)
	}
	// Logging stops after 20 values per label; counting does not.
	for i := range 100 {
		g.Admit("team", fmt.Sprintf("new-%d", i))
	}
	if n := strings.Count(logs.String(), `label=team`); n != maxLoggedValues+1 {
		t.Errorf("%d log lines for team, want %d (20 values and the note that logging stops)", n, maxLoggedValues+1)
	}
	if f := g.Folded(); f["team"] != 101 {
		t.Errorf("team folded %v, want 101", f["team"])
	}
	if strings.Contains(logs.String(), strings.Repeat("s", 100)) {
		t.Error("a long value was logged whole")
	}
}

func TestBearer(t *testing.T) {
	b := NewBearer("s3cret")
	for h, want := range map[string]bool{"Bearer s3cret": true, "bearer  s3cret ": true, "Bearer s3cre": false, "Basic s3cret": false, "": false} {
		if got := b.Authorized(h); got != want {
			t.Errorf("Authorized(%q) = %v, want %v", h, got, want)
		}
	}
	if (Bearer{}).Authorized("Bearer ") || NewBearer("").Set() {
		t.Error("no token configured must accept nothing")
	}
}
