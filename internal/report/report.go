// Package report turns the exporter's current analytics snapshot (and the figures of
// its log inputs) into a report for people: the /report HTML page and the
// `hero_exporter report` subcommand (table, markdown, JSON) share the view model built
// here, so both say the same thing.
//
// The words follow the blameless voice of rules/runbook.md: the report describes how
// load is spread and what the system did, never how well anyone works. People appear
// only under their person_label (hashed stays hashed: the snapshot holds nothing else).
package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// Input is what a report is built from. Nothing else is read: no store, no source.
type Input struct {
	Snapshot *incident.Snapshot
	// Logs are the figures of the exporter's log inputs; nil offline.
	Logs []logscan.Stats
}

// Options select and bound what a report shows.
type Options struct {
	// Window is a configured window name ("7d"); "" selects the longest.
	Window string
	// Team restricts the report to one team; "" shows every team.
	Team string
	// MaxPeople bounds the people listed per team (the busiest first); the rest are
	// summed into Team.Others. 0 lists everyone.
	MaxPeople int
	// TopExceptions bounds the fingerprints listed per log; 0 takes 10.
	TopExceptions int
}

// DefaultMaxPeople is the number of people a team's charts show before the rest are
// summed up: a wall chart with more bars is unreadable.
const DefaultMaxPeople = 25

// SelectionError is an unknown ?window= or ?team=; its message lists what exists.
type SelectionError struct {
	Field, Value string
	Known        []string
}

func (e *SelectionError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("unknown %s %q: the snapshot has none", e.Field, e.Value)
	}
	return fmt.Sprintf("unknown %s %q; known: %s", e.Field, e.Value, strings.Join(e.Known, ", "))
}

// Report is the view model of one report.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Window      string    `json:"window"`
	Windows     []string  `json:"windows"`
	// TeamNames are every team of the snapshot, for the selection links.
	TeamNames []string `json:"team_names"`
	// Team is the selected team, "" for all.
	Team  string `json:"team,omitempty"`
	Teams []Team `json:"teams"`
	Logs  []Log  `json:"logs"`
	// LogsOffline is set when the report was built without live log figures (the
	// subcommand reads the store, which has no exception counts of its own).
	LogsOffline bool `json:"logs_offline,omitempty"`
}

// Team is one team's section.
type Team struct {
	Name string `json:"name"`
	// Headline are the sentences at the top of the section: where the load is
	// concentrated and what got better.
	Headline []string `json:"headline"`

	Incidents int `json:"incidents"`
	Open      int `json:"open"`
	// HasSolo: a source of the team has engagement data, so OpenSolo is known.
	HasSolo   bool `json:"has_open_solo"`
	OpenSolo  int  `json:"open_solo"`
	SoloLong  int  `json:"solo_long"`
	Recurrent int  `json:"recurrences"`
	// Engagement, Pages and OnCall say which figures the team's sources supply.
	Engagement bool `json:"has_engagements"`
	Pages      bool `json:"has_pages"`
	OnCall     bool `json:"has_on_call"`

	HasLoad    bool    `json:"has_load"`
	Responders int     `json:"responders"`
	TopShare   float64 `json:"top_share"`
	Gini       float64 `json:"gini"`
	BusFactor  int     `json:"bus_factor"`

	HasMTTA    bool    `json:"has_mtta"`
	MTTA       float64 `json:"mtta_seconds"`
	HasMTTR    bool    `json:"has_mttr"`
	MTTR       float64 `json:"mttr_seconds"`
	ResolveP50 float64 `json:"resolve_p50_seconds"`
	ResolveP90 float64 `json:"resolve_p90_seconds"`

	People []Person `json:"people"`
	// Others sums the people beyond Options.MaxPeople; nil when everyone is listed.
	Others *Others `json:"others,omitempty"`
	// TeamPages and TeamEngaged are the sums over every person of the team.
	TeamPages   PageBands `json:"pages"`
	TeamEngaged TimeBands `json:"engaged_seconds"`
	// MaxPages is the largest off-hours or sleep count of a listed person (chart scale).
	MaxPages int `json:"-"`

	Recurring   []ServiceCount `json:"recurring"`
	OffRotation []PersonCount  `json:"off_rotation"`

	Progress Progress `json:"progress"`
}

