package firehydrant

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The subset of FireHydrant API v1 objects the source reads. Every list response
// checks its own shape after decoding (httpapi.Validator): a field the mapping relies on
// that is missing or of the wrong type fails the sync, naming the endpoint.

type pagination struct {
	Count *int `json:"count"`
	Page  *int `json:"page"`
	Next  *int `json:"next"`
}

// paged is a decoded page of a list endpoint.
type paged interface {
	Validate() error
	pager() *pagination
}

type author struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source"`
	Email  string `json:"email"`
}

// person reports whether the author is a person rather than a bot or an integration.
// FireHydrant's actor types are firehydrant_user, firehydrant_bot and integration
// names (slack, pager_duty …); an author from Slack with an email is a person acting
// through Slack.
func (a *author) person() bool {
	if a == nil || a.ID == "" {
		return false
	}
	switch a.Source {
	case "", "firehydrant_user", "user":
		return true
	case "firehydrant_bot", "bot", "signals", "patchy":
		return false
	}
	return a.Email != ""
}

type user struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type usersPage struct {
	Data       *[]user     `json:"data"`
	Pagination *pagination `json:"pagination"`
}

func (p *usersPage) pager() *pagination { return p.Pagination }
func (p *usersPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, u := range *p.Data {
		if u.ID == "" {
			return fmt.Errorf("data[%d]: missing field id", i)
		}
	}
	return nil
}

type team struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Memberships []struct {
		User *user `json:"user"`
	} `json:"memberships"`
}

type teamsPage struct {
	Data       *[]team     `json:"data"`
	Pagination *pagination `json:"pagination"`
}

func (p *teamsPage) pager() *pagination { return p.Pagination }
func (p *teamsPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, t := range *p.Data {
		if t.ID == "" || t.Name == "" {
			return fmt.Errorf("data[%d]: missing field id or name", i)
		}
	}
	return nil
}

// milestone is a lifecycle milestone (slug, updated_by) or, from the older milestone
// API, a milestone whose type is its slug.
type milestone struct {
	ID         string     `json:"id"`
	Slug       string     `json:"slug"`
	Type       string     `json:"type"`
	OccurredAt *time.Time `json:"occurred_at"`
	UpdatedBy  *author    `json:"updated_by"`
}

func (m *milestone) slug() string {
	if m.Slug != "" {
		return m.Slug
	}
	return m.Type
}

type roleAssignment struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	CreatedAt    *time.Time `json:"created_at"`
	User         *user      `json:"user"`
	IncidentRole *struct {
		Name string `json:"name"`
	} `json:"incident_role"`
}

type fhIncident struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	CreatedAt       *time.Time  `json:"created_at"`
	Severity        string      `json:"severity"`
	Milestones      []milestone `json:"milestones"`
	LifecyclePhases []struct {
		Milestones []milestone `json:"milestones"`
	} `json:"lifecycle_phases"`
	RoleAssignments []roleAssignment `json:"role_assignments"`
	TeamAssignments []struct {
		Status string `json:"status"`
		Team   *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"team"`
	} `json:"team_assignments"`
	Services []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"services"`
}

// milestonesOf are the incident's milestones that occurred: from its lifecycle phases,
// else from the deprecated milestones list.
func (in *fhIncident) milestonesOf() []milestone {
	var out []milestone
	for _, ph := range in.LifecyclePhases {
		for _, m := range ph.Milestones {
			if m.OccurredAt != nil {
				out = append(out, m)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, m := range in.Milestones {
		if m.OccurredAt != nil {
			out = append(out, m)
		}
	}
	return out
}

// incidentsPage keeps each incident's raw JSON too: its hash tells whether an incident
// listed again has changed since the last sync.
type incidentsPage struct {
	Data       *[]json.RawMessage `json:"data"`
	Pagination *pagination        `json:"pagination"`
	incidents  []*fhIncident
}

func (p *incidentsPage) pager() *pagination { return p.Pagination }
func (p *incidentsPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	p.incidents = make([]*fhIncident, 0, len(*p.Data))
	for i, raw := range *p.Data {
		var in fhIncident
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("data[%d]: %w", i, err)
		}
		switch {
		case in.ID == "":
			return fmt.Errorf("data[%d]: missing field id", i)
		case in.CreatedAt == nil:
			return fmt.Errorf("data[%d]: incident %s: missing field created_at", i, in.ID)
		}
		p.incidents = append(p.incidents, &in)
	}
	return nil
}

type milestonesPage struct {
	Data       *[]milestone `json:"data"`
	Pagination *pagination  `json:"pagination"`
}

func (p *milestonesPage) pager() *pagination { return p.Pagination }
func (p *milestonesPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, m := range *p.Data {
		if m.slug() == "" {
			return fmt.Errorf("data[%d]: missing field type", i)
		}
	}
	return nil
}

type event struct {
	ID         string     `json:"id"`
	IncidentID string     `json:"incident_id"`
	Type       string     `json:"type"`
	OccurredAt *time.Time `json:"occurred_at"`
	Author     *author    `json:"author"`
}

type eventsPage struct {
	Data       *[]event    `json:"data"`
	Pagination *pagination `json:"pagination"`
}

func (p *eventsPage) pager() *pagination { return p.Pagination }
func (p *eventsPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, e := range *p.Data {
		if e.ID == "" || e.Type == "" {
			return fmt.Errorf("data[%d]: missing field id or type", i)
		}
		if e.OccurredAt == nil {
			return fmt.Errorf("data[%d]: event %s: missing field occurred_at", i, e.ID)
		}
	}
	return nil
}

// changeEvent is one entry of /v1/changes/events (ChangeEventSlimEntity). FireHydrant
// has no kind of change: the mapping reads it from the labels (kind, change_type or
// type) or the summary.
type changeEvent struct {
	ID        string         `json:"id"`
	Summary   string         `json:"summary"`
	CreatedAt *time.Time     `json:"created_at"`
	StartsAt  *time.Time     `json:"starts_at"`
	Labels    map[string]any `json:"labels"`
	Services  []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"services"`
}

type changeEventsPage struct {
	Data       *[]changeEvent `json:"data"`
	Pagination *pagination    `json:"pagination"`
}

func (p *changeEventsPage) pager() *pagination { return p.Pagination }
func (p *changeEventsPage) Validate() error {
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, e := range *p.Data {
		if e.ID == "" || e.StartsAt == nil && e.CreatedAt == nil {
			return fmt.Errorf("data[%d]: missing field id, or both starts_at and created_at", i)
		}
	}
	return nil
}
