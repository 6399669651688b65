package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/config"
)

// TestReloadRebuildsOnlyChangedSources: a reload reuses every source whose
// configuration did not change (the same instance: its rate limiter, request counters,
// schedule and reference data stay), even when its lines moved; a changed source is
// rebuilt. The reload metrics follow each outcome.
func TestReloadRebuildsOnlyChangedSources(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HERO_TEST_PD_TOKEN", "pd-test-token")
	hist := filepath.Join(dir, "h.ndjson")
	if err := os.WriteFile(hist, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "hero.yml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(cfgPath, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources := `  - name: pd
    type: pagerduty
    base_url: http://127.0.0.1:1
    token_env: HERO_TEST_PD_TOKEN
    refresh_interval: 1h
  - name: hist
    type: file
    path: ` + hist + `
    refresh_interval: 1h
`
	write("sources:\n" + sources)
	o := &options{configFile: cfgPath, storagePath: filepath.Join(dir, "store")}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := newRuntime(ctx, o, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); rt.close() }() // as at shutdown: the context ends first
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.apply(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	rt.recordReload(true)
	pd, file := rt.built["pd"].src, rt.built["hist"].src
	first := rt.ConfigReload()
	if !first.Successful || first.LastSuccess.IsZero() {
		t.Fatalf("after the first load: %+v", first)
	}

	// Unchanged sources, moved two lines down, plus a new one and new analytics settings.
	write("windows: [7d]\n# a comment\nsources:\n" + sources + "  - name: hist2\n    type: file\n    path: " + hist + "\n")
	time.Sleep(2 * time.Millisecond) // a later success has a later timestamp
	if err := rt.reload(ctx, o); err != nil {
		t.Fatal(err)
	}
	if rt.built["pd"].src != pd || rt.built["hist"].src != file {
		t.Fatal("an unchanged source was rebuilt by a reload")
	}
	if rt.built["hist2"].src == nil {
		t.Fatal("the new source was not built")
	}
	second := rt.ConfigReload()
	if !second.Successful || !second.LastSuccess.After(first.LastSuccess) {
		t.Fatalf("after a good reload: %+v (first %+v)", second, first)
	}

	// A broken file: the reload fails, everything keeps running, the metrics say so.
	write("sources:\n" + sources + "bogus: 1\n")
	if err := rt.reload(ctx, o); err == nil {
		t.Fatal("a broken file reloaded")
	}
	if st := rt.ConfigReload(); st.Successful || !st.LastSuccess.Equal(second.LastSuccess) {
		t.Fatalf("after a failed reload: %+v", st)
	}
	if rt.built["pd"].src != pd || rt.built["hist2"].src == nil {
		t.Fatal("a failed reload changed the running sources")
	}

	// A changed source is rebuilt; the other stays.
	write("sources:\n" + sources[:len(sources)-len("    refresh_interval: 1h\n")] + "    refresh_interval: 2h\n")
	if err := rt.reload(ctx, o); err != nil {
		t.Fatal(err)
	}
	if rt.built["pd"].src != pd {
		t.Fatal("pd was rebuilt although only hist changed")
	}
	if rt.built["hist"].src == file {
		t.Fatal("hist kept its old instance although its refresh_interval changed")
	}
	if _, ok := rt.built["hist2"]; ok {
		t.Fatal("a removed source is still built")
	}
	if !rt.ConfigReload().Successful {
		t.Fatal("reload metric not back to 1")
	}
}
