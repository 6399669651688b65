package collector

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// fixture is a Provider with a hand-built snapshot: every kind of row, and the
// absent-not-zero cases (no MTTA, no load, no pages, no on-call).
type fixture struct {
	snap     *incident.Snapshot
	statuses []source.Status
	logs     []logscan.Stats
}

// reloadFixture is a fixture of an exporter that loads a configuration.
type reloadFixture struct {
	fixture
	reload ReloadStatus
}

func (f reloadFixture) ConfigReload() ReloadStatus { return f.reload }

func (f reloadFixture) StoreStats() StoreStats {
	return StoreStats{SizeBytes: 4096, Pruned: map[string]float64{"incidents": 2, "pages": 5}}
}

func (f fixture) Snapshot() *incident.Snapshot    { return f.snap }
func (f fixture) SourceStatuses() []source.Status { return f.statuses }
func (f fixture) LogStats() []logscan.Stats       { return f.logs }

func testSnapshot() *incident.Snapshot {
	return &incident.Snapshot{
		At: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC),
		Incidents: []incident.IncidentCount{
			{Source: "pd", Team: "payments", Service: "db", Severity: incident.SeverityCritical, Window: "7d", Count: 3},
			{Source: "pd", Team: "payments", Service: "db", Severity: incident.SeverityCritical, Window: "28d", Count: 9},
		},
		Open:         []incident.OpenCount{{Source: "pd", Team: "payments", Service: "db", Severity: incident.SeverityCritical, Count: 1}},
		OpenSolo:     []incident.SourceTeamCount{{Source: "pd", Team: "payments", Count: 1}},
		CreatedTotal: []incident.CreatedCount{{Source: "pd", Team: "payments", Severity: incident.SeverityCritical, Count: 40}},
		Recurrences:  []incident.RecurrenceCount{{Team: "payments", Service: "db", Window: "7d", Count: 2}},
		Teams: []incident.TeamWindow{
			{Team: "payments", Window: "7d", HasMTTA: true, MTTA: 300, HasMTTR: true, MTTR: 3600, ResolveP50: 1800, ResolveP90: 7200,
				HasEngagements: true, SoloLong: 1, HasLoad: true, Responders: 2, TopRatio: 0.75, Gini: 0.5, BusFactor: 1},
			{Team: "search", Window: "7d", HasEngagements: true},
			{Team: "alerts", Window: "7d"}, // no engagement data: no solo figure
		},
		Responders: []incident.ResponderWindow{
			{Team: "payments", Person: "Ana", Window: "7d", Incidents: 3, HasLoadRatio: true, LoadRatio: 0.75, HasPages: true,
				Interruptions: [3]int{1, 2, 5}, EngagedSeconds: [3]float64{600, 0, 1800}, HasOnCall: true, OffRotation: 1},
			{Team: "payments", Person: "Bo", Window: "7d", Incidents: 1, HasLoadRatio: true, LoadRatio: 0.25},
			{Team: "search", Person: "Cy", Window: "7d"}, // no engaged incident in the team: no share
		},
		Trends: &incident.Trends{
			IncidentsPrevious:     []incident.IncidentCount{{Source: "pd", Team: "payments", Service: "db", Severity: incident.SeverityCritical, Window: "7d", Count: 5}},
			MTTRPrevious:          []incident.TeamValue{{Team: "payments", Window: "7d", Value: 5400}},
			Interruptions:         []incident.TeamInterruptions{{Team: "payments", Window: "7d", Pages: [3]int{1, 2, 5}}},
			InterruptionsPrevious: []incident.TeamInterruptions{{Team: "payments", Window: "7d", Pages: [3]int{2, 4, 9}}},
			LastIncident:          []incident.ServiceTime{{Team: "payments", Service: "db", At: time.Date(2026, 11, 21, 9, 30, 0, 500e6, time.UTC)}},
			Changes:               []incident.ChangeCount{{Source: "ci", Team: "payments", Service: "db", Window: "7d", Changes: 4, Failed: 1, ChangesPrevious: 3, FailedPrev: 2}},
			AfterChange:           []incident.ServiceCount{{Team: "payments", Service: "db", Window: "7d", Count: 1}},
		},
	}
}

