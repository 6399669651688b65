package opsgenie

import (
	"errors"
	"fmt"
	"time"
)

// The subset of Opsgenie REST API v2 objects the source reads. Every response checks
// its own shape after decoding (httpapi.Validator): a field the mapping relies on that
// is missing or of the wrong type fails the sync, naming the endpoint.

// paging is the body's paging object; the same links also come as X-Paging-* headers.
type paging struct {
	Next  string `json:"next"`
	First string `json:"first"`
}

// envelope is what every Opsgenie response carries (BaseResponse).
type envelope struct {
	RequestID *string  `json:"requestId"`
	Took      *float64 `json:"took"`
}

func (e envelope) validate() error {
	if e.RequestID == nil || e.Took == nil {
		return errors.New("missing field requestId or took")
	}
	return nil
}

type responder struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type report struct {
	AckTime        *int64 `json:"ackTime"`   // ms from createdAt to the first acknowledgement
	CloseTime      *int64 `json:"closeTime"` // ms from createdAt to the close
	AcknowledgedBy string `json:"acknowledgedBy"`
	ClosedBy       string `json:"closedBy"`
}

type integrationRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type alert struct {
	ID           string          `json:"id"`
	TinyID       string          `json:"tinyId"`
	Alias        string          `json:"alias"`
	Message      string          `json:"message"`
	Status       string          `json:"status"`
	Acknowledged bool            `json:"acknowledged"`
	CreatedAt    *time.Time      `json:"createdAt"`
	UpdatedAt    *time.Time      `json:"updatedAt"`
	Source       string          `json:"source"`
	Owner        string          `json:"owner"`
	Priority     string          `json:"priority"`
	Responders   []responder     `json:"responders"`
	Integration  *integrationRef `json:"integration"`
	Report       *report         `json:"report"`
}

func (a *alert) validate() error {
	switch {
	case a.ID == "":
		return errors.New("missing field id")
	case a.CreatedAt == nil:
		return fmt.Errorf("alert %s: missing field createdAt", a.ID)
	case a.Status != "open" && a.Status != "closed":
		return fmt.Errorf("alert %s: unknown status %q", a.ID, a.Status)
	}
	return nil
}

type alertsPage struct {
	envelope
	Data   *[]alert `json:"data"`
	Paging *paging  `json:"paging"`
}

func (p *alertsPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i := range *p.Data {
		if err := (*p.Data)[i].validate(); err != nil {
			return fmt.Errorf("data[%d]: %w", i, err)
		}
	}
	return nil
}

type alertBody struct {
	envelope
	Data *alert `json:"data"`
}

func (b *alertBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil {
		return errors.New("missing field data")
	}
	return b.Data.validate()
}

type alertLog struct {
	Log       string     `json:"log"`
	Type      string     `json:"type"`
	Owner     string     `json:"owner"`
	CreatedAt *time.Time `json:"createdAt"`
	Offset    string     `json:"offset"`
}

type logsPage struct {
	envelope
	Data   *[]alertLog `json:"data"`
	Paging *paging     `json:"paging"`
}

func (p *logsPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, l := range *p.Data {
		if l.CreatedAt == nil || l.Offset == "" {
			return fmt.Errorf("data[%d]: missing field createdAt or offset", i)
		}
	}
	return nil
}

type alertNote struct {
	Note      string     `json:"note"`
	Owner     string     `json:"owner"`
	CreatedAt *time.Time `json:"createdAt"`
	Offset    string     `json:"offset"`
}

type notesPage struct {
	envelope
	Data   *[]alertNote `json:"data"`
	Paging *paging      `json:"paging"`
}

func (p *notesPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, n := range *p.Data {
		if n.CreatedAt == nil || n.Offset == "" {
			return fmt.Errorf("data[%d]: missing field createdAt or offset", i)
		}
	}
	return nil
}

