package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the renderers' output")

var at = time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)

// handBuilt is a snapshot written by hand: payments, where one person carries most of
// the load, and search, whose source has no engagement data.
//
// payments, 28d: Ana 6, Ben 3, Chloé 1 engaged incidents → shares 0.6, 0.3, 0.1; bus
// factor 1; Gini of (6,3,1) = Σ|xi−xj| / (2·n²·mean) = (3+5+2)·2 / (2·9·10/3) = 20/60 = 0.33.
func handBuilt() *incident.Snapshot {
	var pages = func(b, o, s int) [incident.NumPeriods]int { return [incident.NumPeriods]int{b, o, s} }
	var secs = func(b, o, s float64) [incident.NumPeriods]float64 { return [incident.NumPeriods]float64{b, o, s} }
	return &incident.Snapshot{
		At:      at,
		Windows: []incident.Window{{Name: "7d", D: 7 * 24 * time.Hour}, {Name: "28d", D: 28 * 24 * time.Hour}},
		Incidents: []incident.IncidentCount{
			{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Window: "28d", Count: 7},
			{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Window: "7d", Count: 3},
			{Source: "pd", Team: "payments", Service: "ledger", Severity: "high", Window: "28d", Count: 3},
			{Source: "pd", Team: "payments", Service: "ledger", Severity: "high", Window: "7d", Count: 1},
			{Source: "am", Team: "search", Service: "indexer", Severity: "unknown", Window: "28d", Count: 5},
			{Source: "am", Team: "search", Service: "indexer", Severity: "unknown", Window: "7d", Count: 0},
		},
		Open: []incident.OpenCount{
			{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Count: 2},
			{Source: "pd", Team: "payments", Service: "ledger", Severity: "high", Count: 0},
			{Source: "am", Team: "search", Service: "indexer", Severity: "unknown", Count: 1},
		},
		OpenSolo: []incident.SourceTeamCount{{Source: "pd", Team: "payments", Count: 1}},
		Recurrences: []incident.RecurrenceCount{
			{Team: "payments", Service: "checkout", Window: "28d", Count: 3},
			{Team: "payments", Service: "checkout", Window: "7d", Count: 1},
			{Team: "payments", Service: "ledger", Window: "28d", Count: 0},
			{Team: "search", Service: "indexer", Window: "28d", Count: 4},
		},
		Teams: []incident.TeamWindow{
			{Team: "payments", Window: "28d", HasMTTA: true, MTTA: 279, HasMTTR: true, MTTR: 5040, ResolveP50: 1800, ResolveP90: 14400,
				HasEngagements: true, SoloLong: 2, HasLoad: true, Responders: 3, TopRatio: 0.6, Gini: 1.0 / 3, BusFactor: 1},
			{Team: "payments", Window: "7d", HasMTTA: true, MTTA: 120, HasMTTR: true, MTTR: 3600, ResolveP50: 3000, ResolveP90: 4000,
				HasEngagements: true, HasLoad: true, Responders: 2, TopRatio: 0.5, Gini: 0.25, BusFactor: 1},
			{Team: "search", Window: "28d", HasMTTR: true, MTTR: 600, ResolveP50: 600, ResolveP90: 900},
			{Team: "search", Window: "7d"},
		},
		Responders: []incident.ResponderWindow{
			{Team: "payments", Person: "Ana Lima", Window: "28d", Incidents: 6, LoadRatio: 0.6, HasPages: true, HasOnCall: true,
				Interruptions: pages(3, 5, 4), EngagedSeconds: secs(7200, 3600, 5400), OffRotation: 2},
			{Team: "payments", Person: "Ben Carter", Window: "28d", Incidents: 3, LoadRatio: 0.3, HasPages: true, HasOnCall: true,
				Interruptions: pages(2, 1, 0), EngagedSeconds: secs(1800, 0, 0)},
			{Team: "payments", Person: "Chloé Dubois", Window: "28d", Incidents: 1, LoadRatio: 0.1, HasPages: true, HasOnCall: true,
				Interruptions: pages(0, 0, 1), EngagedSeconds: secs(0, 0, 900)},
			{Team: "payments", Person: "Ana Lima", Window: "7d", Incidents: 2, LoadRatio: 0.5, HasPages: true, HasOnCall: true,
				Interruptions: pages(1, 1, 1), EngagedSeconds: secs(600, 600, 600)},
			{Team: "payments", Person: "Ben Carter", Window: "7d", Incidents: 2, LoadRatio: 0.5, HasPages: true, HasOnCall: true},
		},
		// The previous 28d of payments: 16 incidents (now 10), MTTR 2 h (now 1 h 24 min),
		// 9 sleep-hour pages (now 5), changes 4 failed of 8 (now 1 of 10); ledger-v1 has
		// been quiet for 40 days.
		Trends: &incident.Trends{
			IncidentsPrevious: []incident.IncidentCount{
				{Source: "pd", Team: "payments", Service: "checkout", Severity: "critical", Window: "28d", Count: 12},
				{Source: "pd", Team: "payments", Service: "ledger", Severity: "high", Window: "28d", Count: 4},
			},
			MTTRPrevious:          []incident.TeamValue{{Team: "payments", Window: "28d", Value: 7200}},
			Interruptions:         []incident.TeamInterruptions{{Team: "payments", Window: "28d", Pages: pages(5, 6, 5)}},
			InterruptionsPrevious: []incident.TeamInterruptions{{Team: "payments", Window: "28d", Pages: pages(2, 2, 9)}},
			LastIncident: []incident.ServiceTime{
				{Team: "payments", Service: "checkout", At: at.Add(-24 * time.Hour)},
				{Team: "payments", Service: "ledger-v1", At: at.Add(-40 * 24 * time.Hour)},
			},
			Changes: []incident.ChangeCount{{Source: "ci", Team: "payments", Service: "checkout", Window: "28d",
				Changes: 10, Failed: 1, ChangesPrevious: 8, FailedPrev: 4}},
		},
	}
}

