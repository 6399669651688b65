// Command hero_exporter measures hero culture in on-call: it reads incident tools and
// application logs in the background and serves the figures to Prometheus.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/hero-exporter/hero_exporter/collector"
	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/report"
)

const name = "hero_exporter"

// Exit codes of the command-line contract.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Stdin))
}

// options are the parsed command line.
type options struct {
	configFile  string
	configSet   bool // --config.file was given
	storagePath string
	demo        bool
	metricsPath string
	webConfig   *web.FlagConfig
	logConfig   *promslog.Config
	scanTop     int
	scanFormat  string
	scanFiles   []string
	scanInApp   []string
	report      reportOptions
	server      *serverOptions
	// lifecycle enables POST /-/reload (--web.enable-lifecycle); SIGHUP always reloads.
	lifecycle bool
	// fakeNow pins the analytics clock (hidden; for golden end-to-end tests).
	fakeNow string
}

// terminated is what kingpin's terminate function panics with after --help or
// --version printed, so that run returns the status instead of going on to serve.
type terminated struct{ status int }

func run(args []string, stdout, stderr io.Writer, stdin io.Reader) (code int) {
	app := kingpin.New(name, "Prometheus exporter that makes on-call load, sleep interruptions and quiet exceptions visible.")
	// --help and --version print to standard output and exit 0, as in every Prometheus
	// exporter; usage errors go to standard error and exit 2.
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.Terminate(func(status int) { panic(terminated{status}) })
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(terminated)
			if !ok {
				panic(r)
			}
			if t.status != 0 {
				t.status = exitUsage
			}
			code = t.status
		}
	}()

	o := &options{logConfig: &promslog.Config{}}
	app.Flag("config.file", "hero_exporter configuration file.").Default("hero.yml").IsSetByUser(&o.configSet).StringVar(&o.configFile)
	serve := app.Command("serve", "Serve metrics (the default).").Default()
	serve.Flag("storage.path", "Directory of the SQLite store.").Default("data/").StringVar(&o.storagePath)
	serve.Flag("demo", "Run on the built-in demo organisation; no configuration file needed.").BoolVar(&o.demo)
	serve.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&o.metricsPath)
	serve.Flag("debug.now", "Pin the analytics clock to this RFC 3339 time (tests only).").Hidden().StringVar(&o.fakeNow)
	o.webConfig = kingpinflag.AddFlags(serve, ":9863")
	o.server = addServerFlags(serve)
	serve.Flag("web.enable-lifecycle", "Enable POST /-/reload (SIGHUP always reloads).").BoolVar(&o.lifecycle)
	collector.AddFlags(serve) // --[no-]collector.<name>
	scan := app.Command("scan", "Read log files once, print the top exceptions and exit.")
	scan.Flag("top", "Number of fingerprints to print.").Default("20").IntVar(&o.scanTop)
	scan.Flag("format", "Output format: table or json.").Default("table").EnumVar(&o.scanFormat, "table", "json")
	scan.Flag("in-app", "Frame prefix of your own code (repeatable).").StringsVar(&o.scanInApp)
	scan.Arg("files", "Log files to read, or - for standard input.").Required().StringsVar(&o.scanFiles)
	check := app.Command("check-config", "Validate the configuration file and print what would run.")
	rep := addReportCommand(app, o)
	promslogflag.AddFlags(app, o.logConfig)
	app.Version(version.Print(name))
	app.HelpFlag.Short('h')

	cmd, err := app.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	o.logConfig.Writer = stderr
	logger := promslog.New(o.logConfig)

	switch cmd {
	case check.FullCommand():
		return checkConfig(o.configFile, stdout, stderr)
	case scan.FullCommand():
		return runScan(o, stdout, stderr, stdin)
	case rep.FullCommand():
		return runReport(o, stdout, stderr, logger)
	}
	return runServe(o, logger)
}

func checkConfig(file string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(file)
	if err != nil {
		fmt.Fprintf(stderr, "invalid configuration:\n%v\n", err)
		return exitUsage
	}
	describeConfig(stdout, cfg)
	return exitOK
}

func runServe(o *options, logger *slog.Logger) int {
	logger.Info("starting "+name, "version", version.Info(), "build_context", version.BuildContext())
	if err := o.server.validate(); err != nil {
		logger.Error("invalid flag", "err", err)
		return exitUsage
	}
	cfg, err := loadConfig(o)
	if err != nil {
		logger.Error("invalid configuration", "err", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rt, err := newRuntime(ctx, o, logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		return exitRuntime
	}
	defer rt.close()
	if o.demo && len(cfg.Logs) > 0 {
		rt.startDemoLog(demoLogPath(o), cfg.Logs[0].Name)
	}
	reg := prometheus.NewRegistry()
	live, err := collector.NewLive(rt, logger, rt.recordedResults)
	if err != nil {
		logger.Error("cannot build collectors", "err", err)
		return exitUsage
	}
	reg.MustRegister(live, versioncollector.NewCollector(name),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rt.handler = collector.NewHandler(reg, rt.currentExposition, logger)

	if err := rt.apply(ctx, cfg); err != nil {
		logger.Error("cannot start", "err", err)
		var ce *config.Error
		if errors.As(err, &ce) {
			return exitUsage
		}
		return exitRuntime
	}
	rt.recordReload(true) // the initial load counts, as in Prometheus
	rt.startPruning(rt.now)

	mux := http.NewServeMux()
	mux.Handle(o.metricsPath, rt.handler)
	mux.Handle("/report", report.NewHandler(rt, logger))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !rt.engine.Ready() {
			http.Error(w, "Not ready: waiting for the first sync of every configured source", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if !o.lifecycle {
			// As Prometheus: anyone reaching the port could otherwise reload at will and
			// read the configuration's error details.
			http.Error(w, "Lifecycle API is not enabled (--web.enable-lifecycle); send SIGHUP to reload.", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST, PUT")
			http.Error(w, "use POST to reload the configuration", http.StatusMethodNotAllowed)
			return
		}
		if err := rt.reload(ctx, o); err != nil {
			http.Error(w, "reload failed, previous configuration kept running:\n"+err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, "Configuration reloaded")
	})
	if o.metricsPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        name,
			Description: "Makes on-call load, sleep interruptions and quiet exceptions visible.",
			Version:     version.Info(),
			Links: []web.LandingLinks{
				{Address: o.metricsPath, Text: "Metrics"},
				{Address: "/report", Text: "Report"},
				{Address: "/-/healthy", Text: "Health"},
				{Address: "/-/ready", Text: "Readiness"},
			},
		})
		if err != nil {
			logger.Error("cannot build landing page", "err", err)
			return exitRuntime
		}
		mux.Handle("/", rt.withWebhooks(landing))
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = rt.reload(ctx, o)
			}
		}
	}()

	srv := o.server.newServer(mux, logger)
	errc := make(chan error, 1)
	go func() { errc <- o.server.listenAndServe(srv, o.webConfig, logger) }()
	select {
	case err := <-errc:
		logger.Error("web server failed", "err", err)
		return exitRuntime
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	_ = srv.Shutdown(context.Background())
	return exitOK
}

func loadConfig(o *options) (*config.Config, error) {
	if o.demo {
		return config.Demo(demoLogPath(o)), nil
	}
	return config.Load(o.configFile)
}

// demoLogPath is where --demo writes its application log, inside the store directory.
func demoLogPath(o *options) string {
	return filepath.Join(o.storagePath, "demo-logs", "app.log")
}
