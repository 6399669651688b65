package grafanaoncall

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The subset of the Grafana OnCall public API (v1) objects the source reads. Every list
// response checks its own shape after decoding (httpapi.Validator): a field the mapping
// relies on that is missing or of the wrong type fails the sync, naming the endpoint.

// checker is a list item that checks its own required fields.
type checker interface {
	check() error
}

// listPage is OnCall's paginated list: {count, next, previous, results, ...}.
type listPage[T checker] struct {
	Count   *int    `json:"count"`
	Next    *string `json:"next"`
	Results *[]T    `json:"results"`
}

// Validate implements httpapi.Validator.
func (p *listPage[T]) Validate() error {
	if p.Count == nil {
		return errors.New("missing field count")
	}
	if p.Results == nil {
		return errors.New("missing field results")
	}
	for i, x := range *p.Results {
		if err := x.check(); err != nil {
			return fmt.Errorf("results[%d]: %w", i, err)
		}
	}
	return nil
}

type alertGroup struct {
	ID             string     `json:"id"`
	IntegrationID  *string    `json:"integration_id"`
	RouteID        *string    `json:"route_id"`
	State          string     `json:"state"`
	CreatedAt      *time.Time `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy *string    `json:"acknowledged_by"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ResolvedBy     *string    `json:"resolved_by"`
	Title          *string    `json:"title"`
	// Labels are sent by OnCall versions with alert group labels (not in the reference
	// page's example): [{"key": {"id", "name"}, "value": {"id", "name"}}].
	Labels []label `json:"labels"`
}

type label struct {
	Key   struct{ Name string } `json:"key"`
	Value struct{ Name string } `json:"value"`
}

// label returns the value of the alert group label named name ("" when absent).
func (g *alertGroup) label(name string) string {
	for _, l := range g.Labels {
		if strings.EqualFold(l.Key.Name, name) {
			return l.Value.Name
		}
	}
	return ""
}

func (g alertGroup) check() error {
	if g.ID == "" {
		return errors.New("missing field id")
	}
	if g.CreatedAt == nil {
		return fmt.Errorf("alert group %s: missing field created_at", g.ID)
	}
	if g.State == "" {
		return fmt.Errorf("alert group %s: missing field state", g.ID)
	}
	return nil
}

// resolved: state "resolved" (OnCall's four states are new, acknowledged, resolved and
// silenced; an unknown state counts as resolved only when resolved_at is set).
func (g *alertGroup) resolved() bool {
	switch g.State {
	case "resolved":
		return true
	case "new", "acknowledged", "silenced":
		return false
	}
	return g.ResolvedAt != nil
}

type route struct {
	ID                string  `json:"id"`
	IntegrationID     string  `json:"integration_id"`
	EscalationChainID *string `json:"escalation_chain_id"`
}

func (r route) check() error {
	if r.ID == "" {
		return errors.New("missing field id")
	}
	return nil
}

type integration struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	TeamID       *string `json:"team_id"`
	DefaultRoute *route  `json:"default_route"`
}

func (i integration) check() error {
	if i.ID == "" {
		return errors.New("missing field id")
	}
	return nil
}

type escalationPolicy struct {
	ID                string  `json:"id"`
	EscalationChainID string  `json:"escalation_chain_id"`
	Type              string  `json:"type"`
	Schedule          *string `json:"notify_on_call_from_schedule"`
}

func (e escalationPolicy) check() error {
	if e.ID == "" || e.EscalationChainID == "" {
		return errors.New("missing field id or escalation_chain_id")
	}
	return nil
}

type team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (t team) check() error {
	if t.ID == "" || t.Name == "" {
		return errors.New("missing field id or name")
	}
	return nil
}

type user struct {
	ID       string   `json:"id"`
	Email    string   `json:"email"`
	Username string   `json:"username"`
	Timezone *string  `json:"timezone"`
	Teams    []string `json:"teams"`
}

func (u user) check() error {
	if u.ID == "" {
		return errors.New("missing field id")
	}
	return nil
}

type schedule struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	TeamID *string `json:"team_id"`
}

func (s schedule) check() error {
	if s.ID == "" {
		return errors.New("missing field id")
	}
	return nil
}

type finalShift struct {
	UserPK     string     `json:"user_pk"`
	UserEmail  string     `json:"user_email"`
	ShiftStart *time.Time `json:"shift_start"`
	ShiftEnd   *time.Time `json:"shift_end"`
}

func (s finalShift) check() error {
	if s.UserPK == "" {
		return errors.New("missing field user_pk")
	}
	if s.ShiftStart == nil || s.ShiftEnd == nil {
		return fmt.Errorf("shift of %s: missing field shift_start or shift_end", s.UserPK)
	}
	return nil
}

type resolutionNote struct {
	ID           string     `json:"id"`
	AlertGroupID string     `json:"alert_group_id"`
	Author       *string    `json:"author"`
	CreatedAt    *time.Time `json:"created_at"`
}

func (n resolutionNote) check() error {
	if n.ID == "" || n.AlertGroupID == "" {
		return errors.New("missing field id or alert_group_id")
	}
	if n.CreatedAt == nil {
		return fmt.Errorf("resolution note %s: missing field created_at", n.ID)
	}
	return nil
}