// handLogs: one log with 12 tracked fingerprints (the report lists 10), a message
// that needs escaping in HTML and in a markdown table.
func handLogs() []logscan.Stats {
	s := logscan.Stats{Log: "shop", Exceptions: 200, Other: 5, NewFingerprints: 12, FingerprintsTracked: 12}
	for i := range 12 {
		s.Fingerprints = append(s.Fingerprints, logscan.FingerprintStat{
			Fingerprint: strings.Repeat(string(rune('a'+i)), 16), Type: "java.lang.IllegalStateException",
			Location: "com.example.Cart.add(Cart.java:<num>)", Message: "cart <id> is | closed <script>", Count: uint64(10 + i),
		})
	}
	s.Fingerprints[11].Type, s.Fingerprints[11].Location, s.Fingerprints[11].Count = "TimeoutError", "", 40
	return []logscan.Stats{s}
}

func TestBuildHandComputed(t *testing.T) {
	r, err := Build(Input{Snapshot: handBuilt(), Logs: handLogs()}, Options{MaxPeople: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Window != "28d" || strings.Join(r.Windows, ",") != "7d,28d" || strings.Join(r.TeamNames, ",") != "payments,search" {
		t.Fatalf("window %q of %v, teams %v; want the longest, 28d", r.Window, r.Windows, r.TeamNames)
	}
	if len(r.Teams) != 2 {
		t.Fatalf("%d teams", len(r.Teams))
	}
	p := r.Teams[0]
	// 7 + 3 incidents in 28d; open 2 + 0; one open solo; recurring: checkout 3 (ledger 0 is left out).
	if p.Name != "payments" || p.Incidents != 10 || p.Open != 2 || p.OpenSolo != 1 || !p.HasSolo || p.Recurrent != 3 ||
		len(p.Recurring) != 1 || p.Recurring[0] != (ServiceCount{"checkout", 3}) || p.SoloLong != 2 {
		t.Errorf("payments figures: %+v", p)
	}
	if p.BusFactor != 1 || p.TopShare != 0.6 || p.MTTR != 5040 || p.ResolveP90 != 14400 || p.MTTA != 279 {
		t.Errorf("payments team row: %+v", p)
	}
	// The two busiest listed, Chloé summed into Others.
	if len(p.People) != 2 || p.People[0].Label != "Ana Lima" || p.People[1].Label != "Ben Carter" {
		t.Fatalf("people: %+v", p.People)
	}
	if p.Others == nil || *p.Others != (Others{People: 1, Incidents: 1, Share: 0.1, Pages: PageBands{Sleep: 1}}) {
		t.Errorf("others: %+v", p.Others)
	}
	// Team sums include Chloé: pages 5 business, 6 off hours, 5 sleep; engaged 9000 s business.
	if p.TeamPages != (PageBands{5, 6, 5}) || p.TeamEngaged != (TimeBands{9000, 3600, 6300}) {
		t.Errorf("team sums: pages %+v engaged %+v", p.TeamPages, p.TeamEngaged)
	}
	if len(p.OffRotation) != 1 || p.OffRotation[0] != (PersonCount{"Ana Lima", 2}) {
		t.Errorf("off-rotation: %+v", p.OffRotation)
	}
	wantHead := []string{
		"Load is concentrated: one person carries 60 % of the team's incident load in the last 28d (bus factor 1, Gini 0.33); the rotation is not spreading it.",
		// Ana and Chloé (in Others) had sleep-hour pages.
		"5 pages reached 2 people in their sleep hours, 6 pages off hours.",
		"Better than the previous 28d: incidents fell from 16 to 10 (−38 %); MTTR fell from 2h 00m to 1h 24m (−30 %); sleep-hour pages fell from 9 to 5 (−44 %); change failure ratio fell from 50 % to 10 % (−80 %); 1 service without an incident for 28d or more.",
	}
	if strings.Join(p.Headline, "\n") != strings.Join(wantHead, "\n") {
		t.Errorf("payments headline:\n%s\nwant:\n%s", strings.Join(p.Headline, "\n"), strings.Join(wantHead, "\n"))
	}
	s := r.Teams[1]
	if s.Name != "search" || s.Incidents != 5 || s.Open != 1 || s.HasSolo || s.HasLoad || s.Engagement || len(s.People) != 0 {
		t.Errorf("search: %+v", s)
	}
	if want := "5 incidents in the last 28d; the team's sources do not say who responded, so load cannot be shown."; s.Headline[0] != want {
		t.Errorf("search headline %q, want %q", s.Headline[0], want)
	}
	// Logs: the 10 largest of 12, largest first (count 40, then 20, 19, …, 12).
	l := r.Logs[0]
	if len(l.Top) != 10 || l.Top[0].Count != 40 || l.Top[1].Count != 20 || l.Top[9].Count != 12 || l.Exceptions != 200 {
		t.Errorf("log top: %+v", l.Top)
	}

	// The 7d window: Ana and Ben share equally.
	r7, err := Build(Input{Snapshot: handBuilt()}, Options{Window: "7d", Team: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r7.Teams) != 1 || r7.Teams[0].Incidents != 4 || len(r7.Teams[0].People) != 2 || r7.Teams[0].Others != nil {
		t.Fatalf("7d payments: %+v", r7.Teams)
	}
	if want := "Load is concentrated: one person carries 50 % of the team's incident load in the last 7d (bus factor 1, Gini 0.25); the rotation is not spreading it."; r7.Teams[0].Headline[0] != want {
		t.Errorf("7d headline %q", r7.Teams[0].Headline[0])
	}
	if !r7.LogsOffline || len(r7.Logs) != 0 {
		t.Errorf("without log figures the report says so: %v %v", r7.LogsOffline, r7.Logs)
	}
}

func TestBuildSelectionErrors(t *testing.T) {
	for _, o := range []Options{{Window: "1y"}, {Team: "nope"}, {Window: "28D"}} {
		_, err := Build(Input{Snapshot: handBuilt()}, o)
		var sel *SelectionError
		if !errors.As(err, &sel) {
			t.Fatalf("%+v: err %v, want a SelectionError", o, err)
		}
		if !strings.Contains(err.Error(), "known: ") {
			t.Errorf("%+v: %q does not list what exists", o, err)
		}
	}
	_, err := Build(Input{Snapshot: &incident.Snapshot{Windows: []incident.Window{{Name: "7d", D: time.Hour}}}}, Options{Team: "x"})
	if err == nil || err.Error() != `unknown team "x": the snapshot has none` {
		t.Errorf("no teams: %v", err)
	}
}

func TestTrend(t *testing.T) {
	for _, c := range []struct {
		now, before float64
		unit, dir   string
		change      float64
		text        string
	}{
		{22, 40, "count", "fell", -0.45, "fell from 40 to 22 (−45 %)"},
		{30, 20, "count", "rose", 0.5, "rose from 20 to 30 (+50 %)"},
		{3, 0, "count", "new", 0, "3, none before"},
		{0, 0, "count", "unchanged", 0, "unchanged at 0"},
		{1800, 3600, "seconds", "fell", -0.5, "fell from 1h 00m to 30m 00s (−50 %)"},
		{0.1, 0.25, "ratio", "fell", -0.6, "fell from 25 % to 10 % (−60 %)"},
	} {
		tr := newTrend("x", c.unit, c.now, c.before)
		if tr.Direction != c.dir || tr.Change < c.change-1e-9 || tr.Change > c.change+1e-9 || tr.Describe() != c.text {
			t.Errorf("%v→%v: %s %.3f %q, want %s %.3f %q", c.before, c.now, tr.Direction, tr.Change, tr.Describe(), c.dir, c.change, c.text)
		}
		if tr.Good() != (c.dir == "fell") {
			t.Errorf("%v→%v: Good %v", c.before, c.now, tr.Good())
		}
	}
}

func TestDuration(t *testing.T) {
	for secs, want := range map[float64]string{0: "0s", 45.4: "45s", 279: "4m 39s", 5040: "1h 24m", 47 * 3600: "47h 00m", 50 * 3600: "2d 2h"} {
		if got := Duration(secs); got != want {
			t.Errorf("Duration(%v) = %q, want %q", secs, got, want)
		}
	}
}

func render(t *testing.T, r *Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	var err error
	if format == "html" {
		err = WriteHTML(&b, r, HTMLOptions{})
	} else {
		err = Write(&b, r, format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Fatalf("%s differs at line %d (run with -update after checking):\nwant: %s\ngot:  %s", path, i+1, w, g)
			}
		}
	}
}

// TestGolden renders the hand-built snapshot as HTML, markdown, table and JSON and
// compares with testdata/*.golden.
func TestGolden(t *testing.T) {
	r, err := Build(Input{Snapshot: handBuilt(), Logs: handLogs()}, Options{MaxPeople: 2})
	if err != nil {
		t.Fatal(err)
	}
	html := render(t, r, "html")
	golden(t, "report.html.golden", html)
	md := render(t, r, FormatMarkdown)
	golden(t, "report.md.golden", md)
	golden(t, "report.txt.golden", render(t, r, FormatTable))
	js := render(t, r, FormatJSON)
	golden(t, "report.json.golden", js)

	// What the golden files hold, checked independently of them.
	for _, want := range []string{
		`<section class="team" id="team-payments" data-team="payments">`,
		`<div class="bar-row load-bar" data-person="Ana Lima">`,
		`<rect width="60" height="10" fill="#2a7f8f"/>`, // 0.6 of the 100-wide bar
		`<span class="v">1h 24m</span>`,                 // MTTR 5040 s
		`cart &lt;id&gt; is | closed &lt;script&gt;`,
		`<div class="bar-row load-bar others"><span class="lbl">1 more person</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if strings.Contains(html, "<script") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(html) {
		t.Error("the page must have no script and no external asset")
	}
	for _, want := range []string{
		"## payments\n\n- Load is concentrated: one person carries 60 %",
		"| Ana Lima | 6 | 60 % | 3 | 5 | 4 | 2.0 h | 1.0 h | 1.5 h | 2 |",
		"| (1 more) | 1 | 10 % | 0 | 0 | 1 | – | – | – | – |",
		`| 40 | TimeoutError | – | cart <id> is \| closed <script> |`,
		"| checkout | 3 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	var back Report
	if err := json.Unmarshal([]byte(js), &back); err != nil || back.Teams[0].People[0].Incidents != 6 || back.Window != "28d" {
		t.Errorf("JSON does not round-trip: %v %+v", err, back.Teams)
	}
}

// TestBlamelessWords: the words of the report describe load, never merit.
func TestBlamelessWords(t *testing.T) {
	r, err := Build(Input{Snapshot: handBuilt(), Logs: handLogs()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`(?i)\b(worst|best|blame\w*|fault\w*|lazy|hero\w*|slow(est)?|poor\w*|underperform\w*|top performer|culprit|guilty|rank\w*)\b`)
	for _, f := range []string{"html", FormatMarkdown, FormatTable} {
		if m := bad.FindString(render(t, r, f)); m != "" {
			t.Errorf("%s output says %q", f, m)
		}
	}
}

func TestEmptySnapshot(t *testing.T) {
	snap := &incident.Snapshot{At: at, Windows: incident.DefaultSettings().Windows}
	r, err := Build(Input{Snapshot: snap}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Teams) != 0 || r.Window != "28d" {
		t.Fatalf("%+v", r)
	}
	if html := render(t, r, "html"); !strings.Contains(html, `id="no-teams"`) {
		t.Error("the page does not say there are no incidents")
	}
	if md := render(t, r, FormatMarkdown); !strings.Contains(md, "_No incident of the last 28d for any team._") {
		t.Errorf("markdown:\n%s", md)
	}
}

// TestHashedLabelsLeakNoName computes a snapshot with person_label hashed from history
// with names and emails and checks no output carries them.
func TestHashedLabelsLeakNoName(t *testing.T) {
	now := at
	h := &incident.History{
		Sources: map[string]incident.Capabilities{"pd": {People: true, Pages: true, Engagements: true}},
		People: []incident.Person{
			{Source: "pd", ID: "P1", Name: "Zelda Quist", Email: "zelda.quist@example.org", TimeZone: "Europe/Berlin"},
			{Source: "pd", ID: "P2", Name: "Yann Orvell", Email: "yann@example.org"},
		},
	}
	for i := range 6 {
		id := string(rune('a' + i))
		created := now.Add(-time.Duration(i+1) * 26 * time.Hour)
		h.Incidents = append(h.Incidents, incident.Incident{Source: "pd", ID: id, Team: "core", Service: "api", Title: "disk full",
			CreatedAt: created, AcknowledgedAt: created.Add(time.Minute), ResolvedAt: created.Add(time.Hour)})
		person := "P1"
		if i == 0 {
			person = "P2"
		}
		h.Pages = append(h.Pages, incident.Page{Source: "pd", ID: "pg" + id, IncidentID: id, PersonID: person, At: created, Channel: incident.ChannelPhone})
		h.Engagements = append(h.Engagements, incident.Engagement{Source: "pd", ID: "e" + id, IncidentID: id, PersonID: person,
			Kind: incident.EngageAcknowledge, At: created.Add(time.Minute)})
	}
	s := incident.DefaultSettings()
	s.PersonLabel = "hashed"
	r, err := Build(Input{Snapshot: incident.Compute(h, s, now)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Teams) != 1 || len(r.Teams[0].People) != 2 {
		t.Fatalf("teams %+v", r.Teams)
	}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, p := range r.Teams[0].People {
		if !hex16.MatchString(p.Label) {
			t.Errorf("label %q is not a hash", p.Label)
		}
	}
	leak := regexp.MustCompile(`(?i)zelda|quist|yann|orvell|example\.org|P1|P2`)
	for _, f := range []string{"html", FormatMarkdown, FormatTable, FormatJSON} {
		out := render(t, r, f)
		if m := leak.FindString(out); m != "" {
			t.Errorf("%s output leaks %q", f, m)
		}
		if !strings.Contains(out, r.Teams[0].People[0].Label) {
			t.Errorf("%s output lacks the hashed label %s", f, r.Teams[0].People[0].Label)
		}
	}
}
