package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/engine"
	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/report"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// reportOptions are the flags of `hero_exporter report`.
type reportOptions struct {
	storagePath string
	format      string
	window      string
	team        string
	fakeNow     string
}

func addReportCommand(app *kingpin.Application, o *options) *kingpin.CmdClause {
	c := app.Command("report", "Print the on-call load report from the store, offline (the figures of /report).")
	c.Flag("storage.path", "Directory of the SQLite store (read only; nothing is created).").Default("data/").StringVar(&o.report.storagePath)
	c.Flag("format", "Output format: table, markdown or json.").Default(report.FormatTable).EnumVar(&o.report.format, report.Formats...)
	c.Flag("window", "Window to report, one of the configured windows (default: the longest).").StringVar(&o.report.window)
	c.Flag("team", "Report only this team.").StringVar(&o.report.team)
	c.Flag("debug.now", "Pin the analytics clock to this RFC 3339 time (tests only).").Hidden().StringVar(&o.report.fakeNow)
	return c
}

// runReport loads the store read-only, runs the analytics as serve does and prints the
// report. A missing or empty store, an invalid configuration or an unknown window or
// team exit 2.
func runReport(o *options, stdout, stderr io.Writer, logger *slog.Logger) int {
	ro := o.report
	settings, err := reportSettings(o)
	if err != nil {
		fmt.Fprintf(stderr, "invalid configuration:\n%v\n", err)
		return exitUsage
	}
	now := time.Now()
	if ro.fakeNow != "" {
		if now, err = time.Parse(time.RFC3339, ro.fakeNow); err != nil {
			fmt.Fprintf(stderr, "report: --debug.now: %v\n", err)
			return exitUsage
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.OpenReadOnly(ctx, ro.storagePath, logger)
	if errors.Is(err, store.ErrNoStore) {
		fmt.Fprintf(stderr, "report: no store to report on: %v\nRun the exporter first (hero_exporter --storage.path=%s), or point --storage.path at its store.\n", err, ro.storagePath)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return exitRuntime
	}
	defer st.Close()

	snap, err := computeOnce(ctx, st, settings, now, logger)
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return exitRuntime
	}
	if len(snap.CreatedTotal) == 0 {
		fmt.Fprintf(stderr, "report: the store %s holds no incident yet; nothing to report. Let the exporter sync its sources first.\n", st.Path())
		return exitUsage
	}
	rep, err := report.Build(report.Input{Snapshot: snap}, report.Options{Window: ro.window, Team: ro.team,
		MaxPeople: maxPeopleFor(ro.format)})
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return exitUsage
	}
	if err := report.Write(stdout, rep, ro.format); err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// maxPeopleFor: JSON is for scripts and lists everyone; the tables are for people.
func maxPeopleFor(format string) int {
	if format == report.FormatJSON {
		return 0
	}
	return report.DefaultMaxPeople
}

// reportSettings are the analytics settings of the configuration file; without a
// --config.file and without ./hero.yml, the defaults (what --demo runs with).
func reportSettings(o *options) (incident.Settings, error) {
	if !o.configSet {
		if _, err := os.Stat(o.configFile); errors.Is(err, os.ErrNotExist) {
			cfg, err := config.Parse(nil, "<defaults>")
			if err != nil {
				return incident.Settings{}, err
			}
			return cfg.Analytics(), nil
		}
	}
	cfg, err := config.Load(o.configFile)
	if err != nil {
		return incident.Settings{}, err
	}
	return cfg.Analytics(), nil
}

// computeOnce runs the analytics exactly as serve does: an engine with no sources
// applies the settings, which loads the history its windows need and computes one
// snapshot.
func computeOnce(ctx context.Context, st *store.Store, settings incident.Settings, now time.Time, logger *slog.Logger) (*incident.Snapshot, error) {
	ctx, cancel := context.WithCancel(ctx)
	e := engine.New(st, logger, engine.Options{Now: func() time.Time { return now }})
	err := e.Apply(ctx, settings, nil)
	cancel()
	e.Stop()
	e.Wait()
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	snap := e.Snapshot()
	if snap == nil {
		return nil, errors.New("analytics: no snapshot")
	}
	return snap, nil
}