// Person is one responder of a team in the window.
type Person struct {
	Label       string    `json:"person"`
	Incidents   int       `json:"incidents"`
	Share       float64   `json:"load_share"`
	Pages       PageBands `json:"pages"`
	Engaged     TimeBands `json:"engaged_seconds"`
	OffRotation int       `json:"off_rotation"`
}

// Others are the people of a team not listed one by one.
type Others struct {
	People    int       `json:"people"`
	Incidents int       `json:"incidents"`
	Share     float64   `json:"load_share"`
	Pages     PageBands `json:"pages"`
}

// PageBands are page counts by local-time band.
type PageBands struct {
	Business int `json:"business"`
	OffHours int `json:"off_hours"`
	Sleep    int `json:"sleep"`
}

// TimeBands are seconds by local-time band.
type TimeBands struct {
	Business float64 `json:"business"`
	OffHours float64 `json:"off_hours"`
	Sleep    float64 `json:"sleep"`
}

// Total is the sum over the bands.
func (t TimeBands) Total() float64 { return t.Business + t.OffHours + t.Sleep }

// ServiceCount is a count for one service.
type ServiceCount struct {
	Service string `json:"service"`
	Count   int    `json:"count"`
}

// PersonCount is a count for one person.
type PersonCount struct {
	Person string `json:"person"`
	Count  int    `json:"count"`
}

// Log is one log input's exceptions.
type Log struct {
	Name            string      `json:"log"`
	Exceptions      uint64      `json:"exceptions"`
	NewFingerprints uint64      `json:"new_fingerprints"`
	Tracked         int         `json:"fingerprints_tracked"`
	Other           uint64      `json:"other"`
	Top             []Exception `json:"top"`
	Progress        Progress    `json:"progress"`
}

// Exception is one tracked fingerprint.
type Exception struct {
	Fingerprint string `json:"fingerprint"`
	Type        string `json:"type"`
	Location    string `json:"location"`
	Message     string `json:"message"`
	Count       uint64 `json:"count"`
}

// Build makes the report of in for the selection in opts. An unknown window or team is
// a *SelectionError.
func Build(in Input, opts Options) (*Report, error) {
	snap := in.Snapshot
	if snap == nil {
		snap = &incident.Snapshot{}
	}
	if opts.TopExceptions <= 0 {
		opts.TopExceptions = 10
	}
	r := &Report{GeneratedAt: snap.At, Team: opts.Team, Teams: []Team{}, LogsOffline: in.Logs == nil}
	var longest incident.Window
	for _, w := range snap.Windows {
		r.Windows = append(r.Windows, w.Name)
		if w.D > longest.D {
			longest = w
		}
	}
	r.Window = opts.Window
	if r.Window == "" {
		r.Window = longest.Name
	} else if !slices.Contains(r.Windows, r.Window) {
		return nil, &SelectionError{Field: "window", Value: r.Window, Known: r.Windows}
	}
	r.TeamNames = teamNames(snap)
	if opts.Team != "" && !slices.Contains(r.TeamNames, opts.Team) {
		return nil, &SelectionError{Field: "team", Value: opts.Team, Known: r.TeamNames}
	}
	win := windowOf(snap, r.Window)
	for _, t := range buildTeams(snap, r.TeamNames, opts.Team, win) {
		r.Teams = append(r.Teams, finishTeam(t, snap, win, opts))
	}
	r.Logs = buildLogs(in.Logs, snap, win, opts.TopExceptions)
	return r, nil
}

func buildLogs(stats []logscan.Stats, snap *incident.Snapshot, win incident.Window, top int) []Log {
	logs := make([]Log, 0, len(stats))
	for _, s := range stats {
		logs = append(logs, buildLog(s, snap, win, top))
	}
	return logs
}

func windowOf(snap *incident.Snapshot, name string) incident.Window {
	for _, w := range snap.Windows {
		if w.Name == name {
			return w
		}
	}
	return incident.Window{Name: name}
}

