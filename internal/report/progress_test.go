package report

import (
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// TestProgressFromTrends: the progress section of payments over 28d, from hand-set
// previous-window figures:
//
//	incidents      now 7 + 3 = 10, before 12 + 4 = 16          → fell 37.5 %
//	MTTR           now 5040 s, before 7200 s                   → fell 30 %
//	sleep pages    now 5, before 9                             → fell 44 %
//	change failure now 1/10 = 10 %, before 4/8 = 50 %          → fell 80 %
//	quiet          ledger-old: last incident 40 days ago (≥ 28d); checkout 1 day: not quiet
func TestProgressFromTrends(t *testing.T) {
	snap := handBuilt()
	snap.Trends = &incident.Trends{
		IncidentsPrevious: []incident.IncidentCount{
			{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Window: "28d", Count: 12},
			{Source: "pd", Team: "payments", Service: "ledger", Severity: "high", Window: "28d", Count: 4},
			{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Window: "7d", Count: 99},
		},
		MTTRPrevious:          []incident.TeamValue{{Team: "payments", Window: "28d", Value: 7200}},
		Interruptions:         []incident.TeamInterruptions{{Team: "payments", Window: "28d", Pages: [3]int{5, 6, 5}}},
		InterruptionsPrevious: []incident.TeamInterruptions{{Team: "payments", Window: "28d", Pages: [3]int{1, 1, 9}}},
		LastIncident: []incident.ServiceTime{
			{Team: "payments", Service: "checkout", At: at.Add(-24 * time.Hour)},
			{Team: "payments", Service: "ledger-old", At: at.Add(-40 * 24 * time.Hour)},
			{Team: "search", Service: "indexer", At: at.Add(-60 * 24 * time.Hour)},
		},
		Changes: []incident.ChangeCount{
			{Source: "ci", Team: "payments", Service: "checkout", Window: "28d", Changes: 6, Failed: 1, ChangesPrevious: 5, FailedPrev: 3},
			{Source: "ci", Team: "payments", Service: "ledger", Window: "28d", Changes: 4, ChangesPrevious: 3, FailedPrev: 1},
		},
	}
	r, err := Build(Input{Snapshot: snap}, Options{Team: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Teams[0].Progress
	if !p.Available || len(p.Missing) != 0 {
		t.Fatalf("progress not available: %+v", p)
	}
	want := map[string][2]float64{
		trendIncidents: {10, 16}, trendMTTR: {5040, 7200}, trendSleepPages: {5, 9}, trendChangeFailure: {0.1, 0.5},
	}
	if len(p.Trends) != len(want) {
		t.Fatalf("trends %+v", p.Trends)
	}
	for _, tr := range p.Trends {
		w := want[tr.Name]
		if tr.Now != w[0] || tr.Before != w[1] || tr.Direction != "fell" {
			t.Errorf("%s: now %v before %v (%s), want %v %v fell", tr.Name, tr.Now, tr.Before, tr.Direction, w[0], w[1])
		}
	}
	if len(p.Quiet) != 1 || p.Quiet[0].Service != "ledger-old" || p.Quiet[0].Days != 40 {
		t.Errorf("quiet services %+v, want ledger-old after 40 days", p.Quiet)
	}
	if s := p.Summary(); !strings.HasPrefix(s, "Better than the previous 28d: incidents fell from 16 to 10 (−38 %);") || !strings.Contains(s, "1 service without an incident for 28d or more") {
		t.Errorf("summary %q", s)
	}
	// Without changes before, the ratio is not shown and is named missing.
	snap.Trends.Changes = snap.Trends.Changes[:0]
	r, _ = Build(Input{Snapshot: snap}, Options{Team: "payments"})
	if m := r.Teams[0].Progress.Missing; len(m) != 1 || m[0] != trendChangeFailure {
		t.Errorf("missing %v, want the change failure ratio only", m)
	}
}

// TestLogProgress: top-10 volume 400 → 40 fell 90 %; 3 retired fingerprints are good news.
func TestLogProgress(t *testing.T) {
	s := handLogs()[0]
	s.Windows = []logscan.WindowStat{{Window: "28d", Top10: 40, Top10Previous: 400, Retired: 3, EventsPrevious: 420}}
	r, err := Build(Input{Snapshot: handBuilt(), Logs: []logscan.Stats{s}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Logs[0].Progress
	if !p.Available || len(p.Trends) != 1 || p.Trends[0].Name != trendTop10 || p.Trends[0].Direction != "fell" || p.Trends[0].Change != -0.9 || p.Retired != 3 {
		t.Fatalf("log progress %+v", p)
	}
	if got := p.Summary(); got != "Better than the previous 28d: top-10 exception events fell from 400 to 40 (−90 %); 3 fingerprints that fired in the previous 28d went quiet." {
		t.Errorf("summary %q", got)
	}
	var md strings.Builder
	if err := Write(&md, r, "markdown"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "- 3 fingerprints that fired in the previous 28d went quiet (better)") {
		t.Errorf("the markdown report does not show the retired fingerprints:\n%s", md.String())
	}
}
