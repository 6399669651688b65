package pagerduty

import (
	"context"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// reference reads users, teams with their members, services and escalation policies.
// It returns people and teams as a batch and fills the run's team and service maps.
func (r *run) reference(ctx context.Context) (source.Batch, error) {
	s := r.s
	var b source.Batch
	q := url.Values{}
	err := fetchAll(ctx, s.client, "/users", q, func(p *usersPage) {
		for _, u := range *p.Users {
			tz := s.cfg.DefaultTimezone // null time_zone: the account's zone
			if u.TimeZone != nil && *u.TimeZone != "" {
				tz = *u.TimeZone
			}
			b.People = append(b.People, incident.Person{
				Source: s.cfg.Name, ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: tz,
			})
		}
	})
	if err != nil {
		return b, err
	}
	var teams []team
	if err := fetchAll(ctx, s.client, "/teams", q, func(p *teamsPage) { teams = append(teams, *p.Teams...) }); err != nil {
		return b, err
	}
	r.teamNames = map[string]string{}
	for _, t := range teams {
		r.teamNames[t.ID] = t.Name
		members := []string{}
		err := fetchAll(ctx, s.client, "/teams/"+url.PathEscape(t.ID)+"/members", q, func(p *membersPage) {
			for _, m := range *p.Members {
				members = append(members, m.User.ID)
			}
		})
		if err != nil {
			return b, err
		}
		b.Teams = append(b.Teams, incident.Team{Source: s.cfg.Name, Name: t.Name, Members: members})
	}
	policyTeam := map[string]string{}
	err = fetchAll(ctx, s.client, "/escalation_policies", q, func(p *policiesPage) {
		for _, e := range *p.EscalationPolicies {
			if len(e.Teams) > 0 {
				policyTeam[e.ID] = r.teamName(e.Teams[0])
			}
		}
	})
	if err != nil {
		return b, err
	}
	r.serviceTeam, r.serviceName = map[string]string{}, map[string]string{}
	err = fetchAll(ctx, s.client, "/services", q, func(p *servicesPage) {
		for _, sv := range *p.Services {
			if sv.Name != "" {
				r.serviceName[sv.ID] = sv.Name
			}
			switch {
			case len(sv.Teams) > 0:
				r.serviceTeam[sv.ID] = r.teamName(sv.Teams[0])
			case sv.EscalationPolicy != nil && policyTeam[sv.EscalationPolicy.ID] != "":
				r.serviceTeam[sv.ID] = policyTeam[sv.EscalationPolicy.ID]
			}
		}
	})
	if len(r.serviceTeam) == 0 {
		r.serviceTeam = nil
	}
	if len(r.serviceName) == 0 {
		r.serviceName = nil
	}
	return b, err
}

// changes maps change events: one change per service an event names (id: the event's
// id, or "<event id>/<service id>" when it names several), one on an unknown service
// when it names none. The service is the reference's summary or the service's name;
// the team, the service's (as for incidents). PagerDuty has no kind of change: an
// explicit custom_details kind, change_type or type decides, else the summary and the
// source's name (see source.ChangeKind).
func (r *run) changes(events []changeEvent) []incident.Change {
	var out []incident.Change
	for _, e := range events {
		explicit := ""
		for _, k := range []string{"kind", "change_type", "type"} {
			if v, ok := e.CustomDetails[k].(string); ok && v != "" {
				explicit = v
				break
			}
		}
		kind := source.ChangeKind(explicit, e.Summary, e.Source)
		at := e.Timestamp.UTC()
		if len(e.Services) == 0 {
			out = append(out, incident.Change{Source: r.s.cfg.Name, ID: e.ID, Kind: kind, Time: at})
			continue
		}
		for _, sv := range e.Services {
			id := e.ID
			if len(e.Services) > 1 {
				id += "/" + sv.ID
			}
			name := sv.Summary
			if name == "" {
				name = r.serviceName[sv.ID]
			}
			if name == "" {
				name = sv.ID
			}
			out = append(out, incident.Change{Source: r.s.cfg.Name, ID: id, Team: r.serviceTeam[sv.ID], Service: name, Kind: kind, Time: at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (r *run) teamName(t ref) string {
	if n := r.teamNames[t.ID]; n != "" {
		return n
	}
	return t.Summary
}

// firstAcks is the first acknowledgement of each incident known to this run: from the
// cursor (acknowledged before the window), the window's acknowledge log entries, and
// the acknowledgements[] of incidents that are acknowledged now.
func (r *run) firstAcks() map[string]time.Time {
	acks := map[string]time.Time{}
	set := func(id string, t time.Time) {
		if t.IsZero() {
			return
		}
		if cur, ok := acks[id]; !ok || t.Before(cur) {
			acks[id] = t.UTC()
		}
	}
	for id, o := range r.cur.Open {
		set(id, o.Ack)
	}
	for _, e := range r.entries {
		if e.Type == "acknowledge_log_entry" {
			set(e.Incident.ID, *e.CreatedAt)
		}
	}
	for id, in := range r.incidents {
		for _, a := range in.Acknowledgements {
			set(id, a.At)
		}
	}
	return acks
}

// mapAll turns the run's incidents and log entries into model records.
func (r *run) mapAll() *source.Batch {
	name := r.s.cfg.Name
	b := &source.Batch{}
	acks := r.firstAcks()
	resolves := map[string]time.Time{}
	for _, e := range r.entries {
		if e.Type == "resolve_log_entry" {
			if t, ok := resolves[e.Incident.ID]; !ok || e.CreatedAt.Before(t) {
				resolves[e.Incident.ID] = e.CreatedAt.UTC()
			}
		}
	}
	ids := make([]string, 0, len(r.incidents))
	for id := range r.incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		in := r.incidents[id]
		b.Incidents = append(b.Incidents, r.mapIncident(in, acks[id], resolves[id]))
		// An accepted responder request ("joined") is an engagement of the responder.
		for _, rr := range in.IncidentsResponders {
			if rr.State != "joined" || rr.User == nil || rr.User.ID == "" {
				continue
			}
			at, err := time.Parse(time.RFC3339, rr.UpdatedAt)
			if err != nil {
				continue
			}
			b.Engagements = append(b.Engagements, incident.Engagement{
				Source: name, ID: "accept/" + in.ID + "/" + rr.User.ID, IncidentID: in.ID,
				PersonID: rr.User.ID, Kind: incident.EngageAccept, At: at.UTC(),
			})
		}
	}
	eids := make([]string, 0, len(r.entries))
	for id := range r.entries {
		eids = append(eids, id)
	}
	sort.Strings(eids)
	for _, id := range eids {
		e := r.entries[id]
		if r.incidents[e.Incident.ID] == nil {
			continue // the incident could not be read; its records wait for a later sync
		}
		at := e.CreatedAt.UTC()
		if e.Type == "notify_log_entry" {
			b.Pages = append(b.Pages, incident.Page{
				Source: name, ID: e.ID, IncidentID: e.Incident.ID, PersonID: e.User.ID, At: at, Channel: channelOf(e),
			})
			continue
		}
		kind := engagementKind(e.Type)
		if kind == "" || !isUser(e.Agent) {
			continue // not an act, or an act of an integration or of PagerDuty itself
		}
		b.Engagements = append(b.Engagements, incident.Engagement{
			Source: name, ID: e.ID, IncidentID: e.Incident.ID, PersonID: e.Agent.ID, Kind: kind, At: at,
		})
	}
	return b
}

func (r *run) mapIncident(in *pdIncident, firstAck, resolveEntry time.Time) incident.Incident {
	out := incident.Incident{
		Source:         r.s.cfg.Name,
		ID:             in.ID,
		Title:          in.Title,
		Severity:       severity(in),
		CreatedAt:      in.CreatedAt.UTC(),
		AcknowledgedAt: firstAck,
	}
	if in.IncidentKey != nil {
		out.RecurrenceKey = *in.IncidentKey
	}
	if in.Service != nil {
		out.Service = in.Service.Summary
	}
	if in.EscalationPolicy != nil {
		out.EscalationPolicy = in.EscalationPolicy.ID
	}
	if len(in.Teams) > 0 {
		out.Team = r.teamName(in.Teams[0])
	} else if in.Service != nil {
		out.Team = r.serviceTeam[in.Service.ID]
	}
	if in.Status == "resolved" {
		switch {
		case in.ResolvedAt != nil:
			out.ResolvedAt = in.ResolvedAt.UTC()
		case !resolveEntry.IsZero():
			out.ResolvedAt = resolveEntry
		case in.LastStatusChangeAt != nil:
			out.ResolvedAt = in.LastStatusChangeAt.UTC()
		default:
			out.ResolvedAt = out.CreatedAt
		}
	}
	if !out.AcknowledgedAt.IsZero() && out.AcknowledgedAt.Before(out.CreatedAt) {
		out.AcknowledgedAt = out.CreatedAt
	}
	return out
}

// engagementKind maps a log entry type to the kind of engagement it is when a person
// is its agent; "" when it is no engagement.
func engagementKind(typ string) string {
	switch typ {
	case "acknowledge_log_entry":
		return incident.EngageAcknowledge
	case "resolve_log_entry":
		return incident.EngageResolve
	case "annotate_log_entry":
		return incident.EngageNote
	case "assign_log_entry", "escalate_log_entry", "delegate_log_entry":
		// A person reassigned or escalated the incident by hand.
		return incident.EngageAction
	}
	return ""
}

func isUser(a *ref) bool {
	return a != nil && a.ID != "" && (a.Type == "user_reference" || a.Type == "user")
}

var summaryChannel = regexp.MustCompile(`(?i)\b(?:by|via)\s+(e-?mail|sms|text|phone|push)`)

// channelOf is the channel of a notify_log_entry: channel.notification.type
// (sms_notification, phone_notification, push_notification, email_notification), else
// channel.type, else the summary ("Notified … by email"). An unknown kind is kept as
// its own name; only "email" is excluded from interruptions.
func channelOf(e *logEntry) string {
	var t string
	if e.Channel != nil {
		if e.Channel.Notification != nil {
			t = e.Channel.Notification.Type
		}
		if t == "" || t == "auto" {
			t = e.Channel.Type
		}
	}
	if c := normaliseChannel(t); c != "" {
		return c
	}
	if m := summaryChannel.FindStringSubmatch(e.Summary); m != nil {
		return normaliseChannel(m[1])
	}
	if t != "" && t != "auto" {
		return strings.ToLower(t)
	}
	return "unknown"
}

func normaliseChannel(t string) string {
	switch strings.TrimSuffix(strings.ToLower(t), "_notification") {
	case "sms", "text":
		return incident.ChannelSMS
	case "phone", "voice", "call":
		return incident.ChannelPhone
	case "push":
		return incident.ChannelPush
	case "email", "e-mail":
		return incident.ChannelEmail
	}
	return ""
}

// severity maps an incident to the contract's severities. A priority wins when the
// account uses priorities: P1/SEV1 → critical, P2/SEV2 → high, P3 and lower → low;
// names "critical", "high", "medium", "low" map by name. Without a recognisable
// priority the urgency decides: high → high, low → low. Anything else is unknown.
func severity(in *pdIncident) incident.Severity {
	if in.Priority != nil {
		name := in.Priority.Summary
		if sev, ok := source.SeverityLevel(name); ok {
			return sev
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "critical":
			return incident.SeverityCritical
		case "high":
			return incident.SeverityHigh
		case "medium", "low", "info":
			return incident.SeverityLow
		}
	}
	switch in.Urgency {
	case "high":
		return incident.SeverityHigh
	case "low":
		return incident.SeverityLow
	}
	return incident.SeverityUnknown
}

func (r *run) shift(o oncall) incident.Shift {
	sh := incident.Shift{
		Source:           r.s.cfg.Name,
		PersonID:         o.User.ID,
		EscalationPolicy: o.EscalationPolicy.ID,
		Level:            *o.EscalationLevel,
	}
	start := "-"
	if o.Start != nil {
		sh.Start = o.Start.UTC()
		start = sh.Start.Format(time.RFC3339)
	}
	if o.End != nil {
		sh.End = o.End.UTC()
	}
	sched := "-"
	if o.Schedule != nil && o.Schedule.ID != "" {
		sched = o.Schedule.ID
	}
	sh.ID = strings.Join([]string{sh.EscalationPolicy, strconv.Itoa(sh.Level), sched, sh.PersonID, start}, "/")
	return sh
}

// dedupShifts keeps one shift per id (a shift spanning two fetched ranges comes twice).
func dedupShifts(in []incident.Shift) []incident.Shift {
	seen := map[string]int{}
	var out []incident.Shift
	for _, sh := range in {
		if i, ok := seen[sh.ID]; ok {
			out[i] = sh
			continue
		}
		seen[sh.ID] = len(out)
		out = append(out, sh)
	}
	return out
}
