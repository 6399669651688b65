package pagerduty

import (
	"errors"
	"fmt"
	"time"
)

// The subset of PagerDuty REST API v2 objects the source reads. Every list response
// checks its own shape after decoding (httpapi.Validator): a field the mapping relies on
// that is missing or of the wrong type fails the sync, naming the endpoint.

type ref struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
}

type page struct {
	Limit  *int  `json:"limit"`
	Offset *int  `json:"offset"`
	More   *bool `json:"more"`
	Total  *int  `json:"total"`
}

func (p page) validate() error {
	if p.More == nil {
		return errors.New("missing pagination field more")
	}
	if p.Offset == nil || p.Limit == nil {
		return errors.New("missing pagination field offset or limit")
	}
	return nil
}

// lister is a decoded page of a list endpoint.
type lister interface {
	pagination() page
	count() int
}

type user struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Email    string  `json:"email"`
	TimeZone *string `json:"time_zone"`
}

type usersPage struct {
	page
	Users *[]user `json:"users"`
}

func (p *usersPage) pagination() page { return p.page }
func (p *usersPage) count() int       { return len(*p.Users) }
func (p *usersPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Users == nil {
		return errors.New("missing field users")
	}
	for i, u := range *p.Users {
		if u.ID == "" {
			return fmt.Errorf("users[%d]: missing field id", i)
		}
	}
	return nil
}

type team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type teamsPage struct {
	page
	Teams *[]team `json:"teams"`
}

func (p *teamsPage) pagination() page { return p.page }
func (p *teamsPage) count() int       { return len(*p.Teams) }
func (p *teamsPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Teams == nil {
		return errors.New("missing field teams")
	}
	for i, t := range *p.Teams {
		if t.ID == "" || t.Name == "" {
			return fmt.Errorf("teams[%d]: missing field id or name", i)
		}
	}
	return nil
}

type member struct {
	User *ref   `json:"user"`
	Role string `json:"role"`
}

type membersPage struct {
	page
	Members *[]member `json:"members"`
}

func (p *membersPage) pagination() page { return p.page }
func (p *membersPage) count() int       { return len(*p.Members) }
func (p *membersPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Members == nil {
		return errors.New("missing field members")
	}
	for i, m := range *p.Members {
		if m.User == nil || m.User.ID == "" {
			return fmt.Errorf("members[%d]: missing field user.id", i)
		}
	}
	return nil
}

type service struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	EscalationPolicy *ref   `json:"escalation_policy"`
	Teams            []ref  `json:"teams"`
}

type servicesPage struct {
	page
	Services *[]service `json:"services"`
}

func (p *servicesPage) pagination() page { return p.page }
func (p *servicesPage) count() int       { return len(*p.Services) }
func (p *servicesPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Services == nil {
		return errors.New("missing field services")
	}
	for i, s := range *p.Services {
		if s.ID == "" {
			return fmt.Errorf("services[%d]: missing field id", i)
		}
	}
	return nil
}

type escalationPolicy struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Teams []ref  `json:"teams"`
}

type policiesPage struct {
	page
	EscalationPolicies *[]escalationPolicy `json:"escalation_policies"`
}

func (p *policiesPage) pagination() page { return p.page }
func (p *policiesPage) count() int       { return len(*p.EscalationPolicies) }
func (p *policiesPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.EscalationPolicies == nil {
		return errors.New("missing field escalation_policies")
	}
	for i, e := range *p.EscalationPolicies {
		if e.ID == "" {
			return fmt.Errorf("escalation_policies[%d]: missing field id", i)
		}
	}
	return nil
}

type acknowledgement struct {
	At           time.Time `json:"at"`
	Acknowledger *ref      `json:"acknowledger"`
}

type responder struct {
	State     string `json:"state"`
	User      *ref   `json:"user"`
	UpdatedAt string `json:"updated_at"`
}

type pdIncident struct {
	ID                  string            `json:"id"`
	Title               string            `json:"title"`
	Status              string            `json:"status"`
	Urgency             string            `json:"urgency"`
	IncidentKey         *string           `json:"incident_key"`
	CreatedAt           *time.Time        `json:"created_at"`
	ResolvedAt          *time.Time        `json:"resolved_at"`
	LastStatusChangeAt  *time.Time        `json:"last_status_change_at"`
	Service             *ref              `json:"service"`
	EscalationPolicy    *ref              `json:"escalation_policy"`
	Teams               []ref             `json:"teams"`
	Priority            *ref              `json:"priority"`
	Acknowledgements    []acknowledgement `json:"acknowledgements"`
	IncidentsResponders []responder       `json:"incidents_responders"`
}

