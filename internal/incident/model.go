// Package incident holds the tool-neutral incident model and the analytics that
// turn stored history into the window figures of the metric contract
// (docs/metrics.md). It knows nothing about vendors or Prometheus.
package incident

import "time"

// Severity is the normalised severity of an incident.
type Severity string

// The four normalised severities of the metric contract.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityLow      Severity = "low"
	SeverityUnknown  Severity = "unknown"
)

// ParseSeverity normalises s to one of the four contract values; anything it does not
// recognise is SeverityUnknown.
func ParseSeverity(s string) Severity {
	switch Severity(s) {
	case SeverityCritical, SeverityHigh, SeverityLow:
		return Severity(s)
	}
	return SeverityUnknown
}

// Period is a local-time band of a person.
type Period int

// The three periods, in the order the contract lists them.
const (
	PeriodBusiness Period = iota
	PeriodOffHours
	PeriodSleep
	NumPeriods
)

// String returns the label value of the period.
func (p Period) String() string {
	switch p {
	case PeriodBusiness:
		return "business"
	case PeriodOffHours:
		return "off_hours"
	case PeriodSleep:
		return "sleep"
	}
	return "unknown"
}

// Capabilities says which parts of the model a source can supply. A figure that needs a
// capability no contributing source has is absent from the snapshot, never zero.
type Capabilities struct {
	People      bool // people with identities (and maybe time zones)
	Pages       bool // notifications (or assignments standing in for them)
	Engagements bool // acknowledgements, notes, resolves by people
	OnCall      bool // on-call shifts, for off-rotation engagements
}

// Person is a responder as one source knows them. People from different sources with
// the same (case-insensitive) email are one person in the analytics.
type Person struct {
	Source   string
	ID       string // the source's own id
	Name     string
	Email    string
	TimeZone string // IANA name from the source; "" when the source has none
}

// Team is a team as a source names it, with the ids of its members (the roster).
type Team struct {
	Source  string
	Name    string
	Members []string // person ids of the same source
}

// Incident is one incident (or alert group, or alert) of a source.
type Incident struct {
	Source           string
	ID               string // the source's own id; (Source, ID) is unique
	Title            string
	Team             string // team name; "" means unassigned
	Service          string // "" means unknown
	Severity         Severity
	EscalationPolicy string // escalation policy or schedule id used for on-call checks
	RecurrenceKey    string // the source's dedup/alert key; "" derives one from service and title
	CreatedAt        time.Time
	AcknowledgedAt   time.Time // zero when never acknowledged
	ResolvedAt       time.Time // zero while open
}

// Channel of a page.
const (
	ChannelPush       = "push"
	ChannelPhone      = "phone"
	ChannelSMS        = "sms"
	ChannelEmail      = "email"      // never counts as an interruption
	ChannelAssignment = "assignment" // for sources without notification records
)

// Page is one notification to a person about an incident.
type Page struct {
	Source     string
	ID         string // unique within the source
	IncidentID string
	PersonID   string
	At         time.Time
	Channel    string
}

// Kinds of engagement.
const (
	EngageAcknowledge = "acknowledge"
	EngageAccept      = "accept" // accepted a responder request
	EngageResolve     = "resolve"
	EngageNote        = "note"
	EngageAction      = "action" // added as responder and acted
)

// Engagement is one act of a person on an incident.
type Engagement struct {
	Source     string
	ID         string // unique within the source
	IncidentID string
	PersonID   string
	Kind       string
	At         time.Time
}

// Shift is a span during which a person is on call (any level) for an escalation
// policy or schedule.
type Shift struct {
	Source           string
	ID               string // unique within the source
	PersonID         string
	EscalationPolicy string
	Level            int
	Start            time.Time
	End              time.Time // zero when open-ended
}

// Kinds of change.
const (
	ChangeDeploy   = "deploy"
	ChangeRollback = "rollback"
	ChangeConfig   = "config"
	ChangeOther    = "other"
)

// ParseChangeKind normalises kind to one of the four change kinds; anything it does
// not recognise (the empty string included) is ChangeOther.
func ParseChangeKind(kind string) string {
	switch kind {
	case ChangeDeploy, ChangeRollback, ChangeConfig:
		return kind
	}
	return ChangeOther
}

// Change is a deploy, rollback or configuration change on a service, from a
// source's change feed, the change push endpoint or the file source.
type Change struct {
	Source  string
	ID      string // the source's own id; (Source, ID) is unique
	Team    string // "" when the source names none: the analytics attribute it
	Service string // "" means unknown
	Kind    string // ChangeDeploy, ChangeRollback, ChangeConfig or ChangeOther
	Time    time.Time
}

// History is everything the analytics read: the stored records of all sources.
type History struct {
	Sources     map[string]Capabilities // by source name; every source that contributed
	People      []Person
	Teams       []Team
	Incidents   []Incident
	Pages       []Page
	Engagements []Engagement
	Shifts      []Shift
	Changes     []Change
	// CreatedTotals counts every stored incident (all history) for
	// hero_incidents_created_total; when nil the analytics count Incidents instead.
	CreatedTotals []CreatedCount
}
