package incident

import "time"

// Snapshot is the immutable result of one analytics run. Collectors read it; nothing
// writes to it after Compute returns. Rows are sorted by their labels so output is stable.
type Snapshot struct {
	At      time.Time
	Windows []Window

	Incidents    []IncidentCount   // hero_incidents
	Open         []OpenCount       // hero_incidents_open
	OpenSolo     []SourceTeamCount // hero_incidents_open_solo
	CreatedTotal []CreatedCount    // hero_incidents_created_total
	Recurrences  []RecurrenceCount
	Teams        []TeamWindow
	Responders   []ResponderWindow
	// Trends compare each window with the one before it (nil when not computed).
	Trends *Trends
}

// IncidentCount is the number of incidents created in a window.
type IncidentCount struct {
	Source, Team, Service string
	Severity              Severity
	Window                string
	Count                 int
}

// OpenCount is the number of incidents open at snapshot time.
type OpenCount struct {
	Source, Team, Service string
	Severity              Severity
	Count                 int
}

// SourceTeamCount is a count per source and team.
type SourceTeamCount struct {
	Source, Team string
	Count        int
}

// CreatedCount is the number of incidents ever stored.
type CreatedCount struct {
	Source, Team string
	Severity     Severity
	Count        int
}

// RecurrenceCount is the number of recurring incidents created in a window.
type RecurrenceCount struct {
	Team, Service, Window string
	Count                 int
}

// TeamWindow holds a team's figures for one window. Has* flags say whether a figure is
// defined; an undefined figure is absent from /metrics, never zero.
type TeamWindow struct {
	Team, Window string

	HasMTTA                      bool
	MTTA                         float64 // seconds
	HasMTTR                      bool
	MTTR, ResolveP50, ResolveP90 float64 // seconds
	HasEngagements               bool    // a source of the team's incidents has engagement data
	SoloLong                     int

	HasLoad    bool // at least one engaged incident and a source with engagements
	Responders int  // people with ≥1 engagement
	TopRatio   float64
	Gini       float64
	BusFactor  int
}

// ResponderWindow holds one person's figures for one team and window.
type ResponderWindow struct {
	Team, Person, Window string

	Incidents int // engaged incidents of the team created in the window
	// HasLoadRatio is false when the team had no engaged incident in the window (or its
	// sources supply no engagements): shares of nothing are absent, not 0.
	HasLoadRatio bool
	LoadRatio    float64 // Incidents / sum over the team

	HasPages      bool
	Interruptions [NumPeriods]int
	// InterruptedNights are the person's local nights (of the sleep band, identified by
	// the date they start on) with at least one sleep-band page, by the night's start.
	InterruptedNights int
	EngagedSeconds    [NumPeriods]float64

	HasOnCall   bool
	OffRotation int
	// OnCallSeconds is the time the person was on call (any shift, overlaps once) in the
	// window, by band in their zone.
	OnCallSeconds [NumPeriods]float64
}