type userMeta struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type recipient struct {
	User      *userMeta  `json:"user"`
	State     string     `json:"state"`
	Method    string     `json:"method"`
	CreatedAt *time.Time `json:"createdAt"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

type recipientsBody struct {
	envelope
	Data *[]recipient `json:"data"`
}

func (b *recipientsBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil {
		return errors.New("missing field data")
	}
	return nil
}

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"` // the login, an email address
	FullName string `json:"fullName"`
	TimeZone string `json:"timeZone"`
}

type usersPage struct {
	envelope
	Data       *[]user `json:"data"`
	TotalCount *int64  `json:"totalCount"`
	Paging     *paging `json:"paging"`
}

func (p *usersPage) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	if p.Data == nil {
		return errors.New("missing field data")
	}
	for i, u := range *p.Data {
		if u.ID == "" || u.Username == "" {
			return fmt.Errorf("data[%d]: missing field id or username", i)
		}
	}
	return nil
}

type teamMember struct {
	User *userMeta `json:"user"`
	Role string    `json:"role"`
}

type team struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Members []teamMember `json:"members"`
}

type teamsBody struct {
	envelope
	Data *[]team `json:"data"`
}

func (b *teamsBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil {
		return errors.New("missing field data")
	}
	for i, t := range *b.Data {
		if t.ID == "" || t.Name == "" {
			return fmt.Errorf("data[%d]: missing field id or name", i)
		}
	}
	return nil
}

type teamBody struct {
	envelope
	Data *team `json:"data"`
}

func (b *teamBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil || b.Data.ID == "" {
		return errors.New("missing field data.id")
	}
	for i, m := range b.Data.Members {
		if m.User == nil || m.User.ID == "" {
			return fmt.Errorf("data.members[%d]: missing field user.id", i)
		}
	}
	return nil
}

type teamMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type schedule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	Enabled   bool      `json:"enabled"`
	OwnerTeam *teamMeta `json:"ownerTeam"`
}

type schedulesBody struct {
	envelope
	Data *[]schedule `json:"data"`
}

func (b *schedulesBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil {
		return errors.New("missing field data")
	}
	for i, s := range *b.Data {
		if s.ID == "" {
			return fmt.Errorf("data[%d]: missing field id", i)
		}
	}
	return nil
}

type timelineRecipient struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type timelinePeriod struct {
	StartDate *time.Time         `json:"startDate"`
	EndDate   *time.Time         `json:"endDate"`
	Type      string             `json:"type"`
	Recipient *timelineRecipient `json:"recipient"`
}

type timelineRotation struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Periods []timelinePeriod `json:"periods"`
}

type timeline struct {
	Rotations []timelineRotation `json:"rotations"`
}

type timelineBody struct {
	envelope
	Data *struct {
		StartDate     *time.Time `json:"startDate"`
		EndDate       *time.Time `json:"endDate"`
		FinalTimeline *timeline  `json:"finalTimeline"`
	} `json:"data"`
}

func (b *timelineBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil || b.Data.FinalTimeline == nil {
		return errors.New("missing field data.finalTimeline")
	}
	for i, r := range b.Data.FinalTimeline.Rotations {
		for j, p := range r.Periods {
			if p.StartDate == nil || p.EndDate == nil {
				return fmt.Errorf("finalTimeline.rotations[%d].periods[%d]: missing field startDate or endDate", i, j)
			}
		}
	}
	return nil
}

type escalationRule struct {
	Recipient *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"recipient"`
}

type ogEscalation struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	OwnerTeam *teamMeta        `json:"ownerTeam"`
	Rules     []escalationRule `json:"rules"`
}

type escalationsBody struct {
	envelope
	Data *[]ogEscalation `json:"data"`
}

func (b *escalationsBody) Validate() error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.Data == nil {
		return errors.New("missing field data")
	}
	for i, e := range *b.Data {
		if e.ID == "" {
			return fmt.Errorf("data[%d]: missing field id", i)
		}
	}
	return nil
}