func (in *pdIncident) validate() error {
	switch {
	case in.ID == "":
		return errors.New("missing field id")
	case in.CreatedAt == nil:
		return fmt.Errorf("incident %s: missing field created_at", in.ID)
	case in.Status == "":
		return fmt.Errorf("incident %s: missing field status", in.ID)
	case in.Status != "triggered" && in.Status != "acknowledged" && in.Status != "resolved":
		return fmt.Errorf("incident %s: unknown status %q", in.ID, in.Status)
	case in.Service == nil || in.Service.ID == "":
		return fmt.Errorf("incident %s: missing field service", in.ID)
	}
	return nil
}

type incidentsPage struct {
	page
	Incidents *[]pdIncident `json:"incidents"`
}

func (p *incidentsPage) pagination() page { return p.page }
func (p *incidentsPage) count() int       { return len(*p.Incidents) }
func (p *incidentsPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Incidents == nil {
		return errors.New("missing field incidents")
	}
	for i := range *p.Incidents {
		if err := (*p.Incidents)[i].validate(); err != nil {
			return fmt.Errorf("incidents[%d]: %w", i, err)
		}
	}
	return nil
}

type incidentBody struct {
	Incident *pdIncident `json:"incident"`
}

func (b *incidentBody) Validate() error {
	if b.Incident == nil {
		return errors.New("missing field incident")
	}
	return b.Incident.validate()
}

type notification struct {
	Type string `json:"type"`
}

type channel struct {
	Type         string        `json:"type"`
	Notification *notification `json:"notification"`
}

type logEntry struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Summary   string     `json:"summary"`
	CreatedAt *time.Time `json:"created_at"`
	Agent     *ref       `json:"agent"`
	User      *ref       `json:"user"`
	Channel   *channel   `json:"channel"`
	Incident  *ref       `json:"incident"`
	Assignees []ref      `json:"assignees"`
}

func (e *logEntry) validate() error {
	switch {
	case e.ID == "":
		return errors.New("missing field id")
	case e.Type == "":
		return fmt.Errorf("log entry %s: missing field type", e.ID)
	case e.CreatedAt == nil:
		return fmt.Errorf("log entry %s: missing field created_at", e.ID)
	case e.Incident == nil || e.Incident.ID == "":
		return fmt.Errorf("log entry %s: missing field incident", e.ID)
	case e.Type == "notify_log_entry" && (e.User == nil || e.User.ID == ""):
		return fmt.Errorf("log entry %s: notify_log_entry without user", e.ID)
	}
	return nil
}

type logEntriesPage struct {
	page
	LogEntries *[]logEntry `json:"log_entries"`
}

func (p *logEntriesPage) pagination() page { return p.page }
func (p *logEntriesPage) count() int       { return len(*p.LogEntries) }
func (p *logEntriesPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.LogEntries == nil {
		return errors.New("missing field log_entries")
	}
	for i := range *p.LogEntries {
		if err := (*p.LogEntries)[i].validate(); err != nil {
			return fmt.Errorf("log_entries[%d]: %w", i, err)
		}
	}
	return nil
}

type oncall struct {
	User             *ref       `json:"user"`
	EscalationPolicy *ref       `json:"escalation_policy"`
	Schedule         *ref       `json:"schedule"`
	EscalationLevel  *int       `json:"escalation_level"`
	Start            *time.Time `json:"start"`
	End              *time.Time `json:"end"`
}

type oncallsPage struct {
	page
	Oncalls *[]oncall `json:"oncalls"`
}

func (p *oncallsPage) pagination() page { return p.page }
func (p *oncallsPage) count() int       { return len(*p.Oncalls) }
func (p *oncallsPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Oncalls == nil {
		return errors.New("missing field oncalls")
	}
	for i, o := range *p.Oncalls {
		if o.User == nil || o.User.ID == "" || o.EscalationPolicy == nil || o.EscalationPolicy.ID == "" || o.EscalationLevel == nil {
			return fmt.Errorf("oncalls[%d]: missing field user, escalation_policy or escalation_level", i)
		}
	}
	return nil
}

// changeEvent is one entry of /change_events. PagerDuty has no kind of change: the
// mapping reads it from custom_details (kind, change_type or type) or the summary.
type changeEvent struct {
	ID            string         `json:"id"`
	Timestamp     *time.Time     `json:"timestamp"`
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Services      []ref          `json:"services"`
	CustomDetails map[string]any `json:"custom_details"`
}

// changeEventsPage: PagerDuty's own example renders limit, offset and more as null on
// this endpoint; a missing or null more ends the listing.
type changeEventsPage struct {
	page
	ChangeEvents *[]changeEvent `json:"change_events"`
}

func (p *changeEventsPage) pagination() page {
	pg := p.page
	if pg.More == nil {
		no := false
		pg.More = &no
	}
	return pg
}
func (p *changeEventsPage) count() int { return len(*p.ChangeEvents) }
func (p *changeEventsPage) Validate() error {
	if p.ChangeEvents == nil {
		return errors.New("missing field change_events")
	}
	for i, e := range *p.ChangeEvents {
		if e.ID == "" || e.Timestamp == nil {
			return fmt.Errorf("change_events[%d]: missing field id or timestamp", i)
		}
	}
	return nil
}
