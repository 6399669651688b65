package rootly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The subset of Rootly's JSON:API documents the source reads. Every list response
// checks its own shape after decoding (httpapi.Validator): a field the mapping relies on
// that is missing or of the wrong type fails the sync, naming the endpoint.

// flexID is an id that the API sends as a string (JSON:API resource ids) or as a number
// (user_id, user_ids, alert event user.id). It is kept as its decimal string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id is neither a string nor a number")
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return fmt.Errorf("id %s is not an integer", n)
	}
	*f = flexID(n.String())
	return nil
}

// userRef is a person reference of an untyped object field such as resolved_by: either
// {"id": …} or a JSON:API wrapper {"data": {"id": …}}.
type userRef struct{ ID flexID }

func (u *userRef) UnmarshalJSON(b []byte) error {
	var v struct {
		ID   flexID `json:"id"`
		Data *struct {
			ID flexID `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	u.ID = v.ID
	if u.ID == "" && v.Data != nil {
		u.ID = v.Data.ID
	}
	return nil
}

type meta struct {
	NextPage   *int    `json:"next_page"`
	NextCursor *string `json:"next_cursor"`
	TotalCount *int    `json:"total_count"`
}

type relationship struct {
	Data json.RawMessage `json:"data"`
}

type refID struct {
	Type string
	ID   string
}

// refs returns the (type, id) pairs of a to-many (or to-one) relationship.
func (r relationship) refs() []refID {
	type item struct {
		ID   flexID `json:"id"`
		Type string `json:"type"`
	}
	var many []item
	if json.Unmarshal(r.Data, &many) == nil {
		out := make([]refID, 0, len(many))
		for _, m := range many {
			out = append(out, refID{m.Type, string(m.ID)})
		}
		return out
	}
	var one item
	if json.Unmarshal(r.Data, &one) == nil && one.ID != "" {
		return []refID{{one.Type, string(one.ID)}}
	}
	return nil
}

// resource is one JSON:API resource object with typed attributes.
type resource[A any] struct {
	ID            flexID                  `json:"id"`
	Type          string                  `json:"type"`
	Attributes    *A                      `json:"attributes"`
	Relationships map[string]relationship `json:"relationships"`
}

// included is a compound-document resource; its attributes are decoded per type.
type included struct {
	ID         flexID          `json:"id"`
	Type       string          `json:"type"`
	Attributes json.RawMessage `json:"attributes"`
}

// listDoc is a JSON:API collection document.
type listDoc[A any] struct {
	Data     *[]resource[A] `json:"data"`
	Meta     *meta          `json:"meta"`
	Included []included     `json:"included"`
}

// check validates the document's shape; each checks one resource's attributes.
func (d *listDoc[A]) check(needMeta bool, each func(id string, a *A) error) error {
	if d.Data == nil {
		return errors.New("missing field data")
	}
	if needMeta && d.Meta == nil {
		return errors.New("missing field meta")
	}
	for i, r := range *d.Data {
		if r.ID == "" {
			return fmt.Errorf("data[%d]: missing field id", i)
		}
		if r.Attributes == nil {
			return fmt.Errorf("data[%d]: missing field attributes", i)
		}
		if each != nil {
			if err := each(string(r.ID), r.Attributes); err != nil {
				return fmt.Errorf("data[%d]: %w", i, err)
			}
		}
	}
	return nil
}

func (d *listDoc[A]) next() *int {
	if d.Meta == nil {
		return nil
	}
	return d.Meta.NextPage
}

func (d *listDoc[A]) total() *int {
	if d.Meta == nil {
		return nil
	}
	return d.Meta.TotalCount
}

// ---- users, teams, escalation policies ----

type userAttrs struct {
	Email     string  `json:"email"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
	FullName  *string `json:"full_name"`
	TimeZone  *string `json:"time_zone"`
}

type usersDoc struct{ listDoc[userAttrs] }

func (d *usersDoc) Validate() error { return d.check(true, nil) }

type teamAttrs struct {
	Name    string   `json:"name"`
	UserIDs []flexID `json:"user_ids"`
}

type teamsDoc struct{ listDoc[teamAttrs] }

func (d *teamsDoc) Validate() error {
	return d.check(true, func(id string, a *teamAttrs) error {
		if a.Name == "" {
			return fmt.Errorf("team %s: missing field name", id)
		}
		return nil
	})
}

type policyAttrs struct {
	Name       string   `json:"name"`
	GroupIDs   []string `json:"group_ids"`
	ServiceIDs []string `json:"service_ids"`
}

type policiesDoc struct{ listDoc[policyAttrs] }

func (d *policiesDoc) Validate() error { return d.check(true, nil) }

// ---- incidents ----

// named is a JSON:API-wrapped resource embedded in an attribute (severity, groups,
// services): {"data": {"id": …, "attributes": {"name": …, "severity": …}}}.
type named struct {
	Data *struct {
		ID         flexID `json:"id"`
		Attributes struct {
			Name     string `json:"name"`
			Severity string `json:"severity"`
		} `json:"attributes"`
	} `json:"data"`
}

func (n *named) id() string {
	if n == nil || n.Data == nil {
		return ""
	}
	return string(n.Data.ID)
}

func (n *named) name() string {
	if n == nil || n.Data == nil {
		return ""
	}
	return n.Data.Attributes.Name
}

type incidentAttrs struct {
	Title          string     `json:"title"`
	Kind           string     `json:"kind"`
	Status         *string    `json:"status"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
	StartedAt      *time.Time `json:"started_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	MitigatedAt    *time.Time `json:"mitigated_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	CancelledAt    *time.Time `json:"cancelled_at"`
	Severity       *named     `json:"severity"`
	Groups         []named    `json:"groups"`
	Services       []named    `json:"services"`
	ResolvedBy     *userRef   `json:"resolved_by"`
}

type incidentsDoc struct{ listDoc[incidentAttrs] }

func (d *incidentsDoc) Validate() error {
	return d.check(true, func(id string, a *incidentAttrs) error {
		if a.CreatedAt == nil {
			return fmt.Errorf("incident %s: missing field created_at", id)
		}
		return nil
	})
}

// roleAssignmentAttrs are the attributes of an included role assignment
// (include=roles). The spec types included resources only as generic JSON:API
// resources; the source reads the assigned user and the assignment time.
type roleAssignmentAttrs struct {
	User      *userRef   `json:"user"`
	UserID    *flexID    `json:"user_id"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// alertAttrs are the attributes of an included alert (include=alerts).
type alertAttrs struct {
	DeduplicationKey *string    `json:"deduplication_key"`
	CreatedAt        *time.Time `json:"created_at"`
}

// ---- alert events ----

type alertEventAttrs struct {
	AlertID string  `json:"alert_id"`
	Kind    string  `json:"kind"`
	Action  string  `json:"action"`
	UserID  *flexID `json:"user_id"`
	User    *struct {
		ID flexID `json:"id"`
	} `json:"user"`
	Incident *struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		CreatedAt string `json:"created_at"`
	} `json:"incident"`
	IncidentIDs      []string   `json:"incident_ids"`
	EscalationTarget *userRef   `json:"escalation_target"`
	CreatedAt        *time.Time `json:"created_at"`
}

// person is the user the event is about or by: user, else user_id.
func (e *alertEventAttrs) person() string {
	if e.User != nil && e.User.ID != "" {
		return string(e.User.ID)
	}
	if e.UserID != nil {
		return string(*e.UserID)
	}
	return ""
}

// incidents are the ids of the incidents the event's alert is attached to.
func (e *alertEventAttrs) incidents() []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if e.Incident != nil {
		add(e.Incident.ID)
	}
	for _, id := range e.IncidentIDs {
		add(id)
	}
	return out
}

type alertEventsDoc struct{ listDoc[alertEventAttrs] }

func (d *alertEventsDoc) Validate() error {
	if d.Meta == nil {
		return errors.New("missing field meta")
	}
	return d.check(true, func(id string, a *alertEventAttrs) error {
		switch {
		case a.CreatedAt == nil:
			return fmt.Errorf("alert event %s: missing field created_at", id)
		case a.Action == "":
			return fmt.Errorf("alert event %s: missing field action", id)
		}
		return nil
	})
}

// ---- on-call ----

type oncallAttrs struct {
	EscalationPolicyID string     `json:"escalation_policy_id"`
	EscalationLevel    *int       `json:"escalation_level"`
	ScheduleID         *string    `json:"schedule_id"`
	UserID             flexID     `json:"user_id"`
	StartsAt           *time.Time `json:"starts_at"`
	EndsAt             *time.Time `json:"ends_at"`
}

type oncallsDoc struct{ listDoc[oncallAttrs] }

func (d *oncallsDoc) Validate() error {
	return d.check(false, func(id string, a *oncallAttrs) error {
		if a.EscalationPolicyID == "" || a.UserID == "" || a.StartsAt == nil || a.EndsAt == nil {
			return fmt.Errorf("on-call %s: missing field escalation_policy_id, user_id, starts_at or ends_at", id)
		}
		return nil
	})
}

// ---- pulses (changes) ----

// pulseAttrs are a pulse's attributes. Rootly has no kind of change: the mapping reads
// it from the labels (kind, change_type or type) or the summary and source.
type pulseAttrs struct {
	Source    *string        `json:"source"`
	Summary   string         `json:"summary"`
	Services  []pulseService `json:"services"`
	Labels    []keyValue     `json:"labels"`
	CreatedAt *time.Time     `json:"created_at"`
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// pulseService is a service of a pulse: the spec renders it as the service's
// attributes ({"name": …}); a JSON:API resource ({"data": {"id", "attributes"}}) is read
// as well.
type pulseService struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
	Data *struct {
		ID         flexID `json:"id"`
		Attributes struct {
			Name string `json:"name"`
		} `json:"attributes"`
	} `json:"data"`
}

func (s pulseService) name() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Data != nil && s.Data.Attributes.Name != "":
		return s.Data.Attributes.Name
	case s.Data != nil:
		return string(s.Data.ID)
	}
	return string(s.ID)
}

type pulsesDoc struct{ listDoc[pulseAttrs] }

func (d *pulsesDoc) Validate() error {
	return d.check(true, func(id string, a *pulseAttrs) error {
		if a.CreatedAt == nil {
			return fmt.Errorf("pulse %s: missing field created_at", id)
		}
		return nil
	})
}