func gather(t *testing.T, p Provider, name string, metrics ...string) (*prometheus.Registry, string) {
	t.Helper()
	c, err := New(p, slog.New(slog.NewTextHandler(io.Discard, nil)), name)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return reg, strings.Join(metrics, ",")
}

func TestTrendsCollector(t *testing.T) {
	reg, _ := gather(t, fixture{snap: testSnapshot()}, "trends")
	want := `
# HELP hero_changes Changes (deploys, rollbacks, config changes) in the window.` + stored + `
# TYPE hero_changes gauge
hero_changes{service="db",source="ci",team="payments",window="7d"} 4
# HELP hero_changes_failed Changes in the window followed by an incident on their service within thresholds.change_failure_within.` + stored + `
# TYPE hero_changes_failed gauge
hero_changes_failed{service="db",source="ci",team="payments",window="7d"} 1
# HELP hero_changes_failed_previous Failed changes in the window before the window.` + previous + stored + `
# TYPE hero_changes_failed_previous gauge
hero_changes_failed_previous{service="db",source="ci",team="payments",window="7d"} 2
# HELP hero_changes_previous Changes in the window before the window.` + previous + stored + `
# TYPE hero_changes_previous gauge
hero_changes_previous{service="db",source="ci",team="payments",window="7d"} 3
# HELP hero_incident_mttr_previous_seconds Mean time to resolve of the resolved incidents created in the window before the window.` + previous + stored + `
# TYPE hero_incident_mttr_previous_seconds gauge
hero_incident_mttr_previous_seconds{team="payments",window="7d"} 5400
# HELP hero_incidents_after_change Incidents created in the window within thresholds.change_failure_within after a change on their service.` + stored + `
# TYPE hero_incidents_after_change gauge
hero_incidents_after_change{service="db",team="payments",window="7d"} 1
# HELP hero_incidents_previous Incidents created in the window before the window.` + previous + stored + `
# TYPE hero_incidents_previous gauge
hero_incidents_previous{service="db",severity="critical",source="pd",team="payments",window="7d"} 5
# HELP hero_service_last_incident_timestamp_seconds Creation time of the newest stored incident of the team and service.` + stored + `
# TYPE hero_service_last_incident_timestamp_seconds gauge
hero_service_last_incident_timestamp_seconds{service="db",team="payments"} 1.7952534005e+09
# HELP hero_team_interruptions Pages of the team's incidents in the window, by the paged person's time band.` + stored + `
# TYPE hero_team_interruptions gauge
hero_team_interruptions{period="business",team="payments",window="7d"} 1
hero_team_interruptions{period="off_hours",team="payments",window="7d"} 2
hero_team_interruptions{period="sleep",team="payments",window="7d"} 5
# HELP hero_team_interruptions_previous Pages of the team's incidents in the window before the window, by band.` + previous + stored + `
# TYPE hero_team_interruptions_previous gauge
hero_team_interruptions_previous{period="business",team="payments",window="7d"} 2
hero_team_interruptions_previous{period="off_hours",team="payments",window="7d"} 4
hero_team_interruptions_previous{period="sleep",team="payments",window="7d"} 9
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_changes", "hero_changes_failed", "hero_changes_failed_previous",
		"hero_changes_previous", "hero_incident_mttr_previous_seconds", "hero_incidents_after_change", "hero_incidents_previous",
		"hero_service_last_incident_timestamp_seconds", "hero_team_interruptions", "hero_team_interruptions_previous"); err != nil {
		t.Fatal(err)
	}
	// No trends in the snapshot: nothing, not zeros.
	snap := testSnapshot()
	snap.Trends = nil
	if reg, _ := gather(t, fixture{snap: snap}, "trends"); testutil.CollectAndCount(reg, "hero_changes", "hero_incidents_previous", "hero_team_interruptions") != 0 {
		t.Fatal("a snapshot without trends emitted trend series")
	}
}

func TestIncidentsCollector(t *testing.T) {
	reg, _ := gather(t, fixture{snap: testSnapshot()}, "incidents")
	want := `
# HELP hero_incident_mtta_seconds Mean time from creation to first acknowledgement of the acknowledged incidents created in the window.` + stored + `
# TYPE hero_incident_mtta_seconds gauge
hero_incident_mtta_seconds{team="payments",window="7d"} 300
# HELP hero_incident_mttr_seconds Mean time from creation to resolution of the resolved incidents created in the window.` + stored + `
# TYPE hero_incident_mttr_seconds gauge
hero_incident_mttr_seconds{team="payments",window="7d"} 3600
# HELP hero_incident_recurrences Incidents in the window whose recurrence key matches an earlier incident within the recurrence threshold.` + stored + `
# TYPE hero_incident_recurrences gauge
hero_incident_recurrences{service="db",team="payments",window="7d"} 2
# HELP hero_incident_resolve_p50_seconds Median time from creation to resolution (nearest rank) of the resolved incidents created in the window.` + stored + `
# TYPE hero_incident_resolve_p50_seconds gauge
hero_incident_resolve_p50_seconds{team="payments",window="7d"} 1800
# HELP hero_incident_resolve_p90_seconds 90th percentile time from creation to resolution (nearest rank) of the resolved incidents created in the window.` + stored + `
# TYPE hero_incident_resolve_p90_seconds gauge
hero_incident_resolve_p90_seconds{team="payments",window="7d"} 7200
# HELP hero_incidents Incidents created in the window.` + stored + `
# TYPE hero_incidents gauge
hero_incidents{service="db",severity="critical",source="pd",team="payments",window="28d"} 9
hero_incidents{service="db",severity="critical",source="pd",team="payments",window="7d"} 3
# HELP hero_incidents_created_total Incidents ever stored, by the team and severity they had when first stored.` + stored + `
# TYPE hero_incidents_created_total counter
hero_incidents_created_total{severity="critical",source="pd",team="payments"} 40
# HELP hero_incidents_open Incidents not resolved.` + stored + `
# TYPE hero_incidents_open gauge
hero_incidents_open{service="db",severity="critical",source="pd",team="payments"} 1
# HELP hero_incidents_open_solo Open incidents older than the solo threshold with at most one engaged person.` + stored + `
# TYPE hero_incidents_open_solo gauge
hero_incidents_open_solo{source="pd",team="payments"} 1
# HELP hero_incidents_solo_long Resolved incidents in the window that lasted at least the solo threshold with exactly one engaged person.` + stored + `
# TYPE hero_incidents_solo_long gauge
hero_incidents_solo_long{team="payments",window="7d"} 1
hero_incidents_solo_long{team="search",window="7d"} 0
# HELP hero_scrape_collector_success hero_exporter: whether a collector succeeded.
# TYPE hero_scrape_collector_success gauge
hero_scrape_collector_success{collector="incidents"} 1
`
	names := []string{"hero_incident_mtta_seconds", "hero_incident_mttr_seconds", "hero_incident_recurrences",
		"hero_incident_resolve_p50_seconds", "hero_incident_resolve_p90_seconds", "hero_incidents",
		"hero_incidents_created_total", "hero_incidents_open", "hero_incidents_open_solo", "hero_incidents_solo_long",
		"hero_scrape_collector_success"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
}

func TestTeamsCollector(t *testing.T) {
	reg, _ := gather(t, fixture{snap: testSnapshot()}, "teams")
	want := `
# HELP hero_team_bus_factor Smallest number of people whose load shares add up to at least half.` + stored + `
# TYPE hero_team_bus_factor gauge
hero_team_bus_factor{team="payments",window="7d"} 1
# HELP hero_team_load_gini Gini coefficient of engaged incidents over the team roster (0 = even, towards 1 = one person).` + stored + `
# TYPE hero_team_load_gini gauge
hero_team_load_gini{team="payments",window="7d"} 0.5
# HELP hero_team_load_top_ratio The largest load share of one person in the team.` + stored + `
# TYPE hero_team_load_top_ratio gauge
hero_team_load_top_ratio{team="payments",window="7d"} 0.75
# HELP hero_team_responders People with at least one engagement in the team's incidents created in the window.` + stored + `
# TYPE hero_team_responders gauge
hero_team_responders{team="payments",window="7d"} 2
hero_team_responders{team="search",window="7d"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_team_bus_factor", "hero_team_load_gini", "hero_team_load_top_ratio", "hero_team_responders"); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
}

func TestRespondersCollector(t *testing.T) {
	reg, _ := gather(t, fixture{snap: testSnapshot()}, "responders")
	want := `
# HELP hero_responder_engaged_seconds Seconds the person was engaged in the team's incidents in the window, by local-time period.` + stored + `
# TYPE hero_responder_engaged_seconds gauge
hero_responder_engaged_seconds{period="business",person="Ana",team="payments",window="7d"} 600
hero_responder_engaged_seconds{period="business",person="Bo",team="payments",window="7d"} 0
hero_responder_engaged_seconds{period="business",person="Cy",team="search",window="7d"} 0
hero_responder_engaged_seconds{period="off_hours",person="Ana",team="payments",window="7d"} 0
hero_responder_engaged_seconds{period="off_hours",person="Bo",team="payments",window="7d"} 0
hero_responder_engaged_seconds{period="off_hours",person="Cy",team="search",window="7d"} 0
hero_responder_engaged_seconds{period="sleep",person="Ana",team="payments",window="7d"} 1800
hero_responder_engaged_seconds{period="sleep",person="Bo",team="payments",window="7d"} 0
hero_responder_engaged_seconds{period="sleep",person="Cy",team="search",window="7d"} 0
# HELP hero_responder_incidents Incidents of the team created in the window that the person engaged.` + stored + `
# TYPE hero_responder_incidents gauge
hero_responder_incidents{person="Ana",team="payments",window="7d"} 3
hero_responder_incidents{person="Bo",team="payments",window="7d"} 1
hero_responder_incidents{person="Cy",team="search",window="7d"} 0
# HELP hero_responder_interruptions Push, phone and SMS notifications to the person (60 s de-duplicated) in the window, by local-time period.` + stored + `
# TYPE hero_responder_interruptions gauge
hero_responder_interruptions{period="business",person="Ana",team="payments",window="7d"} 1
hero_responder_interruptions{period="off_hours",person="Ana",team="payments",window="7d"} 2
hero_responder_interruptions{period="sleep",person="Ana",team="payments",window="7d"} 5
# HELP hero_responder_load_ratio The person's share of the team's engaged incidents in the window (a team's shares sum to 1; absent when the team engaged no incident in the window).` + stored + `
# TYPE hero_responder_load_ratio gauge
hero_responder_load_ratio{person="Ana",team="payments",window="7d"} 0.75
hero_responder_load_ratio{person="Bo",team="payments",window="7d"} 0.25
# HELP hero_responder_offrotation_incidents Incidents the person engaged while not on call for the incident's escalation policy.` + stored + `
# TYPE hero_responder_offrotation_incidents gauge
hero_responder_offrotation_incidents{person="Ana",team="payments",window="7d"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_responder_engaged_seconds", "hero_responder_incidents",
		"hero_responder_interruptions", "hero_responder_load_ratio", "hero_responder_offrotation_incidents"); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
}

func TestSourcesCollector(t *testing.T) {
	p := fixture{statuses: []source.Status{
		{Name: "demo", Type: "demo", Attempted: true, Up: true, LastSuccess: time.Unix(1763800000, 500000000), Duration: 1500 * time.Millisecond},
		{Name: "pd", Type: "pagerduty", Attempted: true, Up: false, LastSuccess: time.Unix(1763790000, 0), Duration: 2 * time.Second,
			API: &source.APIStats{Requests: map[string]float64{"200": 12, "429": 2, "error": 1}, RateLimitRemaining: 940, HasRateLimit: true}},
		{Name: "new", Type: "file"}, // never synced: nothing but absence
		{Name: "am", Type: "alertmanager", Webhook: map[string]float64{"200": 7, "413": 1, "401": 2}},
		{Name: "am2", Type: "alertmanager", Webhook: map[string]float64{}}, // no request yet: absent
	}}
	reg, _ := gather(t, p, "sources")
	want := `
# HELP hero_source_api_requests_total HTTP requests the source made to its API, by status code ("error" when no response came).
# TYPE hero_source_api_requests_total counter
hero_source_api_requests_total{code="200",source="pd",type="pagerduty"} 12
hero_source_api_requests_total{code="429",source="pd",type="pagerduty"} 2
hero_source_api_requests_total{code="error",source="pd",type="pagerduty"} 1
# HELP hero_source_last_success_timestamp_seconds Unix time of the last successful sync of the source.
# TYPE hero_source_last_success_timestamp_seconds gauge
hero_source_last_success_timestamp_seconds{source="demo",type="demo"} 1.7638000005e+09
hero_source_last_success_timestamp_seconds{source="pd",type="pagerduty"} 1.76379e+09
# HELP hero_source_rate_limit_remaining Requests left in the current rate-limit window, as the API last reported.
# TYPE hero_source_rate_limit_remaining gauge
hero_source_rate_limit_remaining{source="pd",type="pagerduty"} 940
# HELP hero_source_sync_duration_seconds Duration of the last sync of the source.
# TYPE hero_source_sync_duration_seconds gauge
hero_source_sync_duration_seconds{source="demo",type="demo"} 1.5
hero_source_sync_duration_seconds{source="pd",type="pagerduty"} 2
# HELP hero_source_up 1 when the last sync of the source succeeded, 0 when it failed (absent until the first sync ends).
# TYPE hero_source_up gauge
hero_source_up{source="demo",type="demo"} 1
hero_source_up{source="pd",type="pagerduty"} 0
# HELP hero_webhook_requests_total HTTP requests a push source (webhook receiver) answered, by status code, accepted and refused alike.
# TYPE hero_webhook_requests_total counter
hero_webhook_requests_total{code="200",source="am"} 7
hero_webhook_requests_total{code="401",source="am"} 2
hero_webhook_requests_total{code="413",source="am"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_source_api_requests_total", "hero_source_last_success_timestamp_seconds",
		"hero_source_rate_limit_remaining", "hero_source_sync_duration_seconds", "hero_source_up", "hero_webhook_requests_total"); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
}

func TestConfigCollector(t *testing.T) {
	p := reloadFixture{reload: ReloadStatus{Successful: false, LastSuccess: time.Unix(1763800000, 500000000)}}
	reg, _ := gather(t, p, "config")
	want := `
# HELP hero_exporter_config_last_reload_success_timestamp_seconds Unix time of the last successful load or reload of the configuration.
# TYPE hero_exporter_config_last_reload_success_timestamp_seconds gauge
hero_exporter_config_last_reload_success_timestamp_seconds 1.7638000005e+09
# HELP hero_exporter_config_last_reload_successful 1 when the last load or reload of the configuration file succeeded, 0 when it failed (the previous configuration keeps running).
# TYPE hero_exporter_config_last_reload_successful gauge
hero_exporter_config_last_reload_successful 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_exporter_config_last_reload_successful",
		"hero_exporter_config_last_reload_success_timestamp_seconds"); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
	// A provider without a configuration (a library user, a test): nothing.
	reg, _ = gather(t, fixture{}, "config")
	if n, err := testutil.GatherAndCount(reg, "hero_exporter_config_last_reload_successful"); err != nil || n != 0 {
		t.Fatalf("%d series, %v", n, err)
	}
}

func TestNoSnapshotEmitsNothingButScrapeMetrics(t *testing.T) {
	for _, name := range []string{"incidents", "responders", "teams"} {
		reg, _ := gather(t, fixture{}, name)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if !strings.HasPrefix(mf.GetName(), "hero_scrape_collector_") {
				t.Errorf("%s: emitted %s without a snapshot", name, mf.GetName())
			}
		}
	}
}

func TestUnknownCollector(t *testing.T) {
	if _, err := New(fixture{}, slog.New(slog.NewTextHandler(io.Discard, nil)), "nope"); err == nil {
		t.Fatal("no error for an unknown collector")
	}
}

func lint(t *testing.T, reg *prometheus.Registry) {
	t.Helper()
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestExceptionsCollector(t *testing.T) {
	p := fixture{logs: []logscan.Stats{{
		Log: "checkout", Lines: 1000, Bytes: 64000, Exceptions: 7, Other: 2, NewFingerprints: 3, Errors: 1,
		ErrorsByReason: map[string]uint64{"read": 1}, FingerprintsTracked: 2, FilesFollowed: 2,
		Fingerprints: []logscan.FingerprintStat{
			{Fingerprint: "0123456789abcdef", Type: "java.lang.NullPointerException", Location: "com.example.orders.OrderService.load",
				Message: "Cannot invoke <*> because <*> is null", Language: "java", Count: 4},
			{Fingerprint: "fedcba9876543210", Type: "KeyError", Location: "app/views.py:checkout", Message: "<*>", Language: "python", Count: 1},
		},
	}}}
	reg, _ := gather(t, p, "exceptions")
	want := `
# HELP hero_exception_events_total Exception events per tracked fingerprint; fingerprint="other" counts the rest, so the sum equals hero_exceptions_total.
# TYPE hero_exception_events_total counter
hero_exception_events_total{fingerprint="0123456789abcdef",log="checkout"} 4
hero_exception_events_total{fingerprint="fedcba9876543210",log="checkout"} 1
hero_exception_events_total{fingerprint="other",log="checkout"} 2
# HELP hero_exception_fingerprints_tracked Fingerprints currently tracked for the log (at most top_k).
# TYPE hero_exception_fingerprints_tracked gauge
hero_exception_fingerprints_tracked{log="checkout"} 2
# HELP hero_exception_info What a tracked fingerprint is: exception type, top in-app frame and masked message (always 1).
# TYPE hero_exception_info gauge
hero_exception_info{fingerprint="0123456789abcdef",location="com.example.orders.OrderService.load",log="checkout",message="Cannot invoke <*> because <*> is null",type="java.lang.NullPointerException"} 1
hero_exception_info{fingerprint="fedcba9876543210",location="app/views.py:checkout",log="checkout",message="<*>",type="KeyError"} 1
# HELP hero_exception_new_fingerprints_total Fingerprints this exporter had never seen before (remembered across restarts).
# TYPE hero_exception_new_fingerprints_total counter
hero_exception_new_fingerprints_total{log="checkout"} 3
# HELP hero_exceptions_total Exception events seen in the log (multi-line traces count once).
# TYPE hero_exceptions_total counter
hero_exceptions_total{log="checkout"} 7
# HELP hero_log_bytes_total Bytes read from the log's files.
# TYPE hero_log_bytes_total counter
hero_log_bytes_total{log="checkout"} 64000
# HELP hero_log_errors_total Reads that had to give up while following the log (open, read, rotation, special file, ...), by reason.
# TYPE hero_log_errors_total counter
hero_log_errors_total{log="checkout",reason="decompress"} 0
hero_log_errors_total{log="checkout",reason="glob"} 0
hero_log_errors_total{log="checkout",reason="gone"} 0
hero_log_errors_total{log="checkout",reason="line_too_long"} 0
hero_log_errors_total{log="checkout",reason="not_regular"} 0
hero_log_errors_total{log="checkout",reason="open"} 0
hero_log_errors_total{log="checkout",reason="read"} 1
hero_log_errors_total{log="checkout",reason="store"} 0
hero_log_errors_total{log="checkout",reason="truncated"} 0
hero_log_errors_total{log="checkout",reason="watch"} 0
# HELP hero_log_files Files currently followed for the log.
# TYPE hero_log_files gauge
hero_log_files{log="checkout"} 2
# HELP hero_log_lines_total Lines read from the log's files.
# TYPE hero_log_lines_total counter
hero_log_lines_total{log="checkout"} 1000
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hero_exception_events_total", "hero_exception_fingerprints_tracked",
		"hero_exception_info", "hero_exception_new_fingerprints_total", "hero_exceptions_total", "hero_log_bytes_total",
		"hero_log_errors_total", "hero_log_files", "hero_log_lines_total"); err != nil {
		t.Fatal(err)
	}
	lint(t, reg)
}

// TestAddFlags: the collector switches work on an application of its own (kingpin.New),
// as the binary's serve command registers them.
func TestAddFlags(t *testing.T) {
	saved := map[string]bool{}
	for n, s := range collectorState {
		saved[n] = *s
	}
	t.Cleanup(func() {
		for n, v := range saved {
			*collectorState[n] = v
		}
	})
	app := kingpin.New("test", "")
	AddFlags(app)
	if _, err := app.Parse([]string{"--no-collector.teams", "--no-collector.incidents"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range Names() {
		want := n != "teams" && n != "incidents"
		if *collectorState[n] != want {
			t.Errorf("collector %s enabled = %v, want %v", n, *collectorState[n], want)
		}
	}
	if _, err := app.Parse([]string{"--collector.nosuch"}); err == nil {
		t.Error("an unknown collector flag was accepted")
	}
}
