package config

import (
	"strings"
	"testing"
	"time"
)

// storage.retention: unset, what the analytics need (2 × the longest window + the
// recurrence look-back: 2 × 28d + 7d = 63d by default); shorter is an error naming it.
func TestRetention(t *testing.T) {
	day := 24 * time.Hour
	cfg, err := Parse([]byte("windows: [7d, 28d]\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Retention(); got != 63*day {
		t.Fatalf("default retention %s, want 63d", got)
	}
	cfg, err = Parse([]byte("windows: [30d]\nthresholds: {recurrence_within: 2d}\nstorage:\n  retention: 400d\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Retention(); got != 400*day {
		t.Fatalf("retention %s, want 400d", got)
	}
	_, err = Parse([]byte("windows: [30d]\nthresholds: {recurrence_within: 2d}\nstorage:\n  retention: 61d\n"), "hero.yml")
	if want := "hero.yml:4: storage.retention: 61d is shorter than the history the analytics need, 62d"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err %v, want %s", err, want)
	}
}