// teamNames are the teams with a team row (an incident in the largest window), sorted.
func teamNames(snap *incident.Snapshot) []string {
	var names []string
	for _, t := range snap.Teams {
		if len(names) == 0 || names[len(names)-1] != t.Team {
			names = append(names, t.Team)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// teamAcc collects one team's rows in a single pass over the snapshot.
type teamAcc struct {
	Team
	people []Person
}

// buildTeams reads every snapshot row once (the snapshot can hold hundreds of teams
// and 100k rows) and returns the teams in names order, only want when it is set.
func buildTeams(snap *incident.Snapshot, names []string, want string, win incident.Window) []*teamAcc {
	byName := make(map[string]*teamAcc, len(names))
	var out []*teamAcc
	for _, n := range names {
		if want != "" && n != want {
			continue
		}
		t := &teamAcc{Team: Team{Name: n, People: []Person{}, Recurring: []ServiceCount{}, OffRotation: []PersonCount{}}}
		byName[n] = t
		out = append(out, t)
	}
	for i := range snap.Incidents {
		c := &snap.Incidents[i]
		if t := byName[c.Team]; t != nil && c.Window == win.Name {
			t.Incidents += c.Count
		}
	}
	for i := range snap.Open {
		if t := byName[snap.Open[i].Team]; t != nil {
			t.Open += snap.Open[i].Count
		}
	}
	for _, c := range snap.OpenSolo {
		if t := byName[c.Team]; t != nil {
			t.OpenSolo += c.Count
			t.HasSolo = true
		}
	}
	for _, c := range snap.Recurrences {
		if t := byName[c.Team]; t != nil && c.Window == win.Name && c.Count > 0 {
			t.Recurring = append(t.Recurring, ServiceCount{Service: c.Service, Count: c.Count})
			t.Recurrent += c.Count
		}
	}
	for _, tw := range snap.Teams {
		t := byName[tw.Team]
		if t == nil || tw.Window != win.Name {
			continue
		}
		t.Engagement = tw.HasEngagements
		t.SoloLong = tw.SoloLong
		t.HasLoad, t.Responders, t.TopShare, t.Gini, t.BusFactor = tw.HasLoad, tw.Responders, tw.TopRatio, tw.Gini, tw.BusFactor
		t.HasMTTA, t.MTTA = tw.HasMTTA, tw.MTTA
		t.HasMTTR, t.MTTR, t.ResolveP50, t.ResolveP90 = tw.HasMTTR, tw.MTTR, tw.ResolveP50, tw.ResolveP90
	}
	for i := range snap.Responders {
		rw := &snap.Responders[i]
		t := byName[rw.Team]
		if t == nil || rw.Window != win.Name {
			continue
		}
		t.Pages = t.Pages || rw.HasPages
		t.OnCall = t.OnCall || rw.HasOnCall
		p := Person{
			Label: rw.Person, Incidents: rw.Incidents, Share: rw.LoadRatio, OffRotation: rw.OffRotation,
			Pages: PageBands{
				Business: rw.Interruptions[incident.PeriodBusiness],
				OffHours: rw.Interruptions[incident.PeriodOffHours],
				Sleep:    rw.Interruptions[incident.PeriodSleep],
			},
			Engaged: TimeBands{
				Business: rw.EngagedSeconds[incident.PeriodBusiness],
				OffHours: rw.EngagedSeconds[incident.PeriodOffHours],
				Sleep:    rw.EngagedSeconds[incident.PeriodSleep],
			},
		}
		t.TeamPages.Business += p.Pages.Business
		t.TeamPages.OffHours += p.Pages.OffHours
		t.TeamPages.Sleep += p.Pages.Sleep
		t.TeamEngaged.Business += p.Engaged.Business
		t.TeamEngaged.OffHours += p.Engaged.OffHours
		t.TeamEngaged.Sleep += p.Engaged.Sleep
		if rw.HasOnCall && rw.OffRotation > 0 {
			t.OffRotation = append(t.OffRotation, PersonCount{Person: rw.Person, Count: rw.OffRotation})
		}
		t.people = append(t.people, p)
	}
	return out
}

// finishTeam sorts and bounds a team's rows and writes its headline.
func finishTeam(acc *teamAcc, snap *incident.Snapshot, win incident.Window, opts Options) Team {
	t, people := acc.Team, acc.people
	slices.SortStableFunc(t.Recurring, func(a, b ServiceCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Service, b.Service))
	})
	// The busiest first: the chart shows where the load sits. Ties by label, so the
	// order is stable.
	slices.SortStableFunc(people, func(a, b Person) int {
		return cmp.Or(cmp.Compare(b.Incidents, a.Incidents),
			cmp.Compare(b.Pages.Sleep+b.Pages.OffHours, a.Pages.Sleep+a.Pages.OffHours),
			cmp.Compare(a.Label, b.Label))
	})
	slices.SortStableFunc(t.OffRotation, func(a, b PersonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Person, b.Person))
	})
	if opts.MaxPeople > 0 && len(people) > opts.MaxPeople {
		o := &Others{}
		for _, p := range people[opts.MaxPeople:] {
			o.People++
			o.Incidents += p.Incidents
			o.Share += p.Share
			o.Pages.Business += p.Pages.Business
			o.Pages.OffHours += p.Pages.OffHours
			o.Pages.Sleep += p.Pages.Sleep
		}
		t.Others = o
		people = people[:opts.MaxPeople]
	}
	if people != nil {
		t.People = people
	}
	for _, p := range t.People {
		t.MaxPages = max(t.MaxPages, p.Pages.OffHours, p.Pages.Sleep)
	}
	t.Progress = teamProgress(snap, t.Name, win)
	t.Headline = headline(&t, win.Name)
	return t
}

