package incidentio

import (
	"errors"
	"fmt"
	"time"
)

// The subset of incident.io API v2 objects the source reads. Every response checks its
// own shape after decoding (httpapi.Validator): a field the mapping relies on that is
// missing or of the wrong type fails the sync, naming the endpoint.

type paginationMeta struct {
	After    string `json:"after"`
	PageSize *int64 `json:"page_size"`
}

type userRef struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type actor struct {
	User *userRef `json:"user"`
}

type status struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

type severityRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Rank int64  `json:"rank"`
}

type roleAssignment struct {
	Assignee *userRef `json:"assignee"`
	Role     struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		RoleType string `json:"role_type"`
	} `json:"role"`
}

type timestampValue struct {
	IncidentTimestamp struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"incident_timestamp"`
	Value *struct {
		Value *time.Time `json:"value"`
	} `json:"value"`
}

type customFieldValue struct {
	ValueCatalogEntry *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"value_catalog_entry"`
	ValueOption *struct {
		Value string `json:"value"`
	} `json:"value_option"`
	ValueText string `json:"value_text"`
}

type customFieldEntry struct {
	CustomField struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"custom_field"`
	Values []customFieldValue `json:"values"`
}

type ioIncident struct {
	ID                      string             `json:"id"`
	Reference               string             `json:"reference"`
	Name                    string             `json:"name"`
	Mode                    string             `json:"mode"`
	CreatedAt               *time.Time         `json:"created_at"`
	UpdatedAt               *time.Time         `json:"updated_at"`
	IncidentStatus          *status            `json:"incident_status"`
	Severity                *severityRef       `json:"severity"`
	IncidentRoleAssignments []roleAssignment   `json:"incident_role_assignments"`
	IncidentTimestampValues []timestampValue   `json:"incident_timestamp_values"`
	CustomFieldEntries      []customFieldEntry `json:"custom_field_entries"`
}

func (in *ioIncident) validate() error {
	switch {
	case in.ID == "":
		return errors.New("missing field id")
	case in.CreatedAt == nil:
		return fmt.Errorf("incident %s: missing field created_at", in.ID)
	case in.IncidentStatus == nil || in.IncidentStatus.Category == "":
		return fmt.Errorf("incident %s: missing field incident_status.category", in.ID)
	}
	return nil
}

type incidentsPage struct {
	Incidents      *[]ioIncident   `json:"incidents"`
	PaginationMeta *paginationMeta `json:"pagination_meta"`
}

func (p *incidentsPage) Validate() error {
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

func (p *incidentsPage) next() (string, int) { return after(p.PaginationMeta), len(*p.Incidents) }

type incidentBody struct {
	Incident *ioIncident `json:"incident"`
}

func (b *incidentBody) Validate() error {
	if b.Incident == nil {
		return errors.New("missing field incident")
	}
	return b.Incident.validate()
}

type escalationEvent struct {
	ID         string     `json:"id"`
	Event      string     `json:"event"`
	OccurredAt *time.Time `json:"occurred_at"`
	Users      []userRef  `json:"users"`
}

type alertSlim struct {
	ID               string     `json:"id"`
	DeduplicationKey string     `json:"deduplication_key"`
	CreatedAt        *time.Time `json:"created_at"`
}

type incidentSlim struct {
	ID string `json:"id"`
}

type escalation struct {
	ID               string            `json:"id"`
	CreatedAt        *time.Time        `json:"created_at"`
	UpdatedAt        *time.Time        `json:"updated_at"`
	Status           string            `json:"status"`
	EscalationPathID string            `json:"escalation_path_id"`
	Events           []escalationEvent `json:"events"`
	RelatedIncidents []incidentSlim    `json:"related_incidents"`
	RelatedAlerts    []alertSlim       `json:"related_alerts"`
}

type escalationsPage struct {
	Escalations    *[]escalation   `json:"escalations"`
	PaginationMeta *paginationMeta `json:"pagination_meta"`
}

func (p *escalationsPage) Validate() error {
	if p.Escalations == nil {
		return errors.New("missing field escalations")
	}
	for i, e := range *p.Escalations {
		if e.ID == "" || e.CreatedAt == nil {
			return fmt.Errorf("escalations[%d]: missing field id or created_at", i)
		}
		for j, ev := range e.Events {
			if ev.ID == "" || ev.Event == "" || ev.OccurredAt == nil {
				return fmt.Errorf("escalations[%d].events[%d]: missing field id, event or occurred_at", i, j)
			}
		}
	}
	return nil
}

func (p *escalationsPage) next() (string, int) { return after(p.PaginationMeta), len(*p.Escalations) }

type incidentUpdate struct {
	ID                string     `json:"id"`
	IncidentID        string     `json:"incident_id"`
	CreatedAt         *time.Time `json:"created_at"`
	NewIncidentStatus *status    `json:"new_incident_status"`
	Updater           *actor     `json:"updater"`
}

type updatesPage struct {
	IncidentUpdates *[]incidentUpdate `json:"incident_updates"`
	PaginationMeta  *paginationMeta   `json:"pagination_meta"`
}

func (p *updatesPage) Validate() error {
	if p.IncidentUpdates == nil {
		return errors.New("missing field incident_updates")
	}
	for i, u := range *p.IncidentUpdates {
		if u.ID == "" || u.CreatedAt == nil || u.NewIncidentStatus == nil {
			return fmt.Errorf("incident_updates[%d]: missing field id, created_at or new_incident_status", i)
		}
	}
	return nil
}

func (p *updatesPage) next() (string, int) { return after(p.PaginationMeta), len(*p.IncidentUpdates) }

type user struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type usersPage struct {
	Users          *[]user         `json:"users"`
	PaginationMeta *paginationMeta `json:"pagination_meta"`
}

func (p *usersPage) Validate() error {
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

func (p *usersPage) next() (string, int) { return after(p.PaginationMeta), len(*p.Users) }

type schedule struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

type schedulesPage struct {
	Schedules      *[]schedule     `json:"schedules"`
	PaginationMeta *paginationMeta `json:"pagination_meta"`
}

func (p *schedulesPage) Validate() error {
	if p.Schedules == nil {
		return errors.New("missing field schedules")
	}
	for i, s := range *p.Schedules {
		if s.ID == "" {
			return fmt.Errorf("schedules[%d]: missing field id", i)
		}
	}
	return nil
}

func (p *schedulesPage) next() (string, int) { return after(p.PaginationMeta), len(*p.Schedules) }

type pathTarget struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type pathNode struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Level *struct {
		Targets []pathTarget `json:"targets"`
	} `json:"level"`
	IfElse *struct {
		ThenPath []pathNode `json:"then_path"`
		ElsePath []pathNode `json:"else_path"`
	} `json:"if_else"`
}

type escalationPath struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Path    []pathNode `json:"path"`
	TeamIDs []string   `json:"team_ids"`
}

type pathsPage struct {
	EscalationPaths *[]escalationPath `json:"escalation_paths"`
	PaginationMeta  *paginationMeta   `json:"pagination_meta"`
}

func (p *pathsPage) Validate() error {
	if p.EscalationPaths == nil {
		return errors.New("missing field escalation_paths")
	}
	for i, e := range *p.EscalationPaths {
		if e.ID == "" {
			return fmt.Errorf("escalation_paths[%d]: missing field id", i)
		}
	}
	return nil
}

func (p *pathsPage) next() (string, int) { return after(p.PaginationMeta), len(*p.EscalationPaths) }

type scheduleEntry struct {
	EntryID    string     `json:"entry_id"`
	RotationID string     `json:"rotation_id"`
	StartAt    *time.Time `json:"start_at"`
	EndAt      *time.Time `json:"end_at"`
	User       *userRef   `json:"user"`
}

type entriesPage struct {
	ScheduleEntries *struct {
		Final *[]scheduleEntry `json:"final"`
	} `json:"schedule_entries"`
	PaginationMeta *paginationMeta `json:"pagination_meta"`
}

func (p *entriesPage) Validate() error {
	if p.ScheduleEntries == nil || p.ScheduleEntries.Final == nil {
		return errors.New("missing field schedule_entries.final")
	}
	for i, e := range *p.ScheduleEntries.Final {
		if e.StartAt == nil || e.EndAt == nil {
			return fmt.Errorf("schedule_entries.final[%d]: missing field start_at or end_at", i)
		}
	}
	return nil
}

func (p *entriesPage) next() (string, int) {
	return after(p.PaginationMeta), len(*p.ScheduleEntries.Final)
}

func after(m *paginationMeta) string {
	if m == nil {
		return ""
	}
	return m.After
}