func buildLog(s logscan.Stats, snap *incident.Snapshot, win incident.Window, top int) Log {
	l := Log{Name: s.Log, Exceptions: s.Exceptions, NewFingerprints: s.NewFingerprints, Tracked: s.FingerprintsTracked,
		Other: s.Other, Top: []Exception{}}
	fps := slices.Clone(s.Fingerprints)
	slices.SortStableFunc(fps, func(a, b logscan.FingerprintStat) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	for i, f := range fps {
		if i == top {
			break
		}
		l.Top = append(l.Top, Exception{Fingerprint: f.Fingerprint, Type: f.Type, Location: f.Location, Message: f.Message, Count: f.Count})
	}
	l.Progress = logProgress(s, win)
	return l
}

// headline writes the sentences at the top of a team's section. They describe the
// load and the system (how concentrated, how many broken nights, what got better),
// never a person's merit, and name nobody: the charts below show who carries what.
func headline(t *Team, window string) []string {
	var out []string
	switch {
	case !t.Engagement:
		out = append(out, fmt.Sprintf("%s in the last %s; the team's sources do not say who responded, so load cannot be shown.",
			plural(t.Incidents, "incident"), window))
	case !t.HasLoad:
		out = append(out, fmt.Sprintf("%s in the last %s, none with a recorded responder.", plural(t.Incidents, "incident"), window))
	case t.Responders == 1:
		out = append(out, fmt.Sprintf("Load is concentrated: one person responded to all of the team's %s in the last %s (bus factor 1).",
			plural(t.Incidents, "incident"), window))
	case t.BusFactor == 1:
		out = append(out, fmt.Sprintf("Load is concentrated: one person carries %s of the team's incident load in the last %s (bus factor 1, Gini %.2f); the rotation is not spreading it.",
			percent(t.TopShare), window, t.Gini))
	default:
		out = append(out, fmt.Sprintf("Load is shared: it takes %d people to cover half of the incident load in the last %s; the largest share is %s (Gini %.2f).",
			t.BusFactor, window, percent(t.TopShare), t.Gini))
	}
	if t.Pages {
		woken := 0
		for _, p := range t.People {
			if p.Pages.Sleep > 0 {
				woken++
			}
		}
		if t.Others != nil && t.Others.Pages.Sleep > 0 {
			woken++ // at least one more
		}
		if t.TeamPages.Sleep == 0 {
			out = append(out, fmt.Sprintf("No page reached anyone in their sleep hours; %s off hours.", plural(t.TeamPages.OffHours, "page")))
		} else {
			out = append(out, fmt.Sprintf("%s reached %s in their sleep hours, %s off hours.",
				capitalize(plural(t.TeamPages.Sleep, "page")), plural(woken, "person"), plural(t.TeamPages.OffHours, "page")))
		}
	}
	out = append(out, t.Progress.Summary())
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if noun == "person" {
		return fmt.Sprintf("%d people", n)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// percent formats a ratio 0..1 as a whole percentage.
func percent(r float64) string { return fmt.Sprintf("%.0f %%", r*100) }

// Duration formats seconds for people: "45s", "4m 39s", "1h 24m", "2d 3h".
func Duration(secs float64) string {
	d := time.Duration(secs * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// Hours formats seconds as hours with one decimal.
func Hours(secs float64) string { return fmt.Sprintf("%.1f h", secs/3600) }
